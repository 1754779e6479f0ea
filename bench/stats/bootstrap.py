"""Percentile bootstrap confidence interval of a mean over clusters.

Method: plain percentile bootstrap. Draw ``resamples`` samples of the n
cluster scores with replacement from ``numpy.random.default_rng(seed)``,
take each sample's mean, and report the 2.5th and 97.5th percentiles of
those means (for 95%). No bias correction (BCa) -- simple and documented.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .defaults import CONFIDENCE, DEFAULT_RESAMPLES

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


def resample_counts(n: int, seed: int, resamples: int = DEFAULT_RESAMPLES):
    """(resamples, n) numpy array: how often each of n units (clusters) is drawn in each
    with-replacement resample of size n. A statistic that is a sum over units is then
    ``counts @ per_unit``; draws come from ``numpy.random.default_rng(seed)``."""
    import numpy as np

    if resamples < 1:
        raise ValueError("resamples must be at least 1")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(resamples, n))
    counts = np.zeros((resamples, n), dtype=np.int64)
    np.add.at(counts, (np.arange(resamples)[:, None], idx), 1)
    return counts


def percentile_interval(stats, confidence: float = CONFIDENCE) -> tuple[float, float] | None:
    """Percentile interval of bootstrap statistics (nan draws left out); None if none is finite."""
    import numpy as np

    x = np.asarray(stats, dtype=float)
    x = x[np.isfinite(x)]
    if not len(x):
        return None
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(x, [alpha, 1.0 - alpha])
    return float(low), float(high)


def paired_bootstrap_p(diffs) -> float:
    """Two-sided p-value of "difference = 0" from bootstrap differences of a paired statistic:
    2 x the smaller share of draws at or beyond 0 on either side, with the (1 + hits) /
    (1 + draws) estimate, capped at 1 (nan draws left out). A statistic compared with
    itself (every draw 0) gives 1."""
    import numpy as np

    d = np.asarray(diffs, dtype=float)
    d = d[np.isfinite(d)]
    if not len(d):
        return float("nan")
    hits = min(int(np.sum(d <= 0)), int(np.sum(d >= 0)))
    return float(min(1.0, 2.0 * (1 + hits) / (1 + len(d))))
