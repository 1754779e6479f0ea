"""View model of one run for the HTML report: leaderboard, charts, matrices."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..budget import describe_budget
from ..compare import CompareError
from ..results import RunResults
from ..tables import column_decimals, format_value
from .charts import Chart, interval_chart


@dataclass
class Cell:
    mean: str
    ci: str
    group: str = ""
    n: int = 0
    n_note: str = ""  # "n=12 of 50" when some clusters are missing


@dataclass
class LeaderRow:
    system: str
    upper_bound: bool
    note: str
    cells: list[Cell]


@dataclass
class MatrixCell:
    text: str
    css: str  # better | worse | same | self | none
    title: str


@dataclass
class Matrix:
    title: str
    systems: list[str]
    rows: list[list[MatrixCell]]


@dataclass
class RunView:
    anchor: str
    name: str
    path: str
    suite: str
    clusters: int
    budget: str
    seed: int
    resamples: int
    alpha: float
    status: str
    created: str
    suite_message: str
    metrics: list[str] = field(default_factory=list)
    leaderboard: list[LeaderRow] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    matrices: list[Matrix] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[dict[str, str]] = field(default_factory=list)
    drill: Any = None  # drilldown.Drilldown
    list_pages: list[str] = field(default_factory=list)  # pages listing all clusters (in the pages folder)
    problems_page: str = ""  # the page listing every failure and truncation
    matrices_page: str = ""  # set when the matrices are too large for the index page
    usage: list[Any] = field(default_factory=list)  # bench.usage.Usage of each LLM system and judge
    usage_notes: list[str] = field(default_factory=list)  # bench.usage.notes: what a reader of them must know


def build_run_view(index: int, results: RunResults, seed: int | None, resamples: int, alpha: float) -> RunView:
    from ..tables import build_rows
    from ..usage import llm_usage, notes

    m = results.manifest
    seed = int(m.get("seed", 0)) if seed is None else seed
    budget = describe_budget(m.get("budget", {}), "none")
    view = RunView(f"run{index}", results.path.name, str(results.path), m["suite"]["name"], m["suite"]["clusters"],
                   budget, seed, resamples, alpha, m.get("status", "?"), m.get("created", ""), "")
    rows = build_rows(results, seed=seed, resamples=resamples)
    view.usage = llm_usage(m)
    view.usage_notes = notes(view.usage)
    metric_names = list(dict.fromkeys(r.metric for r in rows))
    view.metrics = metric_names
    decimals = {name: column_decimals([v for r in rows if r.metric == name for v in (r.mean, r.ci_low, r.ci_high)],
                                      any(r.percent for r in rows if r.metric == name)) for name in metric_names}
    groups = _groups(results, seed, resamples, alpha, view)
    for system in _leaderboard_order(rows, metric_names[0] if metric_names else "", results):
        mine = {r.metric: r for r in rows if r.system == system}
        cells, notes = [], []
        for name in metric_names:
            r = mine.get(name)
            if r is None:
                cells.append(Cell("—", ""))
                continue
            d = decimals[name]  # as the terminal table: one count of decimals per column
            ci = f"[{format_value(r.ci_low, r.percent, d)}, {format_value(r.ci_high, r.percent, d)}]" if r.ci_low is not None else ""
            n_note = f"n={r.n} of {results.expected_clusters}" if r.n < results.expected_clusters else ""
            cells.append(Cell(format_value(r.mean, r.percent, d), ci, groups.get(name, {}).get(system, ""), r.n, n_note))
            for why in (r.note, r.absent):  # failures; clusters scored without this value, and why
                if why and why not in notes:
                    notes.append(why)
        upper = any(r.upper_bound for r in mine.values())
        view.leaderboard.append(LeaderRow(system, upper, "; ".join(notes), cells))
    for name in metric_names:
        chosen = [r for r in rows if r.metric == name]
        chart = interval_chart(name, [(r.system, r.mean, r.ci_low, r.ci_high, r.upper_bound) for r in chosen],
                               chosen[0].percent)
        if chart:
            view.charts.append(chart)
    return view


def _leaderboard_order(rows, first_metric: str, results: RunResults) -> list[str]:
    """Best first on the first metric value; upper bounds and unscored systems last."""
    lower = {f"{m.label}/{k}" for m in results.metrics for k in m.lower_is_better} | {
        k for m in results.metrics for k in m.lower_is_better}
    sign = 1.0 if first_metric in lower else -1.0
    first = {r.system: r for r in rows if r.metric == first_metric}
    systems = list(dict.fromkeys(r.system for r in rows))

    def key(system: str):
        r = first.get(system)
        scored = r is not None and r.mean is not None
        return (bool(r and r.upper_bound), not scored, sign * r.mean if scored else 0.0)

    return sorted(systems, key=key)


@dataclass
class CrossView:
    """The same systems across several runs of one suite."""

    runs: list[str]
    metrics: list[str] = field(default_factory=list)
    leaderboard: list[LeaderRow] = field(default_factory=list)
    matrices: list[Matrix] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    matrices_page: str = ""


def build_cross_view(runs: list[RunResults], seed: int | None, resamples: int, alpha: float) -> CrossView:
    from ..compare.build import compare_results

    view = CrossView([str(r.path) for r in runs])
    try:
        comp = compare_results(runs, seed=seed, resamples=resamples, alpha=alpha)
    except CompareError as exc:
        view.notes.append(f"runs not compared: {exc}")
        return view
    view.notes.extend([f"warning: {w}" for w in comp.warnings] + comp.notes + ([comp.too_few] if comp.too_few else []))
    _matrices(comp, view)
    view.metrics = [mc.name for mc in comp.metrics]
    by_metric = {mc.name: {s.entry.name: (s, mc.percent) for s in mc.entries} for mc in comp.metrics}
    for s in comp.metrics[0].entries:
        cells = []
        for name in view.metrics:
            st, percent = by_metric[name].get(s.entry.name, (None, False))
            if st is None:
                cells.append(Cell("—", ""))
                continue
            ci = f"[{format_value(st.interval.low, percent)}, {format_value(st.interval.high, percent)}]" if st.interval else ""
            cells.append(Cell(format_value(st.mean, percent), ci, st.group, st.n))
        view.leaderboard.append(LeaderRow(s.entry.name, s.entry.upper_bound, "", cells))
    return view


def _groups(results: RunResults, seed: int, resamples: int, alpha: float, view: RunView) -> dict[str, dict[str, str]]:
    """Letter groups per metric value; the pairwise matrices go into ``view``."""
    from ..compare.build import compare_results

    try:
        comp = compare_results([results], seed=seed, resamples=resamples, alpha=alpha)
    except CompareError as exc:
        view.notes.append(f"no significance tests: {exc}")
        return {}
    view.notes.extend(comp.notes + ([comp.too_few] if comp.too_few else []))
    _matrices(comp, view)
    return {mc.name: {s.entry.name: s.group for s in mc.entries} for mc in comp.metrics}


def _matrices(comp, view) -> None:
    for mc in comp.metrics:
        ranked = [s.entry.name for s in mc.entries if s.rank is not None]
        pairs = {(p.a, p.b): p for p in mc.pairs}
        decimals = column_decimals([abs(p.result.diff) for p in mc.pairs], mc.percent)  # one format a matrix
        matrix_rows = []
        for a in ranked:
            cells = []
            for b in ranked:
                if a == b:
                    cells.append(MatrixCell("", "self", a))
                    continue
                p = pairs.get((a, b)) or pairs.get((b, a))
                if p is None:
                    cells.append(MatrixCell("n/a", "none", f"{a} vs {b}: no shared clusters"))
                    continue
                flip = p.a != a  # the stored pair is (better, worse); show from the row's side
                diff = -p.result.diff if flip else p.result.diff
                wins, losses = (p.result.losses, p.result.wins) if flip else (p.result.wins, p.result.losses)
                css = "same" if not p.significant else ("worse" if flip else "better")
                text = f"{'+' if diff >= 0 else '−'}{format_value(abs(diff), mc.percent, decimals)}"
                title = (f"{a} vs {b}: Δ {text} over the {p.result.n} cluster{'' if p.result.n == 1 else 's'} both "
                         f"were scored on, p (Holm) {p.p_holm:.3g}, wins/ties/losses {wins}/{p.result.ties}/{losses}")
                cells.append(MatrixCell(text, css, title))
            matrix_rows.append(cells)
        if len(ranked) >= 2:
            view.matrices.append(Matrix(mc.name, ranked, matrix_rows))
