"""Chat responses on disk: SQLite (WAL), one shared connection guarded by a lock.

Keys hash the endpoint and the full request body (model, messages, sampling
parameters). The API key is never part of the key or the stored value.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from ..model import stable_hash

SCHEMA = """CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY, endpoint TEXT NOT NULL, model TEXT NOT NULL,
    response TEXT NOT NULL, created REAL NOT NULL)"""


def cache_key(endpoint: str, body: dict[str, Any]) -> str:
    return stable_hash({"endpoint": endpoint.rstrip("/"), "request": body})


class ResponseCache:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(SCHEMA)

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT response FROM responses WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, endpoint: str, model: str, response: dict[str, Any]) -> None:
        blob = json.dumps(response, sort_keys=True, ensure_ascii=False)
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO responses (key, endpoint, model, response, created) VALUES (?, ?, ?, ?, ?)",
                (key, endpoint.rstrip("/"), model, blob, time.time()),
            )

    def answers(self, endpoint: str, model: str) -> list[dict[str, Any]]:
        """Every stored answer of one endpoint and model (what a benchmark's answers cost when first asked)."""
        with self._lock:
            rows = self._db.execute("SELECT response FROM responses WHERE endpoint = ? AND model = ?",
                                    (endpoint.rstrip("/"), model)).fetchall()
        return [json.loads(r[0]) for r in rows]

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()
