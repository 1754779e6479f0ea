"""Holm's step-down correction of p-values for multiple comparisons."""

from __future__ import annotations

from typing import Sequence


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm-adjusted p-values, in the input order.

    Sort ascending; the i-th smallest (0-based) is multiplied by (m - i);
    adjusted values are made monotone non-decreasing and capped at 1.
    """
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        adjusted[i] = running
    return adjusted
