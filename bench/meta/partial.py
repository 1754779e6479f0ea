"""FRANK's summary-level protocol: correlation with each system's mean removed, and ROC AUC of perfect summaries.

Partial Pearson controlling for the system (Pagnoni et al., NAACL 2021): from
metric and human score, each system's mean (over the summaries where both
exist) is subtracted, then Pearson is taken over all summaries. A metric must
tell a good summary from a bad one *of the same system*, not only which system
is better. The interval resamples clusters like every other figure: each draw
recomputes the system means from its own clusters.

ROC AUC: how well the metric value separates summaries the humans scored 1
(fully faithful, every key point ...) from the rest; none when one side is empty.
"""

from __future__ import annotations

from dataclasses import dataclass

from .estimate import Estimate

PROTOCOL = "partial Pearson: each system's mean removed from metric and human score (Pagnoni et al. 2021)"


@dataclass
class PartialAgreement:
    name: str  # metric value
    subset: str  # "all" or a subset of the judgments (cnndm, xsum ...)
    summaries: int
    partial_pearson: Estimate
    auc_perfect: float | None  # ROC AUC of human score == 1 vs the rest
    perfect: int  # summaries with human score 1
    dimension: str = "score"


def partial_pearson(M, H, counts):
    """(value, draws) for clusters x systems matrices (NaN where missing) and resample counts (R x C)."""
    import numpy as np

    both = np.isfinite(M) & np.isfinite(H)
    w = both.astype(float)
    x, y = np.where(both, M, 0.0), np.where(both, H, 0.0)

    def stat(cw):  # cw: (..., C) cluster weights -> partial r
        n = cw @ w
        sx, sy = cw @ x, cw @ y
        sxx, syy, sxy = cw @ (x * x), cw @ (y * y), cw @ (x * y)
        with np.errstate(invalid="ignore", divide="ignore"):
            safe = np.where(n > 0, n, 1.0)
            cxy = np.where(n > 0, sxy - sx * sy / safe, 0.0).sum(-1)
            cxx = np.where(n > 0, sxx - sx * sx / safe, 0.0).sum(-1)
            cyy = np.where(n > 0, syy - sy * sy / safe, 0.0).sum(-1)
            return cxy / np.sqrt(cxx * cyy)

    value = float(stat(np.ones(M.shape[0])))
    return value, stat(counts)


def perfect_auc(M, H) -> tuple[float | None, int]:
    import math

    import numpy as np

    from ..stats.agreement import roc_auc

    both = np.isfinite(M) & np.isfinite(H)
    scores, human = M[both], H[both]
    perfect = int(np.sum(human == 1.0))
    auc = roc_auc(scores.tolist(), (human == 1.0).tolist()) if len(scores) else float("nan")
    return (None if not math.isfinite(auc) else auc), perfect
