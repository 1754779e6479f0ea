"""Agreement of a binary decision with binary human labels.

Counts are a confusion matrix (tp, fp, fn, tn) with "positive" = covered /
present. The figures equal scikit-learn's ``accuracy_score``,
``balanced_accuracy_score``, ``cohen_kappa_score``, ``precision_score`` and
``recall_score`` on the same labels; ``roc_auc`` equals ``roc_auc_score``.
Undefined figures (no positive label, chance agreement 1 ...) are ``nan``.
Every function also takes numpy arrays of counts (one row per resample).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class Confusion:
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @classmethod
    def of(cls, predicted: Sequence[bool], actual: Sequence[bool]) -> "Confusion":
        if len(predicted) != len(actual):
            raise ValueError("predicted and actual must have the same length")
        pairs = list(zip(map(bool, predicted), map(bool, actual)))
        return cls(pairs.count((True, True)), pairs.count((True, False)), pairs.count((False, True)),
                   pairs.count((False, False)))


def _div(a, b):
    import numpy as np

    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(b > 0, a / np.where(b > 0, b, 1.0), np.nan)
    return out if out.ndim else float(out)


def accuracy(tp, fp, fn, tn):
    return _div(tp + tn, tp + fp + fn + tn)


def precision(tp, fp, fn, tn):
    return _div(tp, tp + fp)


def recall(tp, fp, fn, tn):
    return _div(tp, tp + fn)


def balanced_accuracy(tp, fp, fn, tn):
    """Mean of the recall of each class present in the human labels (as scikit-learn)."""
    import warnings

    import numpy as np

    both = np.stack([np.atleast_1d(_div(tp, tp + fn)), np.atleast_1d(_div(tn, tn + fp))])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # mean of an all-nan column is nan
        out = np.nanmean(both, axis=0)
    return out if np.ndim(tp) else float(out[0])


def cohen_kappa(tp, fp, fn, tn):
    """(observed - chance agreement) / (1 - chance agreement)."""
    import numpy as np

    tp, fp, fn, tn = (np.asarray(v, dtype=float) for v in (tp, fp, fn, tn))
    n = tp + fp + fn + tn
    with np.errstate(invalid="ignore", divide="ignore"):
        po = (tp + tn) / n
        pe = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / (n * n)
        k = (po - pe) / (1.0 - pe)
    out = np.where((n > 0) & (pe < 1.0 - 1e-12), k, np.nan)
    return out if out.ndim else float(out)


def roc_auc(scores: Sequence[float], actual: Sequence[bool]) -> float:
    """Area under the ROC curve of ``scores`` for the positive labels (ties count half)."""
    import numpy as np

    s = np.asarray(scores, dtype=float)
    y = np.asarray(actual, dtype=bool)
    pos, neg = s[y], s[~y]
    if not len(pos) or not len(neg):
        return float("nan")
    from .ranks import average_ranks

    ranks = average_ranks(s)
    return float((ranks[y].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))
