"""Paired tests of two metric values' tau on the same rating dimension, over the same cluster draws."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from ..errors import MetaError
from .values import ValueAgreement

LEVELS = ("summary", "system")


@dataclass
class Difference:
    level: str  # summary | system
    a: str
    b: str
    tau_a: float | None
    tau_b: float | None
    diff: float | None
    low: float | None
    high: float | None
    p_value: float | None
    p_holm: float | None = None
    dimension: str = "score"


def differences(values: list[ValueAgreement], draws: dict, compare: Sequence[tuple[str, str]],
                dimension: str) -> list[Difference]:
    """The --compare pairs (else every value against the best at each level) on one dimension; ``values`` and
    ``draws`` (name -> level -> (tau, draws)) are that dimension's. Holm-corrected within each level."""
    from ..stats.holm import holm

    names = [v.name for v in values]
    compare = [(resolve(a, values), resolve(b, values)) for a, b in compare]
    out = []
    for level in LEVELS:
        if compare:
            pairs = list(compare)
        else:  # every metric value against the best one at this level
            scored = [n for n in names if draws[n][level][0] is not None]
            if not scored:
                continue
            # a value constant within most clusters (tau undefined there) is never the default best
            varied = {v.name for v in values if level == "system" or v.clusters >= v.clusters_skipped}
            best = max([n for n in scored if n in varied] or scored, key=lambda n: draws[n][level][0])
            pairs = [(best, n) for n in scored if n != best]
        level_diffs = [_difference(level, a, b, draws, dimension) for a, b in pairs]
        for d, p in zip(level_diffs, holm([d.p_value if d.p_value is not None else 1.0 for d in level_diffs])):
            d.p_holm = p if d.p_value is not None else None
        out.extend(level_diffs)
    return out


def resolve(wanted: str, values: list[ValueAgreement]) -> str:
    """A metric value by its display name, its key (kp_recall) or metric/key, when that is unique."""
    found = [v.name for v in values if wanted in (v.name, v.key, f"{v.metric}/{v.key}")]
    if len(found) == 1:
        return found[0]
    if found:
        raise MetaError(f"--compare: {wanted!r} is ambiguous ({', '.join(found)}); give the full name")
    raise MetaError(f"--compare: no metric value {wanted!r}; available: {', '.join(v.name for v in values)}")


def _difference(level: str, a: str, b: str, draws: dict, dimension: str) -> Difference:
    from ..stats.bootstrap import paired_bootstrap_p, percentile_interval

    (ta, da), (tb, db) = draws[a][level], draws[b][level]
    if ta is None or tb is None:
        return Difference(level, a, b, ta, tb, None, None, None, None, dimension=dimension)
    d = da - db
    ci = percentile_interval(d)
    p = paired_bootstrap_p(d)
    return Difference(level, a, b, ta, tb, ta - tb, *(ci or (None, None)), None if math.isnan(p) else p,
                      dimension=dimension)
