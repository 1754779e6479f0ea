"""Reading a run directory into per-(system, metric) score lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .runner.store import load_run


@dataclass
class MetricColumn:
    label: str
    status: str
    reason: str | None
    keys: list[str]
    signature_hash: str | None
    percent: bool
    lower_is_better: set[str]
    signature: dict[str, Any] | None = None
    #: every value key of this metric in the run: headline keys and those scored
    value_keys: set[str] = field(default_factory=set)


@dataclass
class SystemScores:
    label: str
    upper_bound: bool
    status: str
    reason: str | None
    clusters: dict[str, dict[str, Any]]  # latest summary record per cluster
    # metric label -> value key -> cluster id -> value
    values: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    # metric label -> cluster id -> failure reason
    score_failures: dict[str, dict[str, str]] = field(default_factory=dict)
    details: dict[str, dict[str, Any]] = field(default_factory=dict)  # metric -> cluster -> details

    def series(self, metric: str, key: str) -> list[float]:
        """Values in cluster-id order (a fixed order keeps resampling reproducible)."""
        by_cluster = self.values.get(metric, {}).get(key, {})
        return [by_cluster[c] for c in sorted(by_cluster)]

    @property
    def summary_failures(self) -> dict[str, str]:
        return {c: r.get("error", "") for c, r in self.clusters.items() if r["status"] != "ok"}


@dataclass
class RunResults:
    path: Path
    manifest: dict[str, Any]
    metrics: list[MetricColumn]
    systems: list[SystemScores]

    @property
    def expected_clusters(self) -> int:
        return int(self.manifest["suite"]["clusters"])


def value_name(metrics: list[MetricColumn], label: str, key: str) -> str:
    """``rouge1``, or ``LABEL/rouge1`` where the plain key would not name one column: the label has
    parameters (``rouge:stemmer=false/rouge1``), another metric has the same name, or another metric
    of the run has a value of that key (``keypoints/kp_recall`` beside ``kpj/kp_recall``)."""
    name = label.split(":")[0]
    same_name = [m for m in metrics if m.label.split(":")[0] == name]
    shared = any(key in m.value_keys for m in metrics if m.label != label)
    return key if len(same_name) == 1 and ":" not in label and not shared else f"{label}/{key}"


def load_results(path: str | Path) -> RunResults:
    path = Path(path)
    manifest, summaries, scores = load_run(path)
    metrics = []
    for label, m in manifest.get("metrics", {}).items():
        metrics.append(
            MetricColumn(
                label=label,
                status=m.get("status", "ok"),
                reason=m.get("reason"),
                keys=list(m.get("headline", [])),
                signature_hash=m.get("signature_hash"),
                percent=bool(m.get("percent", False)),
                lower_is_better=set(m.get("lower_is_better", [])),
                signature=m.get("signature"),
            )
        )
    # records are matched by what they are, not by the label they were written under: a system by its
    # identity, a score by its summary and metric signature (the label may have been given since: as=NAME)
    labels_by_sig: dict[str, list[str]] = {}
    for m in metrics:
        if m.signature_hash:
            labels_by_sig.setdefault(m.signature_hash, []).append(m.label)
    systems = []
    for label, s in manifest.get("systems", {}).items():
        ident = s.get("identity")
        latest: dict[str, dict] = {}
        for rec in summaries.values():  # in append order: the last one wins
            if rec.get("identity") == ident and (ident is not None or rec["system"] == label):
                latest[rec["cluster"]] = rec
        ss = SystemScores(label, bool(s.get("upper_bound")), s.get("status", "ok"), s.get("reason"), latest)
        current = {c: r["key"] for c, r in latest.items()}
        for rec in scores.values():
            if current.get(rec["cluster"]) != rec["summary_key"]:
                continue  # another system's, or a score of an older summary
            for metric in labels_by_sig.get(rec["signature"], ()):
                if rec["status"] == "ok":
                    for key, value in rec["values"].items():
                        ss.values.setdefault(metric, {}).setdefault(key, {})[rec["cluster"]] = value
                    ss.score_failures.get(metric, {}).pop(rec["cluster"], None)
                    if rec.get("details") is not None:
                        ss.details.setdefault(metric, {})[rec["cluster"]] = rec["details"]
                else:
                    ss.score_failures.setdefault(metric, {})[rec["cluster"]] = rec.get("error", "")
                    for per_key in ss.values.get(metric, {}).values():
                        per_key.pop(rec["cluster"], None)
        systems.append(ss)
    for m in metrics:
        m.value_keys = set(m.keys) | {k for s in systems for k in s.values.get(m.label, {})}
    return RunResults(path, manifest, metrics, systems)


def nothing_produced(results: RunResults, systems: list[str], metrics: list[str]) -> list[str]:
    """Why each of the given systems/metrics produced nothing at all in this run (empty when all did)."""
    from collections import Counter

    def top(reasons: list[str]) -> str:
        if not reasons:
            return "no result recorded"
        reason, count = Counter(" ".join(r.split()) or "no reason recorded" for r in reasons).most_common(1)[0]
        return f"{count}× {reason[:160]}"

    out = []
    by_label = {s.label: s for s in results.systems}
    for label in systems:
        s = by_label.get(label)
        if s is None:
            continue
        if s.status == "skipped":
            out.append(f"system {label} was skipped: {s.reason}")
        elif not any(r.get("status") == "ok" for r in s.clusters.values()):
            out.append(f"system {label} produced no summary ({top(list(s.summary_failures.values()))})")
    summarized = [s for s in results.systems if s.label in systems and any(
        r.get("status") == "ok" for r in s.clusters.values())]
    for m in results.metrics:
        if m.label not in metrics:
            continue
        if m.status != "ok":
            out.append(f"metric {m.label} unavailable: {m.reason}")
        elif summarized and not any(s.values.get(m.label) for s in summarized):
            failures = [r for s in summarized for r in s.score_failures.get(m.label, {}).values()]
            out.append(f"metric {m.label} scored nothing ({top(failures)})")
    return out
