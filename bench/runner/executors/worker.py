"""The worker side: set up once per worker process, then run units.

Imports nothing heavy: a worker pays for numpy, scikit-learn or torch only
when a plugin it runs needs them.
"""

from __future__ import annotations

import os
import pickle
import signal
from collections import OrderedDict
from pathlib import Path
from typing import Any

#: plugins kept per worker (a run uses them one after another)
KEEP_PLUGINS = 4
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "SUMBENCH_TORCH_THREADS")

_plugins: "OrderedDict[str, Any]" = OrderedDict()


def setup(plugin_paths: tuple[str, ...], threads: int, ignore_sigint: bool = True) -> None:
    """Once per worker: thread budget, Ctrl-C left to the parent, --plugins modules imported.

    ``threads`` is the worker's share of the machine (cores / workers): torch
    (bench.metrics._embed reads SUMBENCH_TORCH_THREADS) and the BLAS libraries
    use that many threads, so N workers do not oversubscribe the cores.
    """
    for name in THREAD_VARIABLES:
        os.environ[name] = str(max(1, threads))
    if ignore_sigint:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the pool
    if plugin_paths:
        from ...plugins.discovery import import_plugin_paths

        import_plugin_paths([Path(p) for p in plugin_paths])  # pickled plugin classes refer to these modules


def run_unit(key: str, shared: Any, unit: Any) -> list[dict[str, Any]]:
    """The unit's records; the plugin is unpickled (and opened) once per worker."""
    plugin = _plugins.get(key)
    if plugin is None:
        plugin, context = pickle.loads(load_shared(shared))
        if context is not None:
            plugin.open(context)
        _plugins[key] = plugin
        while len(_plugins) > KEEP_PLUGINS:
            _plugins.popitem(last=False)
    else:
        _plugins.move_to_end(key)
    return list(unit.run(plugin))


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
