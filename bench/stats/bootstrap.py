"""Percentile bootstrap confidence interval of a mean over clusters.

Method: plain percentile bootstrap. Draw ``resamples`` samples of the n
cluster scores with replacement from ``numpy.random.default_rng(seed)``,
take each sample's mean, and report the 2.5th and 97.5th percentiles of
those means (for 95%). No bias correction (BCa) -- simple and documented.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from . import CONFIDENCE, DEFAULT_RESAMPLES

METHOD = "percentile bootstrap over clusters"


@dataclass(frozen=True)
class Interval:
    mean: float
    low: float
    high: float
    n: int


def bootstrap_means(values: Sequence[float], seed: int, resamples: int = DEFAULT_RESAMPLES):
    """``resamples`` means of resampled-with-replacement ``values`` (numpy array)."""
    import numpy as np

    x = np.asarray(values, dtype=float)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(x), size=(resamples, len(x)))
    return x[idx].mean(axis=1)


def mean_ci(
    values: Sequence[float], seed: int, resamples: int = DEFAULT_RESAMPLES, confidence: float = CONFIDENCE
) -> Interval | None:
    """Mean and percentile-bootstrap interval; None for fewer than 2 values."""
    import numpy as np

    if len(values) < 2:
        return None
    if resamples < 1:
        raise ValueError("resamples must be at least 1")
    means = bootstrap_means(values, seed, resamples)
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [alpha, 1.0 - alpha])
    return Interval(float(np.mean(values)), float(low), float(high), len(values))
