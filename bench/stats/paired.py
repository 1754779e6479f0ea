"""Paired comparison of two systems over the clusters both were scored on.

Test: two-sided paired sign-flip permutation (randomization) test of the
mean per-cluster difference. Under the null hypothesis "A and B are
exchangeable on each cluster" each difference's sign is equally likely, so
the p-value is the share of sign assignments whose |mean| is at least the
observed |mean|. Exact (all 2^n assignments) for n <= EXACT_MAX, otherwise
``resamples`` random assignments from ``default_rng(seed)`` with the usual
(1 + hits) / (1 + resamples) estimate. Also reports a percentile bootstrap
interval of the mean difference and per-cluster wins/ties/losses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .defaults import CONFIDENCE, DEFAULT_RESAMPLES

EXACT_MAX = 16
TIE_TOLERANCE = 1e-9
METHOD = "paired sign-flip permutation test (exact for n <= 16), two-sided"


@dataclass(frozen=True)
class PairedResult:
    n: int
    mean_a: float
    mean_b: float
    diff: float  # mean of (a - b); positive: A scored higher
    diff_low: float | None
    diff_high: float | None
    p_value: float
    wins: int  # clusters where A is better (direction-aware)
    ties: int
    losses: int


def paired_test(
    a: Mapping[str, float],
    b: Mapping[str, float],
    seed: int,
    resamples: int = DEFAULT_RESAMPLES,
    lower_is_better: bool = False,
    confidence: float = CONFIDENCE,
) -> PairedResult | None:
    """Compare A and B on their shared cluster ids; None when none are shared."""
    import numpy as np

    from .bootstrap import mean_ci

    shared = sorted(set(a) & set(b))
    if not shared:
        return None
    xa = np.array([a[c] for c in shared], dtype=float)
    xb = np.array([b[c] for c in shared], dtype=float)
    d = xa - xb
    signed = -d if lower_is_better else d
    wins = int(np.sum(signed > TIE_TOLERANCE))
    losses = int(np.sum(signed < -TIE_TOLERANCE))
    ci = mean_ci(d, seed, resamples, confidence)
    return PairedResult(
        n=len(shared),
        mean_a=float(xa.mean()),
        mean_b=float(xb.mean()),
        diff=float(d.mean()),
        diff_low=ci.low if ci else None,
        diff_high=ci.high if ci else None,
        p_value=sign_flip_p(d, seed, resamples),
        wins=wins,
        ties=len(shared) - wins - losses,
        losses=losses,
    )


def sign_flip_p(diffs, seed: int, resamples: int = DEFAULT_RESAMPLES) -> float:
    """Two-sided p-value of mean(diffs) == 0 by flipping signs."""
    import numpy as np

    d = np.asarray(diffs, dtype=float)
    n = len(d)
    observed = abs(d.mean())
    # differences at floating-point noise level count as equal
    slack = TIE_TOLERANCE * max(1.0, float(np.abs(d).max(initial=0.0)))
    if n <= EXACT_MAX:
        codes = np.arange(2**n, dtype=np.int64)[:, None]
        signs = 1 - 2 * ((codes >> np.arange(n)) & 1)
        stats = np.abs(signs @ d) / n
        return float(np.mean(stats >= observed - slack))
    rng = np.random.default_rng(seed)
    signs = rng.choice(np.array([-1.0, 1.0]), size=(resamples, n))
    stats = np.abs(signs @ d) / n
    hits = int(np.sum(stats >= observed - slack))
    return (1 + hits) / (1 + resamples)
