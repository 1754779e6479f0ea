"""Retry timing: exponential backoff with seeded jitter, and Retry-After parsing."""

from __future__ import annotations

import random
import threading
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})


def is_retryable_status(status: int) -> bool:
    return status in RETRY_STATUS or status >= 500


class Backoff:
    """``delay(n)`` before retry n (1-based): base*2^(n-1) capped, with equal jitter.

    A server's Retry-After wins when given (capped at ``retry_after_max``).
    All randomness comes from one seeded generator shared by the threads.
    """

    def __init__(self, base: float, cap: float, retry_after_max: float, seed: int) -> None:
        self.base, self.cap, self.retry_after_max = base, cap, retry_after_max
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.retry_after_max)
        ceiling = min(self.cap, self.base * 2 ** (retry - 1))
        with self._lock:
            jitter = self._rng.uniform(0.0, ceiling / 2)
        return ceiling / 2 + jitter


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None if absent/invalid."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max((when - now).total_seconds(), 0.0)
