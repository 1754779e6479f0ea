"""Correlation coefficients: Kendall's tau-b and Pearson's r.

Plain O(n^2) / O(n) numpy code that equals ``scipy.stats.kendalltau``
(variant "b", the default) and ``scipy.stats.pearsonr`` on the statistic
(no p-values: intervals come from resampling). Undefined cases (fewer than
two items, a constant series) give ``nan``, as scipy does.
"""

from __future__ import annotations

from typing import Sequence


def kendall_tau_b(x: Sequence[float], y: Sequence[float]) -> float:
    """Kendall's tau-b: (concordant - discordant) / sqrt((n0 - ties_x) (n0 - ties_y)); a nan
    anywhere gives nan (scipy's default)."""
    import numpy as np

    a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if a.shape != b.shape:
        raise ValueError("x and y must have the same length")
    if np.isnan(a).any() or np.isnan(b).any():
        return float("nan")
    return float(kendall_tau_b_rows(a[None, :], b[None, :])[0])


def kendall_tau_b_rows(x, y):
    """tau-b of each row pair of two (resamples, n) arrays; a nan entry leaves that item out
    of its row; nan where undefined."""
    import numpy as np

    a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = a.shape[1]
    if n < 2:
        return np.full(a.shape[0], np.nan)
    i, j = np.triu_indices(n, k=1)
    with np.errstate(invalid="ignore"):
        sx, sy = np.sign(a[:, i] - a[:, j]), np.sign(b[:, i] - b[:, j])
    valid = np.isfinite(sx) & np.isfinite(sy)
    n0 = valid.sum(axis=1)
    denom = (n0 - np.sum((sx == 0) & valid, axis=1)) * (n0 - np.sum((sy == 0) & valid, axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.sum(np.where(valid, sx * sy, 0.0), axis=1) / np.sqrt(denom)
    return np.where(denom > 0, out, np.nan)


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    """Pearson's r; nan for fewer than two items or a constant series."""
    import numpy as np

    a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if a.shape != b.shape:
        raise ValueError("x and y must have the same length")
    if len(a) < 2:
        return float("nan")
    da, db = a - a.mean(), b - b.mean()
    denom = np.sqrt(np.sum(da * da) * np.sum(db * db))
    if denom == 0:
        return float("nan")
    return float(np.clip(np.sum(da * db) / denom, -1.0, 1.0))


def pearson_from_sums(n, sx, sy, sxx, syy, sxy):
    """Pearson's r from sufficient statistics (arrays allowed; nan where undefined)."""
    import numpy as np

    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sxy - sx * sy / n
        vx, vy = sxx - sx * sx / n, syy - sy * sy / n
        r = cov / np.sqrt(vx * vy)
        ok = (n >= 2) & (vx > 1e-12 * np.maximum(1.0, sxx)) & (vy > 1e-12 * np.maximum(1.0, syy))
    return np.where(ok, np.clip(r, -1.0, 1.0), np.nan)


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rho (Pearson's r of average ranks, as ``scipy.stats.spearmanr``); nan where undefined."""
    from .ranks import average_ranks

    if len(x) != len(y):
        raise ValueError("x and y must have the same length")
    return pearson(average_ranks(x), average_ranks(y))


def spearman_weighted_rows(x, y, weights):
    """Spearman's rho of x and y (n) in each sample ``weights`` (R, n) describes (item i counted
    ``weights[r, i]`` times, as in a resample with repeats): (R,), nan where undefined."""
    import numpy as np

    from .ranks import weighted_average_ranks

    w = np.asarray(weights, dtype=float)
    rx, ry = weighted_average_ranks(x, w), weighted_average_ranks(y, w)
    return pearson_from_sums(w.sum(1), (w * rx).sum(1), (w * ry).sum(1), (w * rx * rx).sum(1),
                             (w * ry * ry).sum(1), (w * rx * ry).sum(1))
