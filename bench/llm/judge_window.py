"""The context window an LLM judge fits its prompts to, shared by the judges.

In order: a window learnt this run from a server's refusal; one learnt by an
earlier run on the same cache folder (``llm-windows.json``); ``context_tokens``
(never more than the server serves); the window the server reports; 8192.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .server_info import window_in_error
from .windows import FILE as WINDOWS_FILE
from .windows import LearntWindows

DEFAULT_WINDOW = 8192  # when neither context_tokens nor the server says


class JudgeWindow:
    """Mixin for a judge (a ChatParams dataclass with ``context_tokens``) that has ``_ensure_session()``."""

    context_tokens: int | None
    _learnt: int | None = None  # learnt this run from a refusal
    _kept: LearntWindows | None = None  # windows learnt on the run's cache folder, kept for later runs
    _read_kept: bool = True

    def check_window(self) -> None:
        """ValueError when ``context_tokens`` leaves no room for the answer."""
        if self.context_tokens is not None and self.context_tokens <= self.max_tokens:
            raise ValueError(f"context_tokens ({self.context_tokens}) must exceed max_tokens ({self.max_tokens}): "
                             "the answer's tokens are reserved in the window")

    def open_windows(self, ctx: Any) -> None:
        """The run's kept windows (none without a cache); ``--refresh`` learns them again."""
        use = self.cache and getattr(ctx, "cache_dir", None)
        self._kept = LearntWindows(Path(ctx.cache_dir) / WINDOWS_FILE) if use else None
        self._read_kept = not getattr(ctx, "refresh", False)

    def window(self, session: Any = None) -> tuple[int, str]:
        """The context window and where it comes from (given, the server's, learnt from a refusal, default)."""
        session = session or self._ensure_session()
        if self._learnt is not None:
            return self._learnt, "server (its HTTP 400 named the window)"
        kept = self._kept.get(session.endpoint, self.model) if (self._kept is not None and self._read_kept) else None
        if kept is not None:
            return kept.tokens, (f"learnt ({WINDOWS_FILE}: the server refused a longer prompt on {kept.learnt}, "
                                 f"naming its window of {kept.tokens} tokens)")
        served = session.server.n_ctx
        if self.context_tokens is not None:
            if served is not None and served < self.context_tokens:
                return served, "server (context_tokens is more than it serves)"
            return self.context_tokens, "context_tokens="
        return (served, "server") if served is not None else (DEFAULT_WINDOW, "default")

    def learn_window(self, session: Any, reason: str, used: int | None = None) -> int | None:
        """The window a refusal names when smaller than the one the prompt was fitted to (``used``, default
        the current one): later prompts are fitted to it, and later runs on this cache folder start with it.
        None when it names none smaller."""
        served = window_in_error(reason)
        if served is None or served >= (used if used is not None else self.window(session)[0]):
            return None
        self._learnt = min(served, self._learnt or served)
        if self._kept is not None:
            self._kept.put(session.endpoint, self.model, served, reason[:300])
        return served
