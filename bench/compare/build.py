"""Build a comparison: per metric value, every entry's interval and every
pair's paired test, Holm-corrected across the pairs of that metric value."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from ..budget import describe_budget
from ..errors import CompareError
from ..results import RunResults, SystemScores, load_results, value_name
from ..stats import DEFAULT_RESAMPLES
from ..stats.bootstrap import METHOD as CI_METHOD
from ..stats.bootstrap import Interval, mean_ci
from ..stats.groups import letters, rank_ranges
from ..stats.holm import holm
from ..stats.paired import METHOD as TEST_METHOD
from ..stats.paired import PairedResult, paired_test
from .checks import check_same_signature, check_same_suite


@dataclass
class Entry:
    """One system in one run."""

    name: str  # display name: label, or "label @ run" across runs
    system: str
    run: str
    upper_bound: bool
    scores: SystemScores


@dataclass
class EntryStats:
    entry: Entry
    interval: Interval | None
    mean: float | None
    n: int
    rank: tuple[int, int] | None = None  # None: upper bound or no scores
    group: str = ""


@dataclass
class Pair:
    a: str
    b: str
    result: PairedResult
    p_holm: float = 1.0
    significant: bool = False


@dataclass
class MetricComparison:
    name: str  # e.g. rouge1 or bertscore/f1
    metric: str
    key: str
    lower_is_better: bool
    percent: bool
    entries: list[EntryStats]  # ranked entries best first, then unranked
    pairs: list[Pair] = field(default_factory=list)


@dataclass
class Comparison:
    runs: list[str]
    suite: str
    seed: int
    resamples: int
    alpha: float
    metrics: list[MetricComparison]
    notes: list[str]
    ci_method: str = CI_METHOD
    test_method: str = TEST_METHOD
    correction: str = "Holm, across the pairs of each metric value"
    #: set when no pair can be significant with this few clusters (say why; text output leaves the pairs out)
    too_few: str = ""
    #: what makes the comparison itself doubtful (runs under different budgets): shown first
    warnings: list[str] = field(default_factory=list)


def compare_runs(paths: Sequence[Path], systems: Sequence[str] = (), metrics: Sequence[str] = (),
                 seed: int | None = None, resamples: int = DEFAULT_RESAMPLES, alpha: float = 0.05) -> Comparison:
    if not paths:
        raise CompareError("give at least one run directory")
    return compare_results([load_results(p) for p in paths], systems, metrics, seed, resamples, alpha)


def compare_results(runs: Sequence[RunResults], systems: Sequence[str] = (), metrics: Sequence[str] = (),
                    seed: int | None = None, resamples: int = DEFAULT_RESAMPLES, alpha: float = 0.05) -> Comparison:
    """As compare_runs, on runs already loaded."""
    if not runs:
        raise CompareError("give at least one run directory")
    runs = list(runs)
    paths = [r.path for r in runs]
    names = _run_names(runs)
    notes: list[str] = []
    warnings: list[str] = []
    for other, name in zip(runs[1:], names[1:]):
        check_same_suite(runs[0].manifest, other.manifest, names[0], name)
    budgets = {describe_budget(r.manifest.get("budget", {})) for r in runs}
    if len(budgets) > 1:
        warnings.append("the runs were made under different budgets ("
                        + ", ".join(f"{describe_budget(r.manifest.get('budget', {}))}: {r.path}" for r in runs)
                        + "): a longer summary covers more, so a difference between them is partly the budget's, "
                          "not the system's; compare systems under one budget")
    entries = _entries(runs, names, systems)
    seed = int(runs[0].manifest.get("seed", 0)) if seed is None else seed
    columns = _metric_columns(runs, names, metrics, notes)
    out = []
    for metric, key, lower, percent, display in columns:
        out.append(_compare_metric(entries, metric, key, lower, percent, display, seed, resamples, alpha))
    comp = Comparison([str(p) for p in paths], runs[0].manifest["suite"]["name"], seed, resamples, alpha, out, notes,
                      warnings=warnings)
    comp.too_few = too_few_clusters(out, alpha)
    return comp


def too_few_clusters(metrics: Sequence[MetricComparison], alpha: float) -> str:
    """Why no pair can be significant, when the clusters are too few for the exact test to get under alpha.

    With n paired clusters the sign-flip test's smallest two-sided p is 2 / 2^n
    (every difference the same sign), and Holm multiplies the smallest p by the
    number of pairs.
    """
    pairs = [p for m in metrics for p in m.pairs]
    if not pairs:
        return ""
    n = max(p.result.n for p in pairs)
    if n > 60:  # 2 / 2^n is far below any alpha
        return ""
    per_metric = max(len(m.pairs) for m in metrics)
    smallest = min(1.0, 2.0 / 2 ** n) * per_metric
    if smallest < alpha:
        return ""
    needed = next(k for k in range(1, 64) if 2.0 / 2 ** k * per_metric < alpha)
    clusters = f"{n} cluster{'' if n == 1 else 's'}"
    low = min(1.0, 2.0 / 2 ** n)
    holm_part = f" ({min(1.0, smallest):.3g} after Holm over {per_metric} pairs)" if per_metric > 1 and low < 1 else ""
    return (f"with {clusters}, no paired test can give a p below {low:.3g}{holm_part}, and alpha is {alpha}: "
            f"this comparison can neither show a difference between systems nor rule one out; "
            f"at least {needed} clusters are needed for a difference to be detectable")


def _run_names(runs: Sequence[RunResults]) -> list[str]:
    """What tells the runs apart in a system's name (``lead @ 300 words``): their budgets where those
    differ, else their folders' names (``run1``, ``run2`` ... where those are the same)."""
    budgets = [describe_budget(r.manifest.get("budget", {})) for r in runs]
    if len(set(budgets)) == len(runs):
        return budgets
    names = [Path(r.path).name or str(r.path) for r in runs]
    if len(set(names)) < len(names):
        names = [f"run{i + 1}" for i in range(len(runs))]
    return names


def _entries(runs: list[RunResults], names: list[str], wanted: Sequence[str]) -> list[Entry]:
    out = []
    for run, run_name in zip(runs, names):
        available = {s.label: s for s in run.systems}
        labels = list(wanted) or list(available)
        if len(runs) > 1 and not wanted:  # across runs: the systems every run has
            labels = [lab for lab in labels if all(lab in {s.label for s in r.systems} for r in runs)]
        for label in labels:
            if label not in available:
                raise CompareError(f"no system {label!r} in {run_name}; it has: {', '.join(available) or '(none)'}")
            s = available[label]
            name = label if len(runs) == 1 else f"{label} @ {run_name}"
            out.append(Entry(name, label, run_name, s.upper_bound, s))
    if not out:
        raise CompareError("no system to compare (the runs share no system; name them with --system)")
    if len(out) < 2:
        raise CompareError(f"only one system ({out[0].name}); compare needs two, or the same system in two runs")
    return out


def _metric_columns(runs: list[RunResults], names: list[str], wanted: Sequence[str], notes: list[str]):
    """(metric label, value key, lower_is_better, percent, display name) to compare."""
    base = runs[0]
    cols = []
    for m in base.metrics:
        if m.status != "ok":
            notes.append(f"metric {m.label} unavailable: {m.reason}")
            continue
        others = []
        for run, name in zip(runs[1:], names[1:]):
            om = next((x for x in run.metrics if x.label == m.label), None)
            if om is None or om.status != "ok":
                notes.append(f"metric {m.label} is not in {name}; left out")
                break
            others.append(om)
        else:
            for om in others:
                check_same_signature(m.label, m.signature, om.signature, m.signature_hash, om.signature_hash)
            keys = sorted({k for s in base.systems for k in s.values.get(m.label, {})}) if wanted else m.keys
            for key in keys:
                display = value_name(base.metrics, m.label, key)
                cols.append((m.label, key, key in m.lower_is_better, m.percent, display))
    if wanted:
        chosen = [c for c in cols if any(w in (c[1], c[0], c[4], f"{c[0]}/{c[1]}") for w in wanted)]
        missing = [w for w in wanted if not any(w in (c[1], c[0], c[4], f"{c[0]}/{c[1]}") for c in cols)]
        if missing:
            known = ", ".join(sorted({c[4] for c in cols})) or "(none)"
            raise CompareError(f"no metric value {missing[0]!r} to compare; available: {known}")
        cols = chosen
    if not cols:
        raise CompareError("no metric scored in every run")
    return cols


def _compare_metric(entries: list[Entry], metric: str, key: str, lower: bool, percent: bool, display: str,
                    seed: int, resamples: int, alpha: float) -> MetricComparison:
    stats = []
    for e in entries:
        vals = e.scores.series(metric, key)
        mean = sum(vals) / len(vals) if vals else None
        stats.append(EntryStats(e, mean_ci(vals, seed, resamples), mean, len(vals)))
    sign = 1.0 if lower else -1.0
    ranked = sorted((s for s in stats if not s.entry.upper_bound and s.n), key=lambda s: sign * s.mean)
    unranked = [s for s in stats if s not in ranked]
    pairs = []
    for i, sa in enumerate(ranked):
        for sb in ranked[i + 1:]:
            res = paired_test(_values(sa, metric, key), _values(sb, metric, key), seed, resamples, lower)
            if res is not None:
                pairs.append(Pair(sa.entry.name, sb.entry.name, res))
    for pair, p in zip(pairs, holm([p.result.p_value for p in pairs])):
        pair.p_holm = p
        pair.significant = p < alpha
    sig = {(p.a, p.b) for p in pairs if p.significant}
    differs = lambda i, j: (ranked[i].entry.name, ranked[j].entry.name) in sig  # noqa: E731
    for s, rank, group in zip(ranked, rank_ranges(len(ranked), differs), letters(len(ranked), differs)):
        s.rank, s.group = rank, group
    return MetricComparison(display, metric, key, lower, percent, ranked + unranked, pairs)


def _values(s: EntryStats, metric: str, key: str) -> dict[str, float]:
    return s.entry.scores.values.get(metric, {}).get(key, {})
