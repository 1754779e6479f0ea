"""Context windows learnt from servers' refusals, kept between runs in the cache folder.

A server that refuses a prompt naming its window ("maximum context length is N
tokens") teaches the client N. It is kept in ``llm-windows.json`` beside the
response cache (the run's ``cache/`` folder, or ``--cache-dir``), keyed by
endpoint and model, so that a later run or a resume fits its prompts to N from
the start instead of paying the refusal again. The file is a cache: an entry
that is not a positive whole number is ignored, a file that is not JSON is
read as empty and rewritten; deleting it forgets every learnt window.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FILE = "llm-windows.json"
_LOCK = threading.Lock()  # one writer at a time in this process (read, update, replace)


@dataclass(frozen=True)
class Learnt:
    tokens: int  # the window the server named
    learnt: str  # when (ISO 8601, UTC)
    message: str  # the server's words, cut


class LearntWindows:
    """The learnt windows in ``path`` (a JSON object: "endpoint model" -> entry)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @staticmethod
    def key(endpoint: str, model: str) -> str:
        return f"{endpoint.rstrip('/')} {model}"

    def get(self, endpoint: str, model: str) -> Learnt | None:
        entry = self._read().get(self.key(endpoint, model))
        if not isinstance(entry, dict):
            return None
        tokens = entry.get("tokens")
        if not isinstance(tokens, int) or isinstance(tokens, bool) or tokens < 1:
            return None
        return Learnt(tokens, str(entry.get("learnt", "")), str(entry.get("message", "")))

    def put(self, endpoint: str, model: str, tokens: int, message: str) -> None:
        """Keep ``tokens`` for this endpoint and model (a smaller one already kept stays)."""
        import datetime as dt

        with _LOCK:
            data = self._read()
            key = self.key(endpoint, model)
            old = data.get(key)
            if isinstance(old, dict) and isinstance(old.get("tokens"), int) and 0 < old["tokens"] <= tokens:
                return
            data[key] = {"tokens": tokens, "learnt": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "message": " ".join(message.split())[:300]}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            os.replace(tmp, self.path)

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # none yet, or not JSON: nothing learnt
            return {}
        return data if isinstance(data, dict) else {}
