"""How far the people's own ranking of the systems holds: split-half reliability.

The clusters are cut at random into two halves of equal size (an odd one out
is left out of that halving); Kendall tau-b is taken between the systems' mean
ratings on one half and on the other. The figure is the mean over many seeded
halvings, with the range of the middle 95% of them. A low one says the
ranking people give moves with the clusters drawn: a metric's system tau is
then weak evidence either way, and a metric cannot be expected to follow the
people's ranking much more closely than the people follow themselves (a
whole set has twice a half's clusters, so its own reliability is higher).
"""

from __future__ import annotations

from dataclasses import dataclass

from .estimate import Estimate

HALVINGS = 1000
#: the fewest clusters and systems for a halving to say anything
MIN_CLUSTERS, MIN_SYSTEMS = 4, 3


@dataclass
class HumanReliability:
    dimension: str
    clusters: int  # clusters with a rating
    systems: int  # systems with a rating
    halvings: int
    split_half_tau: Estimate  # mean tau over the halvings; low/high: the middle 95% of the halvings


def split_half(dimension: str, H, seed: int, halvings: int = HALVINGS) -> HumanReliability | None:
    """The split-half tau of the ratings H (clusters x systems, NaN where not rated); None when there are
    too few clusters or systems, or no halving gives a defined tau."""
    import numpy as np

    from ..stats.correlation import kendall_tau_b_rows
    from ..stats.ranks import merge_float_ties

    rated = np.isfinite(H)
    H = H[rated.any(1)][:, rated.any(0)]
    rated = np.isfinite(H)
    n_clusters, n_systems = H.shape
    if n_clusters < MIN_CLUSTERS or n_systems < MIN_SYSTEMS:
        return None
    half = n_clusters // 2
    order = np.argsort(np.random.default_rng([seed, 2]).random((halvings, n_clusters)), axis=1)
    first, second = (np.zeros((halvings, n_clusters)) for _ in range(2))
    rows = np.arange(halvings)[:, None]
    first[rows, order[:, :half]] = 1.0
    second[rows, order[:, half:2 * half]] = 1.0
    y, w = np.where(rated, H, 0.0), rated.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):  # a system unrated in a half: left out of it
        a, b = (first @ y) / (first @ w), (second @ y) / (second @ w)
    taus = kendall_tau_b_rows(merge_float_ties(a), merge_float_ties(b))
    taus = taus[np.isfinite(taus)]
    if not len(taus):
        return None
    low, high = np.percentile(taus, [2.5, 97.5])
    return HumanReliability(dimension, n_clusters, n_systems, halvings,
                            Estimate(float(taus.mean()), float(low), float(high)))
