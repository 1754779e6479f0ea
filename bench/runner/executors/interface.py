"""What every executor and the runner share: the interface, the run's execution
settings, the machine's cores and the placement rule (see the package's docstring)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Protocol, Sequence

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
