"""Average ranks (ties share the mean of their ranks), 1-based."""

from __future__ import annotations


def average_ranks(values):
    import numpy as np

    x = np.asarray(values, dtype=float)
    order = np.argsort(x, kind="mergesort")
    sorted_x = x[order]
    ranks = np.empty(len(x), dtype=float)
    start = 0
    for end in range(1, len(x) + 1):
        if end == len(x) or sorted_x[end] != sorted_x[start]:
            ranks[order[start:end]] = (start + end + 1) / 2.0
            start = end
    return ranks


def weighted_average_ranks(values, weights):
    """Average ranks of ``values`` (n) in each of the samples ``weights`` (R, n) describes, where item i
    appears ``weights[r, i]`` times (a resample with repeats): (R, n), 1-based, ties sharing their mean
    rank. With all weights 1 this is ``average_ranks``."""
    import numpy as np

    x, w = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    order = np.argsort(x, kind="mergesort")
    sorted_x = x[order]
    new_group = np.r_[True, sorted_x[1:] != sorted_x[:-1]]
    total = np.add.reduceat(w[:, order], np.flatnonzero(new_group), axis=1)  # weight of each group of ties
    group_rank = np.cumsum(total, axis=1) - total + (total + 1) / 2.0
    ranks = np.empty_like(w)
    ranks[:, order] = group_rank[:, np.cumsum(new_group) - 1]
    return ranks


def merge_float_ties(values, rel: float = 1e-12):
    """``values`` (..., n) with each run of values equal up to float rounding (neighbours within ``rel`` of
    their magnitude) set to the run's smallest: means that are equal in exact arithmetic (2/3 summed in a
    different order) rank as the tie they are. NaN stays NaN."""
    import numpy as np

    x = np.asarray(values, dtype=float)
    order = np.argsort(x, axis=-1, kind="mergesort")
    s = np.take_along_axis(x, order, axis=-1)
    with np.errstate(invalid="ignore"):
        near = np.abs(np.diff(s, axis=-1)) <= rel * np.maximum(np.abs(s[..., 1:]), np.abs(s[..., :-1]))
    start = np.concatenate([np.ones(s.shape[:-1] + (1,), dtype=bool), ~near], axis=-1)
    first = np.maximum.accumulate(np.where(start, np.arange(s.shape[-1]), 0), axis=-1)
    out = np.empty_like(x)
    np.put_along_axis(out, order, np.take_along_axis(s, first, axis=-1), axis=-1)
    return out
