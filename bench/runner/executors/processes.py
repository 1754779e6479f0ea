"""Worker processes on this machine (``--workers N``)."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Callable

from .interface import machine_cores
from .pool import PoolExecutor, WorkerDied
from .worker import run_unit, setup

#: seconds a stopped worker gets to end on SIGTERM before it is killed
STOP_GRACE_S = 2.0


def start_method() -> str:
    """forkserver where there is one (Linux), else spawn; never fork (torch, threads)."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


class ProcessExecutor(PoolExecutor):
    name = "processes"

    def __init__(self, workers: int, plugin_paths: tuple[str, ...], notice: Callable[[str], None]) -> None:
        super().__init__(workers, plugin_paths, notice)
        self.threads = max(1, machine_cores() // workers)
        self._pool: ProcessPoolExecutor | None = None
        self._tmp: Path | None = None

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "threads_per_worker": self.threads, "start_method": start_method()}

    def _start(self) -> None:
        self._tmp = Path(tempfile.mkdtemp(prefix="sumbench-plugins-"))
        self._new_pool()

    def _new_pool(self) -> None:
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context(start_method()),
            initializer=setup,
            initargs=(self.plugin_paths, self.threads, True, os.getpid()),
        )

    def _stop(self) -> None:
        if self._pool is not None:
            # taken before shutdown(), which forgets them: a worker left mid-unit (Ctrl-C) would hold the exit
            # until its unit ended (the interpreter joins the pool's thread, which waits for the workers)
            procs = list((getattr(self._pool, "_processes", None) or {}).values())
            self._pool.shutdown(wait=False, cancel_futures=True)
            for proc in procs:
                if proc.is_alive():  # its unit's result is not wanted
                    proc.terminate()
            for proc in procs:
                proc.join(STOP_GRACE_S)
                if proc.is_alive():
                    proc.kill()
            self._pool = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def _share(self, key: str, blob: bytes) -> str:
        assert self._tmp is not None
        path = self._tmp / f"{key}.pickle"
        path.write_bytes(blob)
        return str(path)

    def _submit(self, index: int, key: str, shared: Any, unit: Any) -> Future:
        assert self._pool is not None
        try:
            return self._pool.submit(run_unit, key, shared, unit)
        except BrokenProcessPool:  # a worker died earlier: fresh pool for the rest
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._new_pool()
            return self._pool.submit(run_unit, key, shared, unit)

    def _result(self, handle: Future) -> list[dict[str, Any]]:
        try:
            return handle.result()
        except BrokenProcessPool as exc:
            raise WorkerDied(f"a worker process ended abruptly ({exc})") from None
