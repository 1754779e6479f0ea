"""What worker processes and Ray share: placement, shipping plugins, ordered streaming."""

from __future__ import annotations

import pickle
import uuid
from collections import deque
from typing import Any, Callable, Iterator, Mapping, Sequence

from ..units import Unit
from .interface import stays_local
from .local import LocalExecutor

#: units in flight per worker (submitted, not yet written): keeps workers busy
#: while a slow unit holds back the ones after it
WINDOW_PER_WORKER = 4
#: less work than this (or a single unit) runs in the main process: not worth starting workers for
MIN_ITEMS = 16


class WorkerDied(Exception):
    """A worker process or actor died while it held a unit."""


class PoolExecutor:
    """Base for executors that ship units to other processes.

    Subclasses start their workers lazily (a run with nothing to do starts
    none) and implement ``_start``, ``_share`` (make the pickled plugin
    available to workers; returns what a unit call carries), ``_submit`` and
    ``_result``; ``_result`` raises WorkerDied when the worker is gone.
    """

    name = "pool"

    def __init__(self, workers: int | None, plugin_paths: tuple[str, ...], notice: Callable[[str], None]) -> None:
        self.workers = workers or 0
        self.plugin_paths = plugin_paths
        self.notice = notice
        self._local = LocalExecutor()
        self._started = False
        self._warned: set[str] = set()

    # -- the Executor interface ------------------------------------------
    def run(self, plugins: Mapping[str, Any], units: Sequence[Unit], context: Any = None) -> Iterator[dict[str, Any]]:
        if not units:
            return
        if any(stays_local(p) for p in plugins.values()):
            yield from self._local.run(plugins, units)
            return
        if len(units) < 2 or sum(len(u) for u in units) < MIN_ITEMS:
            yield from self._local.run(plugins, units)  # less work than starting workers (same units, same records)
            return
        try:
            blob = pickle.dumps((dict(plugins), context), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # e.g. an open connection in a plugin
            self._once(f"{', '.join(plugins)} run in the main process: cannot be sent to workers "
                       f"({type(exc).__name__}: {exc})")
            yield from self._local.run(plugins, units)
            return
        if not self._started:
            self._start()
            self._started = True
        key = uuid.uuid4().hex
        shared = self._share(key, blob)
        yield from self._ordered(units, lambda i, unit: self._submit(i, key, shared, unit))

    def describe(self) -> dict[str, Any]:
        return {"executor": self.name, "workers": self.workers}

    def close(self) -> None:
        if self._started:
            self._stop()
            self._started = False

    # -- shared machinery ------------------------------------------------
    def _ordered(self, units: Sequence[Unit], submit: Callable[[int, Unit], Any]) -> Iterator[dict[str, Any]]:
        window = max(2, (self.workers or 1) * WINDOW_PER_WORKER)
        pending: deque = deque()
        todo = iter(enumerate(units))

        def fill() -> None:
            while len(pending) < window:
                nxt = next(todo, None)
                if nxt is None:
                    return
                index, unit = nxt
                pending.append((unit, submit(index, unit)))

        fill()
        while pending:
            unit, handle = pending.popleft()
            try:
                records = self._result(handle)
            except WorkerDied as exc:
                records = unit.failed(f"worker died: {exc}")
            except (KeyboardInterrupt, SystemExit):
                raise
            except Exception as exc:  # the unit could not run (its plugin did not load ...)
                records = unit.failed(f"{type(exc).__name__} in worker: {exc}")
            yield from records
            fill()

    def _once(self, message: str) -> None:
        if message not in self._warned:
            self._warned.add(message)
            self.notice(message)

    # -- for subclasses ----------------------------------------------------
    def _start(self) -> None:
        raise NotImplementedError

    def _stop(self) -> None:
        raise NotImplementedError

    def _share(self, key: str, blob: bytes) -> Any:
        raise NotImplementedError

    def _submit(self, index: int, key: str, shared: Any, unit: Unit) -> Any:
        raise NotImplementedError

    def _result(self, handle: Any) -> list[dict[str, Any]]:
        raise NotImplementedError

