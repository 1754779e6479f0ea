"""Key-point coverage: summary bullets aligned one-to-one to reference bullets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Sequence

from bench.errors import MetricUnavailable
from bench.plugins import ItemFailure, Metric, MetricResult, ScoreItem, metric

from ._embed import engine, resolve_device
from ._model_metric import ModelBacked
from ._models import MINILM, MINILM_LAYER, MINILM_SHA256, ResolvedModel

# "covered" thresholds on raw BERTScore F1, per (model weights sha256, layer).
# Calibrated on tests/fixtures/keypoints_labels.json by the midpoint rule
# (benchmarks/keypoints_agreement.py prints it; a test checks it still holds).
CALIBRATED: dict[tuple[str, int], float] = {(MINILM_SHA256, MINILM_LAYER): 0.599}

SIMILARITY = "raw BERTScore F1 between one summary bullet and one reference bullet (no idf, no rescaling)"
ALIGNMENT = "Hungarian assignment (scipy linear_sum_assignment, maximise similarity); a pair counts when >= threshold"


@metric("keypoints")
@dataclass
class KeyPoints(ModelBacked, Metric):
    """Key-point recall/precision/F1 and redundancy from a one-to-one bullet alignment (BERTScore F1)."""

    model: str = MINILM  # the threshold is calibrated for this model; others need threshold=
    num_layers: int | None = None
    threshold: float | None = None  # default: the calibrated value for the model
    multi_ref: Literal["mean", "max"] = "mean"  # mean over references, or the reference with best F1
    batch_size: int = 64
    device: str = "auto"

    headline = ("kp_recall", "kp_precision", "kp_f1")
    lower_is_better = frozenset({"kp_redundancy"})
    percent = True
    packages = ("bert-score", "torch", "transformers", "scipy")

    needs = ("bert_score", "torch", "scipy.optimize")
    install_hint = "pip install bert-score torch scipy"

    def check_model(self, model: ResolvedModel) -> None:
        if self.threshold is None and _key(model) not in CALIBRATED:
            raise MetricUnavailable(
                f"no calibrated threshold for {model.name} layer {model.num_layers}; pass threshold=X"
            )

    def cutoff(self) -> float:
        self.resolved()
        return self.threshold if self.threshold is not None else CALIBRATED[_key(self.resolved())]

    def signature(self) -> dict:
        sig = super().signature()
        try:
            sig["model"] = self.resolved().describe()
            sig["threshold"] = self.cutoff()
        except MetricUnavailable as exc:
            sig["model"] = {"unavailable": exc.message}
            return sig
        sig["threshold_source"] = "given" if self.threshold is not None else "calibrated (midpoint rule)"
        sig["similarity"] = SIMILARITY
        sig["alignment"] = ALIGNMENT
        sig["multi_reference"] = self.multi_ref
        sig["truncation"] = "bullets over the model limit are truncated (bert-score); bullets are short"
        return sig

    def similarities(self, bullets: Sequence[str], keypoints: Sequence[str]):
        """(len(bullets), len(keypoints)) numpy matrix of BERTScore F1."""
        eng = engine(self.resolved(), resolve_device(self.device))
        cands = [b for b in bullets for _ in keypoints]
        refs = [k for _ in bullets for k in keypoints]
        f1 = eng.pair_scores(cands, refs, eng.idf_dict(None), self.batch_size)[:, 2]
        return f1.numpy().reshape(len(bullets), len(keypoints))

    def score(self, items: Sequence[ScoreItem]) -> list[MetricResult | ItemFailure]:
        self.resolved()
        # embed every distinct bullet of the batch once, in a few large batches
        eng = engine(self.resolved(), resolve_device(self.device))
        eng.embed([b for it in items for b in _clean(it.bullets)]
                  + [b for it in items for r in it.references for b in _clean(r.bullets)], self.batch_size)
        return [self._score_one(item) for item in items]

    def _score_one(self, item: ScoreItem) -> MetricResult | ItemFailure:
        bullets = _clean(item.bullets)
        if not item.references:
            return ItemFailure("no reference for this cluster")
        if not bullets:
            return ItemFailure("empty summary")
        per_ref = []
        for ref in item.references:
            keypoints = _clean(ref.bullets)
            sim = self.similarities(bullets, keypoints)
            per_ref.append((ref.author, align(sim, self.cutoff())))
        if self.multi_ref == "max":
            chosen = [max(per_ref, key=lambda ar: ar[1]["values"]["kp_f1"])]
        else:
            chosen = per_ref
        keys = chosen[0][1]["values"].keys()
        values = {k: sum(r["values"][k] for _, r in chosen) / len(chosen) for k in keys}
        details: dict[str, Any] = {
            "threshold": self.cutoff(),
            "references": {author: r["details"] for author, r in per_ref},
        }
        if self.multi_ref == "max":
            details["best_reference"] = chosen[0][0]
        return MetricResult(values, details)


def align(sim, threshold: float) -> dict[str, Any]:
    """Hungarian alignment of summary bullets (rows) to key points (columns)."""
    from scipy.optimize import linear_sum_assignment

    n_sum, n_kp = sim.shape
    rows, cols = linear_sum_assignment(sim, maximize=True)
    pairs = [(int(i), int(j), float(sim[i, j])) for i, j in zip(rows, cols)]
    covered = {j: i for i, j, s in pairs if s >= threshold}
    matched_bullets = set(covered.values())
    redundant = []
    for i in range(n_sum):
        if i in matched_bullets or not covered:
            continue
        j = max(covered, key=lambda k: sim[i, k])
        if sim[i, j] >= threshold:  # repeats a key point another bullet already covers
            redundant.append({"bullet": i, "keypoint": int(j), "similarity": float(sim[i, j])})
    recall = len(covered) / n_kp
    precision = len(matched_bullets) / n_sum
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    values = {
        "kp_recall": recall,
        "kp_precision": precision,
        "kp_f1": f1,
        "kp_redundancy": len(redundant) / n_sum,
    }
    details = {
        "alignment": [
            {"bullet": i, "keypoint": j, "similarity": s, "covered": s >= threshold} for i, j, s in pairs
        ],
        "uncovered_keypoints": [j for j in range(n_kp) if j not in covered],
        "redundant": redundant,
    }
    return {"values": values, "details": details}


def _key(model: ResolvedModel) -> tuple[str, int]:
    return (model.weights_sha256, model.num_layers)


def _clean(bullets: Sequence[str]) -> list[str]:
    return [b.strip() for b in bullets if b.strip()]
