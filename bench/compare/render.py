"""Render a Comparison as terminal text (rich), Markdown, CSV, LaTeX or JSON."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict

from .build import Comparison, EntryStats, MetricComparison, Pair
from .formats import CompareFormat
from ..tables import format_value


def render_comparison(comp: Comparison, fmt: CompareFormat) -> str:
    return {
        CompareFormat.text: _text,
        CompareFormat.markdown: _markdown,
        CompareFormat.csv: _csv,
        CompareFormat.latex: _latex,
        CompareFormat.json: _json,
    }[fmt](comp)


def method_line(comp: Comparison) -> str:
    return (f"95% CI: {comp.ci_method}; test: {comp.test_method}; p corrected: {comp.correction}; "
            f"alpha {comp.alpha}; {comp.resamples} resamples; seed {comp.seed}")


def pval(p: float) -> str:
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _rank(s: EntryStats) -> str:
    if s.entry.upper_bound:
        return "upper bound"
    if s.rank is None:
        return "no scores"
    lo, hi = s.rank
    return str(lo) if lo == hi else f"{lo}–{hi}"


def _ci(s: EntryStats, percent: bool) -> str:
    if s.interval is None:
        return ""
    return f"[{format_value(s.interval.low, percent)}, {format_value(s.interval.high, percent)}]"


def _diff_ci(p: Pair, percent: bool) -> str:
    r = p.result
    if r.diff_low is None:
        return ""
    return f"[{format_value(r.diff_low, percent)}, {format_value(r.diff_high, percent)}]"


def _ranking_rows(m: MetricComparison) -> list[list[str]]:
    return [[_rank(s), s.group, s.entry.name, format_value(s.mean, m.percent), _ci(s, m.percent), str(s.n)] for s in m.entries]


def _pair_rows(m: MetricComparison) -> list[list[str]]:
    rows = []
    for p in m.pairs:
        r = p.result
        rows.append([p.a, p.b, str(r.n), format_value(r.diff, m.percent), _diff_ci(p, m.percent), pval(r.p_value),
                     pval(p.p_holm), f"{r.wins}/{r.ties}/{r.losses}", "yes" if p.significant else "no"])
    return rows


RANK_HEAD = ["rank", "group", "system", "mean", "95% CI", "n"]
PAIR_HEAD = ["A", "B", "n", "Δ mean (A−B)", "95% CI of Δ", "p", "p (Holm)", "A wins/ties/losses", "significant"]


def _title(m: MetricComparison) -> str:
    unit = " (×100)" if m.percent else ""
    return f"{m.name}{unit} — {'lower' if m.lower_is_better else 'higher'} is better"


#: beyond this many pairs (12 systems) the text output shows ranks and groups, not every pair
MAX_TEXT_PAIRS = 66
COMPACT_PAIR_HEAD = ["A", "B", "Δ (A−B)", "95% CI of Δ", "p (Holm)", "W/T/L", "sig."]
COMPACT_HINT = ("(narrow terminal: n, the uncorrected p and the full headings are left out of the pairwise tables;"
                " `--format csv` has them all)")


def _compact(row: list[str]) -> list[str]:
    """A pair row without n and the uncorrected p (PAIR_HEAD -> COMPACT_PAIR_HEAD)."""
    return [row[0], row[1], row[3], row[4], row[6], row[7], row[8]]


def _text(comp: Comparison, width: int | None = None) -> str:
    """Terminal text in ``width`` columns (default: the terminal's): headings and notes wrap at words."""
    from rich.console import Console

    from ..terminal import fill
    from ..terminal import width as terminal_width

    width = width or terminal_width()
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    plain = {"markup": False, "highlight": False}
    console.print(fill(f"{comp.suite}: {', '.join(comp.runs)}", width, "  ").rstrip("\n"), soft_wrap=True, **plain)
    for warning in comp.warnings:  # before anything it puts in doubt
        console.print(fill(f"warning: {warning}", width, "  ").rstrip("\n"), soft_wrap=True, **plain)
    if comp.too_few:  # ranks, groups and tests would all say "no difference": say it once
        runs = " ".join(comp.runs)
        # already wrapped (a command in backticks kept whole): soft_wrap stops rich from wrapping it again
        console.print(fill(f"note: {comp.too_few}.", width).rstrip("\n"), soft_wrap=True, **plain)
        console.print(fill(f"The systems' means: `sumbench table {runs}`; every pairwise test: `--format csv`.",
                           width).rstrip("\n"), soft_wrap=True, **plain)
        return console.export_text()
    many = max((len(m.pairs) for m in comp.metrics), default=0) > MAX_TEXT_PAIRS
    compact = not many and any(m.pairs for m in comp.metrics) and _natural(
        [_table("", PAIR_HEAD, _pair_rows(m)) for m in comp.metrics if m.pairs]) > width
    for m in comp.metrics:
        console.print(_fitted(_title(m), RANK_HEAD, _ranking_rows(m), width, right={"mean", "n"}))
        if m.pairs and not many:
            rows = _pair_rows(m)
            head, rows = (COMPACT_PAIR_HEAD, [_compact(r) for r in rows]) if compact else (PAIR_HEAD, rows)
            title = f"{m.name}: pairwise"
            if compact and _natural([_table(title, head, rows)]) > width:  # long names: A over B, one column
                head, rows = [PAIR_COLUMN, *head[2:]], [[f"{r[0]}\nvs {r[1]}", *r[2:]] for r in rows]
            console.print(_fitted(title, head, rows, width))
    for note in comp.notes:
        console.print(f"note: {note}", **plain)
    if many:
        pairs = max(len(m.pairs) for m in comp.metrics)
        console.print(fill(f"({pairs} pairs per metric value: the groups above summarise them; every pairwise test:"
                           " `--format csv`, or name a few systems with `--system`)", width).rstrip("\n"),
                      soft_wrap=True, **plain)
    if compact:
        console.print(fill(COMPACT_HINT, width).rstrip("\n"), soft_wrap=True, **plain)
    console.print(method_line(comp) + ". Systems sharing a group letter are not significantly different.", **plain)
    return console.export_text()


def _fitted(title: str, head: list[str], rows: list[list[str]], width: int, right: set[str] = frozenset()):
    """The table with long system names broken at ``:,=-`` so that it fits ``width`` (never mid-word when it can)."""
    from ..terminal import fit_names

    rows = fit_names(head, rows, NAME_COLUMNS, width, lambda h, r: _table(title, h, r, right))
    return _table(title, head, rows, right)


PAIR_COLUMN = "A vs B"
NAME_COLUMNS = frozenset({"A", "B", "system", PAIR_COLUMN})


def _table(title: str, head: list[str], rows: list[list[str]], right: set[str] = frozenset()):
    from rich import box
    from rich.table import Table

    t = Table(title=title or None, box=box.SIMPLE_HEAD, pad_edge=False)
    for h in head:
        # names fold (never cut with '…'); numbers and intervals stay on one line
        name = h in NAME_COLUMNS
        t.add_column(h, justify="right" if h in right else "left", overflow="fold", no_wrap=not name)
    for row in rows:
        t.add_row(*row)
    return t


def _natural(tables: list) -> int:
    """Columns the widest of ``tables`` needs unwrapped."""
    from ..terminal import natural_width

    return max((natural_width(t) for t in tables), default=0)


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    esc = lambda c: c.replace("|", "\\|")  # noqa: E731
    return ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|",
            *("| " + " | ".join(esc(c) for c in r) + " |" for r in rows)]


def _markdown(comp: Comparison) -> str:
    lines = [f"**{comp.suite}**: {', '.join(comp.runs)}", "", *(f"**warning**: {w}\n" for w in comp.warnings)]
    for m in comp.metrics:
        lines += [f"### {_title(m)}", "", *_md_table(RANK_HEAD, _ranking_rows(m)), ""]
        if m.pairs and not comp.too_few:
            lines += [*_md_table(PAIR_HEAD, _pair_rows(m)), ""]
    lines += [f"- note: {n}" for n in ([f"{comp.too_few} (pairwise tests: `--format csv`)"] if comp.too_few else [])
              + comp.notes]
    lines.append(f"_{method_line(comp)}. Systems sharing a group letter are not significantly different._")
    return "\n".join(lines) + "\n"


CSV_FIELDS = ["kind", "metric", "system_a", "system_b", "n", "mean_a", "mean_b", "ci_low", "ci_high", "diff",
              "diff_low", "diff_high", "p", "p_holm", "significant", "wins", "ties", "losses", "rank_best",
              "rank_worst", "group", "upper_bound"]


def _csv(comp: Comparison) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
    w.writeheader()
    for m in comp.metrics:
        for s in m.entries:
            w.writerow({"kind": "system", "metric": m.name, "system_a": s.entry.name, "n": s.n, "mean_a": s.mean,
                        "ci_low": s.interval.low if s.interval else None,
                        "ci_high": s.interval.high if s.interval else None,
                        "rank_best": s.rank[0] if s.rank else None, "rank_worst": s.rank[1] if s.rank else None,
                        "group": s.group, "upper_bound": s.entry.upper_bound})
        for p in m.pairs:
            r = p.result
            w.writerow({"kind": "pair", "metric": m.name, "system_a": p.a, "system_b": p.b, "n": r.n,
                        "mean_a": r.mean_a, "mean_b": r.mean_b, "diff": r.diff, "diff_low": r.diff_low,
                        "diff_high": r.diff_high, "p": r.p_value, "p_holm": p.p_holm, "significant": p.significant,
                        "wins": r.wins, "ties": r.ties, "losses": r.losses})
    return buf.getvalue()


_TEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{",
        "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "–": "--", "Δ": r"$\Delta$",
        "−": "-", "—": "---", "×": r"$\times$", "<": r"\textless{}", ">": r"\textgreater{}"}


def tex(text: str) -> str:
    return "".join(_TEX.get(ch, ch) for ch in text)


def _latex(comp: Comparison) -> str:
    out = [f"% {tex(method_line(comp))}"]
    for m in comp.metrics:
        out += [r"\begin{table}[t]", r"\centering", r"\begin{tabular}{llrrr}", r"\toprule",
                r"Rank & System & Mean & 95\% CI & Group \\", r"\midrule"]
        for s in m.entries:
            out.append(f"{tex(_rank(s))} & {tex(s.entry.name)} & {format_value(s.mean, m.percent)} & "
                       f"{tex(_ci(s, m.percent))} & {tex(s.group)} \\\\")
        out += [r"\bottomrule", r"\end{tabular}",
                f"\\caption{{{tex(_title(m))}. Systems sharing a letter are not significantly different "
                f"(paired sign-flip permutation test, Holm-corrected, $\\alpha={comp.alpha}$).}}",
                r"\end{table}"]
    return "\n".join(out) + "\n"


def _json(comp: Comparison) -> str:
    data = {
        "suite": comp.suite, "runs": comp.runs, "seed": comp.seed, "resamples": comp.resamples,
        "alpha": comp.alpha, "ci_method": comp.ci_method, "test_method": comp.test_method,
        "correction": comp.correction, "notes": comp.notes, "warnings": comp.warnings, "too_few": comp.too_few or None, "metrics": [],
    }
    for m in comp.metrics:
        data["metrics"].append({
            "name": m.name, "metric": m.metric, "key": m.key, "lower_is_better": m.lower_is_better,
            "percent": m.percent,
            "systems": [{"name": s.entry.name, "system": s.entry.system, "run": s.entry.run,
                         "upper_bound": s.entry.upper_bound, "mean": s.mean, "n": s.n,
                         "ci": [s.interval.low, s.interval.high] if s.interval else None,
                         "rank": list(s.rank) if s.rank else None, "group": s.group} for s in m.entries],
            "pairs": [{"a": p.a, "b": p.b, **asdict(p.result), "p_holm": p.p_holm, "significant": p.significant}
                      for p in m.pairs],
        })
    return json.dumps(data, indent=2) + "\n"
