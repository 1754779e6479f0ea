"""The graded score's logistic model, fitted on human factuality judgments.

Fitted by ``benchmarks/faithfulness_calibrate.py`` on FRANK's validation split
(``../shared/data/frank_dev``: 671 summaries of 149 CNN/DM and XSum articles)
and SummEval's dev half (``../shared/data/summeval_dev``: 800 summaries of 50
CNN/DM articles), each data set weighing as much as the other: the mean of the
sentences' probabilities is fitted to the human share of sentences without a
factual error (SummEval's consistency, 1-5, read as 0-1; squared error, L2
1e-3 on standardised features). The threshold is the probability that best
separates fully faithful summaries from wholly unfaithful ones, sentence by
sentence (balanced accuracy). ``copied_floor`` is the human share of faithful
sentences in summaries whose every sentence is copied (COPIED_LINE) and
unflagged: what a copied sentence scores at least.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .features import FEATURES

#: a sentence is copied when this share of its words its evidence states word for word, in order
COPIED_LINE = 0.9


@dataclass(frozen=True)
class Calibration:
    model: str  # the embedding model the features were measured with
    mean: tuple[float, ...]  # per feature, for standardising
    scale: tuple[float, ...]
    weights: tuple[float, ...]  # bias first, then one per feature
    threshold: float
    fitted_on: str
    copied_floor: float  # the score at least of a copied sentence with no flagged specific (judge.settle)

    def probability(self, x: list[float]) -> float:
        z = self.weights[0] + math.fsum(w * (v - m) / s for w, v, m, s in
                                        zip(self.weights[1:], x, self.mean, self.scale))
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def describe(self) -> dict:
        return {"features": list(FEATURES), "mean": list(self.mean), "scale": list(self.scale),
                "weights": list(self.weights), "threshold": self.threshold, "copied_line": COPIED_LINE,
                "copied_floor": self.copied_floor, "fitted_on": self.fitted_on}


#: printed by benchmarks/faithfulness_calibrate.py (all data; its CV figures are in docs/faithfulness.md)
CALIBRATED: dict[str, Calibration] = {
    "all-MiniLM-L6-v2": Calibration(
        model="all-MiniLM-L6-v2",
        mean=(0.832832, 0.880617, 0.817965, 0.0430405, 0.00377548, 0.019242),
        scale=(0.173199, 0.22623, 0.231641, 0.240417, 0.0613289, 0.0586279),
        weights=(1.8325, 0.774125, 0.518634, 0.469229, -0.430737, -0.0649559, -0.211253),
        threshold=0.652,
        fitted_on="FRANK validation split (frank_dev, 671 summaries) and SummEval dev half (summeval_dev, "
                  "800 summaries), benchmarks/faithfulness_calibrate.py",
        copied_floor=0.973,
    ),
}


def calibration_for(model_name: str) -> Calibration | None:
    return CALIBRATED.get(model_name)
