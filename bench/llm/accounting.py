"""Run totals (thread-safe), a per-run request cap, and token prices."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any


class RequestCapReached(Exception):
    """The run's request cap is spent; the request was not sent."""


class RequestGate:
    """Counts HTTP requests sent this run (retries included) and enforces the cap."""

    def __init__(self, cap: int | None) -> None:
        self.cap = cap
        self.sent = 0
        self._lock = threading.Lock()

    def acquire(self) -> None:
        with self._lock:
            if self.cap is not None and self.sent >= self.cap:
                raise RequestCapReached(f"request cap reached: max_requests={self.cap} requests already sent this run; not sent")
            self.sent += 1


@dataclass(frozen=True)
class Prices:
    """USD per 1M tokens; cost is None unless at least one price is set."""

    input_per_1m: float | None = None
    output_per_1m: float | None = None

    def cost(self, usage: dict[str, Any]) -> float | None:
        if self.input_per_1m is None and self.output_per_1m is None:
            return None
        prompt, completion = tokens(usage, "prompt_tokens"), tokens(usage, "completion_tokens")
        return round(prompt * (self.input_per_1m or 0) / 1e6 + completion * (self.output_per_1m or 0) / 1e6, 8)


def tokens(usage: dict[str, Any], name: str) -> int:
    """A token count of a server's ``usage``; one it does not report as a whole number >= 0 (absent, NaN,
    text) counts 0, as a server that reports no usage."""
    value = usage.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        return 0
    return int(value)


class Totals:
    """Counters for run_meta(); ``add`` is safe from many threads."""

    FIELDS = (
        "clusters_ok", "failures", "cache_hits", "responses_fresh", "retries",
        "prompt_tokens", "completion_tokens", "truncated_by_max_tokens",
    )

    def __init__(self, fields: tuple[str, ...] | None = None) -> None:
        self._lock = threading.Lock()
        self._counts = dict.fromkeys(fields or self.FIELDS, 0)
        self._cost: float | None = None

    def add(self, cost: float | None = None, **counts: int) -> None:
        with self._lock:
            for key, n in counts.items():
                self._counts[key] += n
            if cost is not None:
                self._cost = (self._cost or 0.0) + cost

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            out: dict[str, Any] = dict(self._counts)
            out["cost_usd"] = None if self._cost is None else round(self._cost, 8)
        return out
