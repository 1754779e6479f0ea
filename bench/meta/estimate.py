"""A figure with its bootstrap interval (shared by every level of ``sumbench meta``)."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Estimate:
    value: float | None
    low: float | None = None
    high: float | None = None


def estimate(value, draws=None) -> Estimate:
    """``value`` (None when undefined) with the percentile interval of its ``draws``."""
    from ..stats.bootstrap import percentile_interval

    value = None if value is None or not math.isfinite(value) else float(value)
    if value is None or draws is None:
        return Estimate(value)
    ci = percentile_interval(draws)
    return Estimate(value, *(ci or (None, None)))
