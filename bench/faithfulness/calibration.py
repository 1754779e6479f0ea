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
        mean=(0.712399, 0.79179, 0.711896, 0.116498, 0.00808081, 0.0273781),
        scale=(0.20038, 0.28232, 0.280882, 0.37859, 0.0895294, 0.0711518),
        weights=(0.566884, 0.453121, 0.900307, 0.57943, -0.30493, -0.0323923, -0.401812),
        threshold=0.534,
        fitted_on="FRANK validation split (frank_dev, 671 summaries), benchmarks/faithfulness_calibrate.py",
    ),
}


def calibration_for(model_name: str) -> Calibration | None:
    return CALIBRATED.get(model_name)
