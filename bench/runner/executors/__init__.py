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

import os
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping, Protocol, Sequence

from ..units import Unit

KINDS = ("local", "processes", "ray")


class Executor(Protocol):
    name: str
    workers: int

    def run(self, plugins: Mapping[str, Any], units: Sequence[Unit], context: Any = None) -> Iterator[dict[str, Any]]:
        """Run ``units`` with ``plugins`` (label -> instance); yield their records in
        unit order as units complete.

        ``context`` (the systems' RunContext) is passed to ``open`` where copies
        of the plugins are opened (worker processes, Ray actors).
        """
        ...

    def describe(self) -> dict[str, Any]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Execution:
    """How a run executes (operational: not part of any result key)."""

    kind: str = "processes"
    workers: int | None = None  # None: the machine's cores (ray: the cluster's CPUs)
    ray_address: str | None = None  # None: start a local Ray instance


def machine_cores() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def stays_local(plugin: Any) -> bool:
    """The placement rule: True keeps the plugin in the main process."""
    check = getattr(plugin, "runs_in_workers", None)
    return not (check() if callable(check) else True)


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
