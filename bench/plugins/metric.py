"""The metric plugin interface.

A metric scores a batch of (summary, references) items at once so that
model-based metrics can load once and embed each reference once per run.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Sequence, TypeVar

from ..model import Cluster, Reference, Suite, stable_hash
from .params import resolved_params
from .system import RunContext

T = TypeVar("T", bound=type)


@dataclass(frozen=True)
class ScoreItem:
    system: str
    cluster: Cluster
    bullets: tuple[str, ...]
    references: tuple[Reference, ...]


@dataclass(frozen=True)
class MetricResult:
    values: dict[str, float]
    details: dict[str, Any] | None = None


@dataclass(frozen=True)
class ItemFailure:
    """This item could not be scored; never a number."""

    reason: str


class Metric:
    """Base class for metrics. Subclasses are dataclasses of parameters."""

    name: ClassVar[str] = ""
    #: value keys shown in tables by default (others are kept in results)
    headline: ClassVar[tuple[str, ...]] = ()
    #: value keys where lower is better (for ranking and significance)
    lower_is_better: ClassVar[frozenset[str]] = frozenset()
    #: values are fractions shown as percentages in tables
    percent: ClassVar[bool] = False
    #: distributions whose versions belong in the signature
    packages: ClassVar[tuple[str, ...]] = ()
    #: items per unit of work (fixed per metric, never per executor: the same
    #: units, hence the same batches and values, whatever runs them)
    score_chunk: ClassVar[int] = 64
    #: the same item always gets the same result (no network, no sampling): an
    #: ItemFailure it *returned* (empty summary, no reference ...) is not retried
    #: on a rerun; exceptions and failures of nondeterministic metrics are
    deterministic: ClassVar[bool] = False
    #: parameters that say where it runs, not what it measures (an LLM judge's ``base_url``): left out
    #: of table labels, kept in the signature (scores of different endpoints are never mixed)
    endpoint_params: ClassVar[frozenset[str]] = frozenset()

    def unavailable_reason(self) -> str | None:
        """None when computable here; else a one-line reason."""
        return None

    def runs_in_workers(self) -> bool:
        """True: may run in worker processes or on Ray; False keeps it in the main
        process (I/O-bound, keeps run totals, too cheap to ship, or on a GPU)."""
        return True

    def signature(self) -> dict[str, Any]:
        """Everything that changes the numbers: params, versions, models."""
        return {
            "metric": self.name,
            "params": resolved_params(self),
            "versions": {p: package_version(p) for p in self.packages},
        }

    def signature_hash(self) -> str:
        return stable_hash(self.signature())[:16]

    def prepare(self, suite: "Suite") -> None:
        """Called once per run, before signature and scoring, with the run's suite
        (for corpus statistics such as BERTScore idf over all references)."""

    def open(self, ctx: "RunContext") -> None:
        """Acquire run-level resources (a response cache, an HTTP client) before scoring."""

    def close(self) -> None:
        """Release run-level resources."""

    def accounting(self) -> dict[str, Any]:
        """Totals recorded under the metric in the run manifest (requests, tokens, cost ...)."""
        return {}

    def score(self, items: Sequence[ScoreItem]) -> list[MetricResult | ItemFailure]:
        raise NotImplementedError


def package_version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def metric(name: str) -> Callable[[T], T]:
    """Declare a metric plugin under ``name`` (found by discovery)."""

    def mark(cls: T) -> T:
        cls.__sumbench_plugin__ = ("metric", name)  # type: ignore[attr-defined]
        cls.name = name  # type: ignore[attr-defined]
        return cls

    return mark
