"""Key-point coverage: each reference key point judged against the summary (token embeddings).

How a key point is scored, covered and supported: ``coverage``. The
"covered" threshold is calibrated per model on human coverage labels
(``calibration``; ``benchmarks/keypoints_calibrate.py`` prints it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Sequence

from bench.errors import MetricUnavailable
from bench.plugins import ItemFailure, Metric, MetricResult, ScoreItem, metric

from ..shared.embed import engine, resolve_device
from ..shared.model_metric import ModelBacked
from ..shared.models import MINILM, ResolvedModel
from ..shared.sentences import clean, plain, sentences
from ..shared.vectors import token_vectors
from .calibration import CALIBRATED, calibration_for
from .judge import combine

SIMILARITY = ("mean of (a) key-point-oriented token recall: each key point token's best cosine match in the best "
              "one or two summary sentences (bullets split by pysbd, each sentence embedded alone), weighted by "
              "content (stop words 0) x (1 - its best match among the reference's other key points), and (b) "
              "content-word recall: a word whose Porter stem occurs in the summary counts 1, another its best "
              "cosine match")
SUPPORT = ("a bullet supports a covered key point when one of its sentences states it alone or its sentences in the "
           "best pair supply >= 25% of the key point's token weight")
VALUE_KEYS = ("kp_recall", "kp_score", "kp_precision", "kp_f1", "kp_redundancy")



@metric("keypoints")
@dataclass
class KeyPoints(ModelBacked, Metric):
    """Key-point recall/precision/F1: each reference key point judged against the summary (threshold calibrated on human labels)."""

    model: str = MINILM  # the threshold is calibrated per model; others need threshold=
    num_layers: int | None = None
    threshold: float | None = None  # default: the value calibrated for the model on human labels
    multi_ref: Literal["mean", "max"] = "mean"  # mean over references, or the reference with best kp_f1
    batch_size: int = 64
    device: str = "auto"
    refs: str = ""  # only references by these authors, joined by + (default: every reference)
    faithful: bool = True  # also kp_recall_faithful: a key point counts only when a faithful bullet states it

    headline = ("kp_recall", "kp_recall_faithful", "kp_precision", "kp_f1")
    lower_is_better = frozenset({"kp_redundancy"})
    percent = True
    packages = ("bert-score", "torch", "transformers")

    needs = ("bert_score", "torch")
    install_hint = "pip install bert-score torch"

    def check_model(self, model: ResolvedModel) -> None:
        if self.threshold is None and calibration_for(model) is None:
            raise MetricUnavailable(
                f"no calibrated threshold for {model.name} layer {model.num_layers}; pass threshold=X "
                "(benchmarks/keypoints_calibrate.py calibrates one on human labels)"
            )

    def cutoff(self) -> float:
        model = self.resolved()
        return self.threshold if self.threshold is not None else calibration_for(model)["threshold"]

    def signature(self) -> dict:
        sig = super().signature()
        model = self.sign_model(sig)
        if model is None:
            return sig
        sig["threshold"] = self.cutoff()
        cal = calibration_for(model)
        sig["threshold_source"] = "given" if self.threshold is not None else cal["method"]
        sig["similarity"] = SIMILARITY
        sig["support"] = SUPPORT
        sig["multi_reference"] = self.multi_ref
        sig["truncation"] = "texts over the model limit are truncated (bert-score); bullets are short"
        if self.faithful:
            from .faithful import faithful_signature

            sig["faithful"] = faithful_signature(self._faithfulness())
        return sig

    def _faithfulness(self):
        """The faithfulness judge behind kp_recall_faithful (its own calibrated model)."""
        if getattr(self, "_faith", None) is None:
            from .faithful import faithfulness_judge

            self._faith = faithfulness_judge(device=self.device, batch_size=self.batch_size)
        return self._faith

    def score(self, items: Sequence[ScoreItem]) -> list[MetricResult | ItemFailure]:
        eng = engine(self.resolved(), resolve_device(self.device))
        refused = [self._refusal(item) for item in items]  # before any embedding
        kept = [it for it, why in zip(items, refused) if why is None]
        texts = {s for it in kept for b in clean(it.bullets) for s in sentences(b)}
        texts |= {plain(b) for it in kept for r in it.references for b in clean(r.bullets)}
        eng.embed(sorted(t for t in texts if t), self.batch_size)  # each distinct text once, in large batches
        out = [why or self._score_one(eng, item) for item, why in zip(items, refused)]
        if self.faithful:
            self._add_faithful(items, out)
        return out

    def _add_faithful(self, items: Sequence[ScoreItem], out: list) -> None:
        """kp_recall_faithful and per key point ``faithful``, from the faithfulness judge's verdicts."""
        from .faithful import add_faithful

        add_faithful(self._faithfulness(), items, out, clean, lambda details: combine_values(
            details["references"], self.multi_ref, ("kp_recall_faithful",))[0]["kp_recall_faithful"])


    def _refusal(self, item: ScoreItem) -> ItemFailure | None:
        """Why the item cannot be scored, or None."""
        bullets = clean(item.bullets)
        if not item.references:
            return ItemFailure("no reference for this cluster")
        if not bullets:
            return ItemFailure("empty summary")
        for ref in item.references:
            if not clean(ref.bullets):
                return ItemFailure(f"reference {ref.author!r} has no key points")
        why = self.foreign_text(" ".join(bullets), [" ".join(r.bullets) for r in item.references])
        return ItemFailure(why) if why is not None else None

    def _score_one(self, eng, item: ScoreItem) -> MetricResult:
        from .coverage import coverage

        bullets = clean(item.bullets)
        units = [(i, s) for i, b in enumerate(bullets) for s in sentences(b)]
        summary = [token_vectors(eng, s) for _, s in units]
        owner = [i for i, _ in units]
        per_ref: dict[str, dict[str, Any]] = {}
        for ref in item.references:
            keypoints = clean(ref.bullets)
            result = coverage([token_vectors(eng, plain(k)) for k in keypoints], summary, self.cutoff(), owner)
            for row, text in zip(result["keypoints"], keypoints):
                row["text"] = text
            per_ref[ref.author] = result
        values, best = combine_values(per_ref, self.multi_ref)
        details: dict[str, Any] = {"threshold": self.cutoff(), "references": per_ref}
        if best is not None:
            details["best_reference"] = best
        return MetricResult(values, details)


def combine_values(per_ref: dict[str, dict[str, Any]], multi_ref: str,
                   keys: Sequence[str] = VALUE_KEYS) -> tuple[dict[str, float], str | None]:
    if multi_ref == "max":
        values, best = combine(per_ref, "max")
        return {k: per_ref[best]["values"][k] for k in keys} if keys is not VALUE_KEYS else values, best
    return {k: sum(r["values"][k] for r in per_ref.values()) / len(per_ref) for k in keys}, None


__all__ = ["KeyPoints", "CALIBRATED"]
