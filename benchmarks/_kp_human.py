"""Human key-point labels (REALSumm, SummHay dev sets) and the keypoints metric's agreement with them.

Shared by benchmarks/keypoints_calibrate.py and the calibration test. A set is
read from its folder (clusters.jsonl, summaries.jsonl, keypoint_labels.jsonl);
each cluster's key points become one reference (author "keypoints").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.model import Cluster, Document, Reference
from bench.plugins import ScoreItem

SETS = ("realsumm_dev50", "summhay_conv_dev")
COVERAGE = {"full": 1.0, "partial": 0.5, "not": 0.0}


@dataclass
class LabelledSet:
    name: str
    items: list[ScoreItem]
    labels: list[tuple[str, str, int, float]]  # cluster, system, key point index, human 0 / 0.5 / 1
    scores: dict[tuple[str, str, int], float] | None = None


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_set(folder: Path) -> LabelledSet:
    clusters = {c["id"]: c for c in _jsonl(folder / "clusters.jsonl")}
    items = []
    for s in _jsonl(folder / "summaries.jsonl"):
        c = clusters[s["cluster"]]
        kps = tuple(c["key_points"])
        assert all(k.strip() for k in kps), f"empty key point in {c['id']}"
        docs = tuple(Document(f"d{i}", t) for i, t in enumerate(c.get("documents") or [c.get("topic") or c["title"]]))
        items.append(ScoreItem(s["system"], Cluster(c["id"], docs, c.get("title")), tuple(s["bullets"]),
                               (Reference(c["id"], "keypoints", kps),)))
    labels = [(r["cluster"], r["system"], r["key_point"],
               float(r["present"]) if "present" in r else COVERAGE[r["coverage"]])
              for r in _jsonl(folder / "keypoint_labels.jsonl")]
    return LabelledSet(folder.name, items, labels)


def human_sets(data: Path) -> dict[str, LabelledSet]:
    return {name: load_set(data / name) for name in SETS if (data / name / "keypoint_labels.jsonl").is_file()}


def kp_scores(s: LabelledSet, model: str = "all-MiniLM-L6-v2", num_layers: int | None = None) -> LabelledSet:
    """Score every summary with the keypoints metric; keep each key point's graded score."""
    from bench.metrics.keypoints.keypoints import KeyPoints
    from bench.plugins import MetricResult

    metric = KeyPoints(model=model, num_layers=num_layers, threshold=0.5)  # scores do not depend on it
    by_cluster: dict[str, list[ScoreItem]] = {}
    for it in s.items:
        by_cluster.setdefault(it.cluster.id, []).append(it)
    scores = {}
    for batch in by_cluster.values():
        for it, res in zip(batch, metric.score(batch)):
            assert isinstance(res, MetricResult), (it.system, it.cluster.id, res)
            for j, row in enumerate(res.details["references"]["keypoints"]["keypoints"]):
                scores[(it.cluster.id, it.system, j)] = row["score"]
    s.scores = scores
    s.model = f"{metric.resolved().name} layer {metric.resolved().num_layers}"  # type: ignore[attr-defined]
    return s


def _binary(s: LabelledSet, keep: set[str] | None = None):
    rows = [(s.scores[(c, sy, j)], y) for c, sy, j, y in s.labels if y != 0.5 and (keep is None or c in keep)]
    x, y = (np.array(v) for v in zip(*rows))
    return x, y.astype(int)


def balanced_accuracy(y: np.ndarray, pred: np.ndarray) -> float:
    return float((pred[y == 1].mean() + (~pred[y == 0]).mean()) / 2)


def kappa(y: np.ndarray, pred: np.ndarray) -> float:
    p = pred.astype(int)
    po = float((p == y).mean())
    pe = float(y.mean() * p.mean() + (1 - y.mean()) * (1 - p.mean()))
    return (po - pe) / (1 - pe) if pe < 1 else 1.0


GRID = np.round(np.arange(0.30, 0.901, 0.001), 3)


def pick_threshold(sets: list[LabelledSet], keep: dict[str, set[str]] | None = None) -> float:
    """The grid threshold with the best mean balanced accuracy over the sets (lowest on ties)."""
    mean_ba = np.zeros(len(GRID))
    for s in sets:
        x, y = _binary(s, keep[s.name] if keep else None)
        pred = x[None, :] >= GRID[:, None]
        tpr = pred[:, y == 1].mean(axis=1)
        tnr = (~pred[:, y == 0]).mean(axis=1)
        mean_ba += (tpr + tnr) / 2 / len(sets)
    return float(GRID[int(np.argmax(mean_ba))])


def _correlations(s: LabelledSet, decide) -> tuple[float, float | None]:
    """Per-summary Pearson of kp_recall with the human share; system-level Kendall tau."""
    from scipy.stats import kendalltau, pearsonr

    per: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for c, sy, j, y in s.labels:
        per.setdefault((c, sy), []).append((float(decide(c, s.scores[(c, sy, j)])), y))
    m = {k: (np.mean([a for a, _ in v]), np.mean([h for _, h in v])) for k, v in per.items()}
    pearson = float(pearsonr([a for a, _ in m.values()], [h for _, h in m.values()])[0])
    systems: dict[str, list[tuple[float, float]]] = {}
    for (c, sy), v in m.items():
        systems.setdefault(sy, []).append(v)
    means = [(np.mean([a for a, _ in v]), np.mean([h for _, h in v])) for v in systems.values()]
    tau = float(kendalltau([a for a, _ in means], [h for _, h in means])[0]) if len(means) > 2 else None
    return pearson, (round(tau, 3) if tau is not None else None)


def report(scored: dict[str, LabelledSet], threshold: float, folds: int = 5, seed: int = 0) -> dict:
    out: dict = {"model": next(iter(scored.values())).model, "threshold": threshold, "sets": {}}  # type: ignore[attr-defined]
    rng = np.random.default_rng(seed)
    fold_of: dict[str, dict[str, int]] = {}
    for name, s in scored.items():
        ids = sorted({c for c, *_ in s.labels})
        rng.shuffle(ids)
        fold_of[name] = {c: i % folds for i, c in enumerate(ids)}
    fold_thresholds = []
    for f in range(folds):
        keep = {n: {c for c, k in fold_of[n].items() if k != f} for n in scored}
        fold_thresholds.append(pick_threshold(list(scored.values()), keep))
    for name, s in scored.items():
        x, y = _binary(s)
        pred = x >= threshold
        pearson, tau = _correlations(s, lambda c, v: v >= threshold)
        cv_decide = lambda c, v, n=name: v >= fold_thresholds[fold_of[n][c]]  # noqa: E731
        cv_pred = np.array([cv_decide(c, s.scores[(c, sy, j)]) for c, sy, j, yy in s.labels if yy != 0.5])
        cv_pearson, cv_tau = _correlations(s, cv_decide)
        out["sets"][name] = {
            "labels": int(len(y)), "positives": int(y.sum()),
            "summaries": len({(c, sy) for c, sy, *_ in s.labels}),
            "all": {"balanced_accuracy": balanced_accuracy(y, pred), "kappa": kappa(y, pred),
                    "summary_pearson": pearson, "system_tau": tau},
            "cv": {"balanced_accuracy": balanced_accuracy(y, cv_pred), "kappa": kappa(y, cv_pred),
                   "summary_pearson": cv_pearson, "system_tau": cv_tau, "thresholds": fold_thresholds},
        }
    return out


def sweep(scored: dict[str, LabelledSet], center: float, width: float, step: float = 0.01):
    """All-data figures of each set at thresholds around ``center``."""
    for t in np.round(np.arange(center - width, center + width + 1e-9, step), 3):
        row = {}
        for name, s in scored.items():
            x, y = _binary(s)
            pearson, tau = _correlations(s, lambda c, v: v >= t)
            row[name] = {"balanced_accuracy": balanced_accuracy(y, x >= t), "kappa": kappa(y, x >= t),
                         "summary_pearson": pearson, "system_tau": tau}
        yield float(t), row


def auc(x: np.ndarray, y: np.ndarray) -> float | None:
    from scipy.stats import rankdata

    pos, neg = int(y.sum()), int(len(y) - y.sum())
    if not pos or not neg:
        return None
    ranks = rankdata(x)
    return float((ranks[y == 1].sum() - pos * (pos + 1) / 2) / (pos * neg))


def agreement(s: LabelledSet, decided: dict) -> dict:
    """Full vs not (partial set aside), as in the keypoints calibration: BA and kappa of "covered", AUC of the score."""
    rows = [(decided.get((c, sy, j)), y) for c, sy, j, y in s.labels if y != 0.5]
    labelled = [(d, y) for d, y in rows if d is not None and d[0] is not None]
    if not labelled:
        return {"labelled": 0, "of": len(rows)}
    y = np.array([int(h) for _, h in labelled])
    pred = np.array([d[0] == "covered" for d, _ in labelled])
    score = np.array([float(d[1]) for d, _ in labelled])
    every = [(decided.get((c, sy, j)), y) for c, sy, j, y in s.labels]
    return {"labelled": round(sum(d is not None and d[0] is not None for d, _ in every) / len(every), 3),
            "balanced_accuracy": round(balanced_accuracy(y, pred), 3), "kappa": round(kappa(y, pred), 3),
            "auc": round(auc(score, y) or float("nan"), 3), "n": len(labelled)}


def keypoints_figures(s: LabelledSet) -> dict:
    from bench.metrics.keypoints.keypoints import KeyPoints
    from bench.plugins import MetricResult

    metric = KeyPoints()
    decided = {}
    by_cluster: dict[str, list] = {}
    for it in s.items:
        by_cluster.setdefault(it.cluster.id, []).append(it)
    for batch in by_cluster.values():
        for it, res in zip(batch, metric.score(batch)):
            if isinstance(res, MetricResult):
                for j, row in enumerate(res.details["references"]["keypoints"]["keypoints"]):
                    decided[(it.cluster.id, it.system, j)] = ("covered" if row["covered"] else "not", row["score"])
    return agreement(s, decided)
