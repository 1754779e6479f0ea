"""Executors: where units of work run. The seam between the runner and the plugins.

The runner cuts work into units (``bench.runner.units``) and hands them to an
executor with the plugin that runs them; the executor yields the units'
records, in unit order, as they complete, and the runner (the run folder's
only writer) appends each one. Three implementations of one interface:

- ``local``: in this process (``--workers 1``, or ``--executor local``);
- ``processes``: a pool of worker processes (forkserver/spawn, never fork);
- ``ray``: Ray actors on a local or existing Ray cluster (``sumbench[ray]``).

Placement rule: a plugin runs in workers unless its ``runs_in_workers()`` says
no: I/O-bound systems with their own request concurrency (llm), plugins that
keep run totals or shared caches in the main process, cheap work (length,
imported outputs) and models on a GPU (one process owns the device). Such
plugins, and any plugin that cannot be pickled, run in the main process
whatever the executor.
"""

from __future__ import annotations

from typing import Callable, Sequence

from .interface import KINDS, Execution, Executor, machine_cores, stays_local

__all__ = ["KINDS", "Execution", "Executor", "create", "machine_cores", "stays_local"]


def create(execution: Execution, plugin_paths: Sequence[str] = (), notice: Callable[[str], None] = print) -> Executor:
    if execution.kind not in KINDS:
        raise ValueError(f"unknown executor {execution.kind!r}; use {', '.join(KINDS)}")
    if execution.kind == "ray":
        from .ray import RayExecutor

        return RayExecutor(execution.workers, execution.ray_address, tuple(plugin_paths), notice)
    workers = execution.workers or machine_cores()
    if execution.kind == "local" or workers <= 1:
        from .local import LocalExecutor

        return LocalExecutor()
    from .processes import ProcessExecutor

    return ProcessExecutor(workers, tuple(plugin_paths), notice)
