"""The threads an LLM system or judge sends its requests from.

On Ctrl-C (or SIGTERM) requests not yet sent are dropped and those in flight
are let end, so that their answers reach the cache and a rerun does not pay for
them again (a local server would go on computing them anyway). That wait can be
long (a CPU model answers in tens of seconds): the user is told, and a second
Ctrl-C stops at once.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

log = logging.getLogger(__name__)


class RequestPool:
    def __init__(self, workers: int, name: str) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._futures: list[Future] = []

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        future = self._pool.submit(fn, *args)
        self._futures.append(future)
        return future

    def __enter__(self) -> "RequestPool":
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is not None and issubclass(kind, KeyboardInterrupt):
            for f in self._futures:
                f.cancel()  # not started: never sent
            busy = sum(f.running() for f in self._futures)
            if busy:
                log.warning("waiting for %d request%s in flight to end (%s cached);\n    Ctrl-C again stops now",
                            busy, "s" if busy > 1 else "", "their answers are" if busy > 1 else "its answer is")
        self._pool.shutdown(wait=True, cancel_futures=True)
