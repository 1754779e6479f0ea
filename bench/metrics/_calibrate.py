"""Calibrate and check the keypoints "covered" threshold against hand labels.

Each labelled candidate bullet is scored alone against each reference: the
metric's answer is the most similar key point when its similarity reaches the
threshold, else none. Rule (no search over thresholds, so little room to
over-fit): threshold = midpoint between the mean similarity of labelled
(candidate, key point) pairs and the mean best similarity of candidates
labelled "none" for that reference.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FIXTURE = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "keypoints_labels.json"


@dataclass(frozen=True)
class Decision:
    candidate: str
    kind: str
    reference: str
    label: int | None  # key point index, or None
    best: int  # most similar key point
    best_sim: float
    label_sim: float | None  # similarity to the labelled key point


def decisions(metric: Any, fixture: Path = FIXTURE) -> list[Decision]:
    """One decision per (candidate, reference), using ``metric.similarities``."""
    from bench.suites import load_suite

    data = json.loads(fixture.read_text(encoding="utf-8"))
    suite = load_suite(data["suite"])
    refs = {r.author: [b.strip() for b in r.bullets if b.strip()] for r in suite.references_for(data["cluster"])}
    texts = [c["text"] for c in data["candidates"]]
    out = []
    for author, keypoints in refs.items():
        sim = metric.similarities(texts, keypoints)
        for c, row in zip(data["candidates"], sim):
            label = c["covers"][author]
            best = int(row.argmax())
            out.append(Decision(c["id"], c["kind"], author, label, best, float(row[best]),
                                float(row[label]) if label is not None else None))
    return out


def midpoint(ds: list[Decision]) -> float:
    pos = [d.label_sim for d in ds if d.label is not None]
    neg = [d.best_sim for d in ds if d.label is None]
    return (sum(pos) / len(pos) + sum(neg) / len(neg)) / 2


def predict(d: Decision, threshold: float) -> int | None:
    return d.best if d.best_sim >= threshold else None


def agreement(ds: list[Decision], threshold: float) -> float:
    return sum(predict(d, threshold) == d.label for d in ds) / len(ds)


def leave_one_out(ds: list[Decision]) -> float:
    """Each candidate judged with a threshold calibrated on the other candidates."""
    hits = 0
    for cand in sorted({d.candidate for d in ds}):
        rest = [d for d in ds if d.candidate != cand]
        t = midpoint(rest)
        hits += sum(predict(d, t) == d.label for d in ds if d.candidate == cand)
    return hits / len(ds)


def report(ds: list[Decision], threshold: float) -> dict[str, Any]:
    kinds: dict[str, list[Decision]] = {}
    for d in ds:
        kinds.setdefault(d.kind, []).append(d)
    tp = sum(1 for d in ds if d.label is not None and predict(d, threshold) is not None)
    fp = sum(1 for d in ds if d.label is None and predict(d, threshold) is not None)
    fn = sum(1 for d in ds if d.label is not None and predict(d, threshold) is None)
    return {
        "decisions": len(ds),
        "threshold": threshold,
        "midpoint_threshold": midpoint(ds),
        "agreement": agreement(ds, threshold),
        "leave_one_out_agreement": leave_one_out(ds),
        "by_kind": {k: agreement(v, threshold) for k, v in sorted(kinds.items())},
        "covered_vs_not": {"tp": tp, "fp": fp, "fn": fn, "tn": len(ds) - tp - fp - fn},
        "wrong_keypoint": sum(
            1 for d in ds if d.label is not None and predict(d, threshold) not in (None, d.label)
        ),
        "disagreements": [
            f"{d.candidate}/{d.reference}: label {d.label}, metric {predict(d, threshold)} (sim {d.best_sim:.3f})"
            for d in ds
            if predict(d, threshold) != d.label
        ],
    }
