"""The system (summarizer) plugin interface.

A system is a dataclass whose fields are its typed parameters::

    @system("lead")
    @dataclass
    class Lead(System):
        '''First n sentences in document order.'''
        n: int = 3

        def summarize(self, cluster, budget, references=()):
            ...
            return ["bullet", ...]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Iterable, Iterator, Sequence, TypeVar

from ..budget import Budget
from ..model import Cluster, Reference

T = TypeVar("T", bound=type)


@dataclass(frozen=True)
class SystemOutput:
    """Bullets plus optional accounting (tokens, latency, prompt hash ...)."""

    bullets: tuple[str, ...]
    meta: dict[str, Any] = field(default_factory=dict)
    #: the system's own time for this cluster, when it runs clusters concurrently
    #: (summarize_many) and the runner's clock would measure the gap between
    #: completions; None: the runner times it. A failure may carry it too, as the
    #: exception's ``seconds`` attribute.
    seconds: float | None = None


@dataclass(frozen=True)
class SummaryTask:
    cluster: Cluster
    budget: Budget
    references: tuple[Reference, ...] = ()


@dataclass(frozen=True)
class RunContext:
    """Run-level resources a system may use (cache, refresh)."""

    run_dir: str
    cache_dir: str
    refresh: bool = False
    #: a bound on concurrent requests set by the caller; the runner sets none
    #: (--workers counts processes; llm plugins keep their own concurrency)
    max_workers: int | None = None
    quiet: bool = False


class System:
    """Base class for summarizers. Subclasses are dataclasses."""

    name: ClassVar[str] = ""
    #: shown as an upper bound in tables, never ranked with normal systems
    upper_bound: ClassVar[bool] = False
    #: receives the references (only an oracle should)
    uses_references: ClassVar[bool] = False
    #: parameters that change how it runs, not what it outputs (timeouts,
    #: concurrency ...): left out of result keys and table labels
    operational: ClassVar[frozenset[str]] = frozenset()
    #: parameters naming files: a relative path set in a config file is read
    #: from that file's folder; left out of result keys, so the system must
    #: identify the file by its content in content_fingerprint()
    path_params: ClassVar[frozenset[str]] = frozenset()
    #: the same cluster, parameters and budget always give the same output (no
    #: network, no unseeded randomness): an output it *returned* that is unusable
    #: (no text ...) is not retried on a rerun, it would come back the same
    deterministic: ClassVar[bool] = False

    def runs_in_workers(self) -> bool:
        """True: CPU-bound, may run in worker processes or on Ray (--workers, --executor).

        Return False to stay in the main process: I/O-bound systems with their
        own request concurrency, systems keeping run totals (run_meta) or
        shared state, work too cheap to ship.
        """
        return True

    def content_fingerprint(self) -> dict[str, Any]:
        """Inputs the output depends on beyond parameters (e.g. a prompt file's hash)."""
        return {}

    def summarize(
        self, cluster: Cluster, budget: Budget, references: Sequence[Reference] = ()
    ) -> list[str] | SystemOutput:
        raise NotImplementedError

    def unavailable_reason(self) -> str | None:
        """None when runnable here; else a one-line reason (run skips it)."""
        return None

    def open(self, ctx: RunContext) -> None:
        """Acquire run-level resources (called once before summarizing)."""

    def close(self) -> None:
        """Release run-level resources."""

    def run_meta(self) -> dict[str, Any]:
        """Totals recorded in the run manifest (e.g. tokens, cost, requests)."""
        return {}

    def summarize_many(
        self, tasks: Iterable[SummaryTask]
    ) -> Iterator[tuple[SummaryTask, SystemOutput | BaseException]]:
        """Yield each task's output (or the exception it raised) as done.

        Sequential by default; I/O-bound systems override to run concurrently.
        """
        for task in tasks:
            try:
                refs = task.references if self.uses_references else ()
                yield task, as_output(self.summarize(task.cluster, task.budget, refs))
            except Exception as exc:  # recorded as this cluster's failure
                yield task, exc
            except SystemExit as exc:  # a plugin may not end the command: its failure, like any other
                yield task, RuntimeError(f"the system called sys.exit({exc.code!r})")


def as_output(result: list[str] | tuple[str, ...] | SystemOutput) -> SystemOutput:
    if isinstance(result, SystemOutput):
        return result
    if isinstance(result, str) or not isinstance(result, (list, tuple)):
        raise TypeError(f"a system must return a list of bullet strings, got {type(result).__name__}")
    for b in result:
        if not isinstance(b, str):
            raise TypeError(f"bullets must be strings, got {type(b).__name__}")
    return SystemOutput(tuple(result))


def system(name: str) -> Callable[[T], T]:
    """Declare a system plugin under ``name`` (found by discovery)."""

    def mark(cls: T) -> T:
        cls.__sumbench_plugin__ = ("system", name)  # type: ignore[attr-defined]
        cls.name = name  # type: ignore[attr-defined]
        return cls

    return mark
