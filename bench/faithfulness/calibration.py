"""The graded score's logistic model, fitted on human factuality judgments.

Fitted by ``benchmarks/faithfulness_calibrate.py`` on FRANK's validation split
(``../shared/data/frank_dev``: 671 summaries of 149 CNN/DM and XSum articles):
the mean of the sentences' probabilities is fitted to the human share of
sentences without a factual error (squared error, L2 1e-3 on standardised
features). The threshold is the probability that best separates fully
faithful one-sentence summaries from the rest (balanced accuracy).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .features import FEATURES


@dataclass(frozen=True)
class Calibration:
    model: str  # the embedding model the features were measured with
    mean: tuple[float, ...]  # per feature, for standardising
    scale: tuple[float, ...]
    weights: tuple[float, ...]  # bias first, then one per feature
    threshold: float
    fitted_on: str

    def probability(self, x: list[float]) -> float:
        z = self.weights[0] + math.fsum(w * (v - m) / s for w, v, m, s in
                                        zip(self.weights[1:], x, self.mean, self.scale))
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def describe(self) -> dict:
        return {"features": list(FEATURES), "mean": list(self.mean), "scale": list(self.scale),
                "weights": list(self.weights), "threshold": self.threshold, "fitted_on": self.fitted_on}


#: printed by benchmarks/faithfulness_calibrate.py (all data; its CV figures are in docs/metrics.md)
CALIBRATED: dict[str, Calibration] = {
    "all-MiniLM-L6-v2": Calibration(
        model="all-MiniLM-L6-v2",
        mean=(0.712368, 0.794802, 0.711859, 0.0929293, 0.00673401, 0.0270913),
        scale=(0.200407, 0.283205, 0.280944, 0.339514, 0.0817842, 0.0709611),
        weights=(0.500086, 0.465877, 0.878071, 0.516797, -0.552577, -0.149999, -0.424471),
        threshold=0.550,
        fitted_on="FRANK validation split (frank_dev, 671 summaries), benchmarks/faithfulness_calibrate.py",
    ),
}


def calibration_for(model_name: str) -> Calibration | None:
    return CALIBRATED.get(model_name)
