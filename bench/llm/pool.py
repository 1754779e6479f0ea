"""The threads an LLM system or judge sends its requests from.

On Ctrl-C (or SIGTERM) requests not yet sent are dropped and those in flight
are let end, so that their answers reach the cache and a rerun does not pay for
them again (a local server would go on computing them anyway); none is retried
and none waits past its timeout. That wait can be long (a CPU model answers in
tens of seconds): the user is told, and a second Ctrl-C stops at once. The threads are daemons for that reason: the interpreter
does not wait for a request still in flight at exit, as it would for a
``ThreadPoolExecutor``'s.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from typing import Any, Callable

log = logging.getLogger(__name__)


class RequestPool:
    def __init__(self, workers: int, name: str, stop: Callable[[], None] | None = None) -> None:
        self._stop = stop  # on a stop, no request or retry is sent any more (ChatClient.stop)
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._futures: list[Future] = []
        self._threads = [threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True)
                         for i in range(max(1, workers))]
        for t in self._threads:
            t.start()

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        future: Future = Future()
        self._futures.append(future)
        self._jobs.put((future, fn, args))
        return future

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, fn, args = job
            if not future.set_running_or_notify_cancel():
                continue  # cancelled before it was sent
            try:
                future.set_result(fn(*args))
            except BaseException as exc:  # the caller sees it through the future
                future.set_exception(exc)

    def __enter__(self) -> "RequestPool":
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is not None:  # interrupted, or the caller failed: what is not sent yet never is
            if self._stop is not None and issubclass(kind, (KeyboardInterrupt, SystemExit)):  # the run stops
                self._stop()
            for f in self._futures:
                f.cancel()
            busy = sum(f.running() for f in self._futures)
            if busy and issubclass(kind, KeyboardInterrupt):
                log.warning("waiting for %d request%s in flight to end (%s cached);\n    Ctrl-C again stops now",
                            busy, "s" if busy > 1 else "", "their answers are" if busy > 1 else "its answer is")
        for _ in self._threads:
            self._jobs.put(None)
        for t in self._threads:
            t.join()  # a second Ctrl-C interrupts this wait, and nothing waits for the daemons at exit
