"""A windowed LLM judge's run: its session (client, cache, totals), opened and closed by the runner.

Shared by ``faithfulness-llm`` and ``rubric-llm``: a dataclass of ChatParams
with ``_ctx`` and ``_session`` fields and a ``totals_fields`` tuple.
"""

from __future__ import annotations

from typing import Any, ClassVar

from bench.model import stable_hash
from bench.plugins.params import resolved_params

from .judge_window import JudgeWindow
from .prompt import Template
from .session import ChatSession, session_for


class JudgeRun(JudgeWindow):
    totals_fields: ClassVar[tuple[str, ...]]
    _ctx: Any
    _session: Any

    def runs_in_workers(self) -> bool:
        return False  # I/O-bound: its own request concurrency, one response cache, run totals

    def open(self, ctx: Any) -> None:
        self.close()
        self._ctx, self._session = ctx, None  # the session (and cache file) starts with the first item
        self.open_windows(ctx)

    def close(self) -> None:
        if self._session is not None:
            self._session.close()  # totals stay readable for accounting()
        self._ctx = None

    def accounting(self) -> dict[str, Any]:
        if self._session is None:
            return {}
        window, source = self.window(self._session)
        return {**self._session.meta(), "context_tokens": window, "context_source": source}

    def _ensure_session(self) -> ChatSession:
        if self._session is None or self._session.closed:  # without open(): no cache
            self._session = session_for(self, self._ctx, self.totals_fields)
        return self._session

    def judge_signature(self, template: Template, method: str) -> dict[str, Any]:
        """What every judge's signature holds: its parameters (not the operational ones, nor paths: those
        are identified by their content), its prompt template's hash and its method."""
        skip = self.operational | self.path_params
        return {"metric": self.name, "params": {k: v for k, v in resolved_params(self).items() if k not in skip},
                "prompt_template": stable_hash([template.system, template.user])[:16], "method": method}
