"""The worker side: set up once per worker process, then run units.

Imports nothing heavy: a worker pays for numpy, scipy or torch only
when a plugin it runs needs them.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

#: plugin sets kept per worker (a run uses them one after another)
KEEP_PLUGINS = 4
#: thread pools sized by the environment: BLAS, torch (via bench.metrics.shared.embed), rayon (rouge-score-rs)
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "SUMBENCH_TORCH_THREADS",
                    "RAYON_NUM_THREADS")

_plugins: "OrderedDict[str, Any]" = OrderedDict()


def setup(plugin_paths: tuple[str, ...], threads: int, ignore_sigint: bool = True, parent: int | None = None) -> None:
    """Once per worker: thread budget, Ctrl-C left to the parent, --plugins modules imported.

    ``parent``: the main process; the worker exits when it is gone (kill -9 of
    the main process must not leave workers behind).

    ``threads`` is the worker's share of the machine (cores / workers): torch
    (bench.metrics.shared.embed reads SUMBENCH_TORCH_THREADS) and the BLAS libraries
    use that many threads, so N workers do not oversubscribe the cores.
    """
    for name in THREAD_VARIABLES:
        os.environ[name] = str(max(1, threads))
    if ignore_sigint:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the pool
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent,), name="sumbench-parent-watch", daemon=True).start()
    if plugin_paths:
        from ...plugins.discovery import import_plugin_paths

        import_plugin_paths([Path(p) for p in plugin_paths])  # pickled plugin classes refer to these modules


def _exit_with(parent: int, every: float = 0.5) -> None:
    while True:
        time.sleep(every)
        if not _alive(parent):
            os._exit(1)  # nothing of ours to flush: only the parent writes


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # gone, or the pid now belongs to someone else
        return False
    try:  # Linux: a killed parent not yet reaped is a zombie
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def run_unit(key: str, shared: Any, unit: Any) -> list[dict[str, Any]]:
    """The unit's records; the plugins are unpickled (and opened) once per worker."""
    plugins = _plugins.get(key)
    if plugins is None:
        plugins, context = pickle.loads(load_shared(shared))
        if context is not None:
            for plugin in plugins.values():
                plugin.open(context)
        _plugins[key] = plugins
        while len(_plugins) > KEEP_PLUGINS:
            _plugins.popitem(last=False)
    else:
        _plugins.move_to_end(key)
    return list(unit.run(plugins))


def load_shared(shared: Any) -> bytes:
    """The pickled (plugin, context): a file path (worker processes) or [ObjectRef] (Ray)."""
    if isinstance(shared, str):
        return Path(shared).read_bytes()
    import ray

    return ray.get(shared[0])


class RayWorker:
    """A Ray actor: one worker (bench.runner.executors.ray wraps it with ray.remote)."""

    def __init__(self, plugin_paths: tuple[str, ...], threads: int) -> None:
        setup(plugin_paths, threads, ignore_sigint=False)

    def run_unit(self, key: str, shared: Any, unit: Any) -> list[dict[str, Any]]:
        return run_unit(key, shared, unit)

    def pid(self) -> int:
        return os.getpid()
