"""Agreement of one metric value with one human rating dimension, at summary, sample and system level.

Inputs are clusters x systems matrices (NaN where missing) and the resample
counts of the clusters (R x C): every figure is recomputed on each resample.
"""

from __future__ import annotations

from dataclasses import dataclass

from .estimate import Estimate, estimate


@dataclass
class ValueAgreement:
    name: str
    metric: str
    key: str
    negated: bool  # lower is better (e.g. kp_redundancy): correlated as -value, so tau > 0 means agreement
    summaries: int  # summaries rated on the dimension with a metric value
    missing: int  # rated summaries without one (summary or score failed): left out, never 0
    clusters: int  # clusters with a within-cluster correlation
    clusters_skipped: int  # fewer than 2 summaries, or metric or rating constant
    summary_tau: Estimate  # Kendall tau-b within each cluster, averaged
    summary_pearson: Estimate  # sample level: Pearson's r over all summaries
    systems: int
    system_tau: Estimate
    system_pearson: Estimate
    dimension: str = "score"
    summary_rho: Estimate = Estimate(None)  # Spearman within each cluster, averaged
    sample_rho: Estimate = Estimate(None)  # Spearman over all summaries


def value_agreement(name: str, metric: str, key: str, dimension: str, M, H, counts):
    """The agreement of metric values M with ratings H, and the bootstrap draws of the summary- and
    system-level tau (for the paired tests)."""
    import numpy as np

    from ..stats.correlation import kendall_tau_b, kendall_tau_b_rows, pearson_from_sums, spearman
    from ..stats.ranks import merge_float_ties

    both = np.isfinite(M) & np.isfinite(H)
    missing = int(np.sum(np.isfinite(H) & ~np.isfinite(M)))
    Mb, Hb = np.where(both, M, np.nan), np.where(both, H, np.nan)
    taus = kendall_tau_b_rows(Mb, Hb)  # nan where a cluster has < 2 summaries or a constant side
    ok = np.isfinite(taus)
    rhos = np.array([spearman(Mb[c, both[c]], Hb[c, both[c]]) if ok[c] else np.nan for c in range(len(M))])
    summary_tau, tau_draws = _cluster_mean(taus, counts)
    summary_rho, rho_draws = _cluster_mean(rhos, counts)
    x, y, w = np.where(both, M, 0.0), np.where(both, H, 0.0), both.astype(float)
    per_cluster = np.stack([w.sum(1), x.sum(1), y.sum(1), (x * x).sum(1), (y * y).sum(1), (x * y).sum(1)], axis=1)
    pooled = pearson_from_sums(*per_cluster.sum(0))
    pooled_draws = pearson_from_sums(*(counts @ per_cluster).T)
    # system level: each system's means over the clusters where both scores exist
    with np.errstate(invalid="ignore", divide="ignore"):
        sys_m, sys_h = x.sum(0) / w.sum(0), y.sum(0) / w.sum(0)
        draw_m, draw_h = (counts @ x) / (counts @ w), (counts @ y) / (counts @ w)
    have = np.isfinite(sys_m)
    # means equal in exact arithmetic are a tie, whatever order their sums took
    system_tau = kendall_tau_b(merge_float_ties(sys_m[have]), merge_float_ties(sys_h[have]))
    system_draws = kendall_tau_b_rows(merge_float_ties(draw_m), merge_float_ties(draw_h))
    r = pearson_from_sums(have.sum(), sys_m[have].sum(), sys_h[have].sum(), (sys_m[have] ** 2).sum(),
                          (sys_h[have] ** 2).sum(), (sys_m[have] * sys_h[have]).sum())
    dm, dh = np.where(np.isfinite(draw_m), draw_m, 0.0), np.where(np.isfinite(draw_m), draw_h, 0.0)
    r_draws = pearson_from_sums(np.isfinite(draw_m).sum(1), dm.sum(1), dh.sum(1), (dm * dm).sum(1),
                                (dh * dh).sum(1), (dm * dh).sum(1))
    agreement = ValueAgreement(
        name, metric, key, False, int(both.sum()), missing, int(ok.sum()), int(np.sum(both.any(1) & ~ok)),
        summary_tau, estimate(float(pooled), pooled_draws), int(have.sum()), estimate(system_tau, system_draws),
        estimate(float(r), r_draws), dimension, summary_rho, _sample_rho(M, H, both, counts))
    return agreement, {"summary": (summary_tau.value, tau_draws), "system": (agreement.system_tau.value, system_draws)}


def _cluster_mean(per_cluster, counts):
    """The mean of the defined per-cluster figures, and its draws."""
    import numpy as np

    ok = np.isfinite(per_cluster)
    with np.errstate(invalid="ignore", divide="ignore"):
        draws = (counts @ np.where(ok, per_cluster, 0.0)) / (counts @ ok)
    return estimate(float(np.mean(per_cluster[ok])) if ok.any() else None, draws), draws


def _sample_rho(M, H, both, counts) -> Estimate:
    """Spearman over all summaries; a resample counts each summary as often as its cluster is drawn."""
    import numpy as np

    from ..stats.correlation import spearman, spearman_weighted_rows

    rows = np.nonzero(both)[0]  # the cluster of each summary with both scores
    if len(rows) < 2:
        return Estimate(None)
    return estimate(spearman(M[both], H[both]), spearman_weighted_rows(M[both], H[both], counts[:, rows]))
