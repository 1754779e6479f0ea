"""Units of work: what goes through an executor, and the records that come back.

A unit is a system over a chunk of clusters, or a metric over a chunk of
score items. ``unit.run(plugin)`` yields the unit's records in order; it runs
wherever the executor puts it (this process, a worker process, a Ray actor),
so a unit carries everything it needs and a record is complete when it leaves.
Only the parent process writes records to the run folder.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Protocol, Sequence

from ..budget import apply_budget, count_words
from ..plugins.metric import ItemFailure, MetricResult, ScoreItem
from ..plugins.system import SummaryTask
from ..text.limits import summary_too_long
from .provenance import now_iso
from .records import RecordError, error_text, json_ready, metric_values

#: items per metric unit unless the metric says (``Metric.score_chunk``). Fixed
#: (not per executor): embedding metrics batch within a unit, so the same units
#: give the same batches everywhere.
SCORE_CHUNK = 64


#: clusters per system unit. Fixed (not per executor), over the suite's
#: clusters: the same units, in the same order, whatever runs them
SYSTEM_CHUNK = 8


class Unit(Protocol):
    kind: str  # "system" or "metric"

    def __len__(self) -> int: ...

    def run(self, plugins: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """Records, in order; ``plugins``: label -> the plugin instance to use."""
        ...

    def failed(self, reason: str) -> list[dict[str, Any]]:
        """Records for every item of the unit when the unit itself could not run."""
        ...


@dataclass(frozen=True)
class SystemPart:
    label: str
    identity: str  # the system's identity hash, stored with each summary
    tasks: tuple[tuple[str, SummaryTask], ...]  # (summary key, task)
    deterministic: bool = False  # System.deterministic: its unusable outputs are final


@dataclass(frozen=True)
class SystemUnit:
    """Several systems over the same chunk of clusters: a worker cleans and splits
    each cluster once and every system reuses it (bench.text caches)."""

    parts: tuple[SystemPart, ...]
    kind: str = "system"

    def __len__(self) -> int:
        return sum(len(p.tasks) for p in self.parts)

    def run(self, plugins: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        for part in self.parts:
            keys = {id(task): key for key, task in part.tasks}
            last = time.perf_counter()
            for task, result in plugins[part.label].summarize_many(task for _, task in part.tasks):
                now = time.perf_counter()
                yield _summary(part, keys[id(task)], task, result, own_seconds(result, now - last))
                last = now

    def failed(self, reason: str) -> list[dict[str, Any]]:
        return [_summary(p, key, task, UnitFailed(reason), 0.0) for p in self.parts for key, task in p.tasks]


def own_seconds(result: Any, measured: float) -> float:
    """The time a system reports for the cluster itself (``SystemOutput.seconds``, or a failure's
    ``seconds``), else the time measured here (the gap since the previous result)."""
    own = getattr(result, "seconds", None)
    if isinstance(own, (int, float)) and not isinstance(own, bool) and math.isfinite(own) and own >= 0:
        return float(own)
    return measured


class UnitFailed(Exception):
    """The unit could not run where it was sent (its worker died ...)."""


def _summary(part: SystemPart, key: str, task: SummaryTask, result: Any, seconds: float) -> dict[str, Any]:
    rec = {**summary_record(key, part.label, task, result, seconds), "identity": part.identity}
    if rec["status"] == "failed" and part.deterministic and not isinstance(result, BaseException):
        rec["retry"] = False  # a deterministic system would return the same again
    return rec


@dataclass(frozen=True)
class ScoreTarget:
    """The summary an item scores, as the score record names it."""

    key: str  # score key
    summary_key: str
    system: str
    cluster: str


@dataclass(frozen=True)
class MetricUnit:
    label: str
    signature: str  # signature hash
    items: tuple[tuple[ScoreTarget, ScoreItem], ...]
    kind: str = "metric"
    deterministic: bool = False  # Metric.deterministic: the failures it returns are final

    def __len__(self) -> int:
        return len(self.items)

    def run(self, plugins: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        final = self.deterministic
        try:
            results = plugins[self.label].score([item for _, item in self.items])
            if len(results) != len(self.items):
                raise RuntimeError(f"metric returned {len(results)} results for {len(self.items)} items")
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # may not happen again (memory, a fixed bug ...): retried on a rerun
            results, final = [ItemFailure(f"{type(exc).__name__}: {exc}")] * len(self.items), False
        except SystemExit as exc:  # a plugin may not end the command: its failure, like any other
            results, final = [ItemFailure(f"the metric called sys.exit({exc.code!r})")] * len(self.items), False
        for (target, _), result in zip(self.items, results):
            rec = score_record(target, self.label, self.signature, result)
            if final and rec["status"] == "failed":
                rec["retry"] = False  # a deterministic metric would return the same again
            yield rec

    def failed(self, reason: str) -> list[dict[str, Any]]:
        return [score_record(t, self.label, self.signature, ItemFailure(reason)) for t, _ in self.items]


def chunked(pairs: Sequence[Any], size: int) -> list[tuple[Any, ...]]:
    size = max(1, size)
    return [tuple(pairs[i : i + size]) for i in range(0, len(pairs), size)]


def summary_record(key: str, label: str, task: SummaryTask, result: Any, seconds: float) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "key": key,
        "system": label,
        "cluster": task.cluster.id,
        "seconds": round(seconds, 4),
        "created": now_iso(),
    }
    if isinstance(result, BaseException):
        rec.update(status="failed", error=error_text(result))
        return rec
    try:
        fitted = apply_budget(result.bullets, task.budget)
        meta = json_ready(result.meta, "system meta")
    except Exception as exc:  # malformed output is this cluster's failure
        rec.update(status="failed", error=error_text(exc))
        return rec
    if not fitted.bullets:
        rec.update(status="failed", error="system returned no text", meta=meta)
        return rec
    too_long = summary_too_long(sum(count_words(b) for b in fitted.bullets) if fitted.truncated
                                else fitted.words_before)
    if too_long:  # scoring it would take minutes
        rec.update(status="failed", error=too_long, meta=meta)
        return rec
    rec.update(
        status="ok",
        bullets=list(fitted.bullets),
        # a system that applied the budget itself says so in meta (llm: cut_to_budget)
        truncated=fitted.truncated or (isinstance(meta, dict) and meta.get("cut_to_budget") is True),
        words_before=fitted.words_before,
        bullets_before=fitted.bullets_before,
        meta=meta,
    )
    if fitted.truncated:
        rec["raw_bullets"] = list(result.bullets)
    return rec


def score_record(target: ScoreTarget, metric_label: str, sig_hash: str, result: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "key": target.key,
        "summary_key": target.summary_key,
        "system": target.system,
        "cluster": target.cluster,
        "metric": metric_label,
        "signature": sig_hash,
        "created": now_iso(),
    }
    if isinstance(result, MetricResult):
        try:  # finite numbers and JSON details, or this item's failure
            values = metric_values(result.values)
            details = json_ready(result.details, "metric details")
        except RecordError as exc:
            rec.update(status="failed", error=str(exc))
        else:
            rec.update(status="ok", values=values)
            if details is not None:
                rec["details"] = details
    elif isinstance(result, ItemFailure):
        rec.update(status="failed", error=error_text(result.reason))
    else:
        rec.update(status="failed", error=f"metric returned {type(result).__name__}, not a result")
    return rec
