"""Geometry for the inline SVG charts; the template draws it (escaped)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from ..tables import format_value


@dataclass
class Dot:
    label: str
    y: float
    x: float
    x_low: float
    x_high: float
    text: str
    upper_bound: bool


@dataclass
class Chart:
    title: str
    width: int
    height: int
    left: int  # x of the plot area's left edge (labels sit left of it)
    right: int
    top: int  # y of the first row's top (the title is the figure's caption, above the drawing)
    dots: list[Dot] = field(default_factory=list)
    ticks: list[tuple[float, str]] = field(default_factory=list)


ROW = 26
TOP = 12
LEFT = 230
WIDTH = 720


def interval_chart(title: str, rows: list[tuple[str, float, float | None, float | None, bool]],
                   percent: bool) -> Chart | None:
    """rows: (label, mean, ci low, ci high, upper bound) -> dot-and-whisker chart."""
    rows = [r for r in rows if r[1] is not None]
    if not rows:
        return None
    lows = [r[2] if r[2] is not None else r[1] for r in rows]
    highs = [r[3] if r[3] is not None else r[1] for r in rows]
    lo, hi = min(lows), max(highs)
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5 * (abs(lo) or 1) * 0.1, hi + 0.5 * (abs(hi) or 1) * 0.1
    step = _nice_step((hi - lo) / 5)
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
    right = WIDTH - 20
    scale = lambda v: LEFT + (v - lo) / (hi - lo) * (right - LEFT)  # noqa: E731
    chart = Chart(title, WIDTH, TOP + ROW * len(rows) + 30, LEFT, right, TOP)
    for i, (label, mean, low, high, upper) in enumerate(rows):
        low = mean if low is None else low
        high = mean if high is None else high
        shown = format_value(mean, percent)
        chart.dots.append(Dot(_short(label), TOP + ROW * i + ROW / 2, round(scale(mean), 1), round(scale(low), 1),
                              round(scale(high), 1), shown, upper))
    shown_step = step * 100 if percent else step
    decimals = max(0, -math.floor(math.log10(shown_step) + 1e-9)) + (1 if round(shown_step / 10 ** math.floor(
        math.log10(shown_step)), 6) == 2.5 else 0)  # 0.25 needs two decimals, 0.2 one
    for k in range(int(round((hi - lo) / step)) + 1):
        v = lo + k * step  # counted from lo, never summed: no 6.939e-18 for 0
        shown = (v * 100 if percent else v) + 0.0
        chart.ticks.append((round(scale(v), 1), f"{0.0 if abs(shown) < shown_step / 1e6 else shown:.{decimals}f}"))
    return chart


def _nice_step(raw: float) -> float:
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * power:
            return m * power
    return 10 * power


def _short(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
