"""Results tables: one row per (system, metric value), rendered four ways."""

from __future__ import annotations

import csv
import io
import json
import math
from collections import Counter
from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any, Sequence

from .results import RunResults, value_name


class TableFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    csv = "csv"
    json = "json"


@dataclass
class Row:
    system: str
    metric: str  # metric label + value key, e.g. "rouge1" or "rouge:stemmer=false/rouge1"
    mean: float | None
    n: int
    failures: int
    missing: int  # clusters not scored yet (interrupted run, skipped system)
    upper_bound: bool
    percent: bool
    note: str = ""
    ci_low: float | None = None
    ci_high: float | None = None
    #: LLM usage of this row's system and of its metric's judge ({"system": ..., "judge": ...}, see
    #: bench.usage), None when neither asked an LLM; in JSON only (CSV stays a plain table)
    usage: dict[str, Any] | None = None
    #: clusters the metric scored without this value, and why ("2 without kp_recall_faithful: ..."); not missing
    absent: str = ""


def build_rows(results: RunResults, all_keys: bool = False, seed: int | None = None,
               resamples: int | None = None) -> list[Row]:
    """Rows with a 95% percentile-bootstrap interval (bench.stats.bootstrap).

    ``seed`` defaults to the run manifest's seed, ``resamples`` to 1000.
    """
    from .stats import DEFAULT_RESAMPLES
    from .stats.bootstrap import mean_ci

    from .usage import by_row, llm_usage

    seed = results.manifest.get("seed", 0) if seed is None else seed
    resamples = resamples or DEFAULT_RESAMPLES
    rows: list[Row] = []
    system_usage, judge_usage = by_row(llm_usage(results.manifest))

    def usage(system: str, metric: str) -> dict[str, Any] | None:
        found = {"system": system_usage.get(system), "judge": judge_usage.get(metric)}
        return found if any(found.values()) else None

    expected = results.expected_clusters
    systems = sorted(results.systems, key=lambda s: s.upper_bound)  # upper bounds last
    for system in systems:
        for metric in results.metrics:
            if system.status == "skipped":
                rows.append(Row(system.label, metric.label, None, 0, 0, expected, system.upper_bound, False,
                                note=f"skipped: {system.reason}", usage=usage(system.label, metric.label)))
                continue
            if metric.status != "ok":
                rows.append(Row(system.label, metric.label, None, 0, 0, expected, system.upper_bound, False,
                                note=f"unavailable: {metric.reason}", usage=usage(system.label, metric.label)))
                continue
            per_key = system.values.get(metric.label, {})
            # a value no cluster got is still shown where the metric said why (a criterion failing everywhere)
            explained = {k for d in system.details.get(metric.label, {}).values() for k in (d or {}).get("absent") or {}}
            keys = (sorted(set(per_key) | explained) if all_keys
                    else [k for k in metric.keys if k in per_key or k in explained] or metric.keys)
            summary_failed = len(system.summary_failures)
            score_failed = len(system.score_failures.get(metric.label, {}))
            scored = set().union(*per_key.values())  # clusters the metric gave any value
            for key in keys:
                vals = system.series(metric.label, key)
                name = value_name(results.metrics, metric.label, key)
                failures = summary_failed + score_failed
                absent = sorted(scored - set(per_key.get(key, {})))
                missing = max(0, expected - len(vals) - failures - len(absent))
                mean = sum(vals) / len(vals) if vals else None
                note = _failure_note(system.summary_failures, system.score_failures.get(metric.label, {}))
                ci = mean_ci(vals, seed, resamples)
                rows.append(Row(system.label, name, mean, len(vals), failures, missing, system.upper_bound,
                                metric.percent, note=note, ci_low=ci.low if ci else None,
                                ci_high=ci.high if ci else None, usage=usage(system.label, metric.label),
                                absent=absent_note(key, absent, system.details.get(metric.label, {}))))
    return rows


def absent_note(key: str, clusters: list[str], details: dict[str, Any]) -> str:
    """'N without KEY: reason' for clusters scored without the value ``key`` (a metric's details say why
    under ``absent``)."""
    if not clusters:
        return ""
    reason, _, more = _top_reason([((details.get(c) or {}).get("absent") or {}).get(key)
                                   or "the metric gave no value" for c in clusters])
    return f"{len(clusters)} without {key}: {reason}{more}"


def _failure_note(summary_failures: dict[str, str], score_failures: dict[str, str]) -> str:
    """The most frequent failure reason, and how many clusters it hit."""
    reasons = [r or "no reason recorded" for r in [*summary_failures.values(), *score_failures.values()]]
    if not reasons:
        return ""
    reason, count, more = _top_reason(reasons)
    return f"{count}× {reason}{more}"


def _top_reason(reasons: list[str]) -> tuple[str, int, str]:
    """(the most frequent reason, on one line and cut to 160 characters; how often; '; N other reasons')."""
    counted = Counter(reasons)
    (reason, count), others = counted.most_common(1)[0], len(counted) - 1
    more = f"; {others} other reason{'s' if others > 1 else ''}" if others else ""
    reason = " ".join(reason.encode("utf-8", "backslashreplace").decode("utf-8").split())
    return (reason if len(reason) <= 160 else reason[:159] + "…"), count, more


def format_value(value: float | None, percent: bool, decimals: int | None = None) -> str:
    """A table number: percentages with 2 decimals; others with ``decimals``
    (one count per column, see ``column_decimals``) or 4 significant digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if percent:
        return f"{value * 100:.2f}"
    return f"{value:.{decimals}f}" if decimals is not None else f"{value:.4g}"


def column_decimals(values: Sequence[float | None], percent: bool) -> int:
    """One number of decimals for a whole column: 2 for percentages, else
    enough for 4 significant digits of its largest value (0.7060 next to 0.7293)."""
    if percent:
        return 2
    finite = [abs(v) for v in values if v is not None and math.isfinite(v)]
    largest = max(finite, default=0.0)
    digits = len(str(int(largest))) if largest >= 1 else 0
    return max(0, 4 - digits)


def _decimals(rows: Sequence[Row]) -> dict[str, int]:
    """metric -> decimals, over its means and interval ends in every row."""
    by_metric: dict[str, list[float | None]] = {}
    percent: dict[str, bool] = {}
    for r in rows:
        by_metric.setdefault(r.metric, []).extend([r.mean, r.ci_low, r.ci_high])
        percent[r.metric] = r.percent
    return {m: column_decimals(v, percent[m]) for m, v in by_metric.items()}


def _ci(row: Row, decimals: int | None = None) -> str:
    if row.ci_low is None or row.ci_high is None:
        return ""
    return f"[{format_value(row.ci_low, row.percent, decimals)}, {format_value(row.ci_high, row.percent, decimals)}]"


def table_title(manifest: dict[str, Any], rows: Sequence[Row], resamples: int, seed: int) -> str:
    """Suite, clusters, budget, and what the intervals are (or why there are none)."""
    suite = manifest["suite"]
    n = int(suite["clusters"])
    from .budget import describe_budget

    budget = describe_budget(manifest["budget"], "none")
    head = f"{suite['name']} · {n} cluster{'' if n == 1 else 's'} · budget {budget}"
    if any(r.ci_low is not None for r in rows):
        return f"{head} · 95% CI: percentile bootstrap, {resamples} resamples, seed {seed}"
    scored = max((r.n for r in rows), default=0)
    return f"{head} · n={scored}: no interval" if scored == 1 else head


def render(rows: Sequence[Row], fmt: TableFormat, title: str = "", width: int = 200) -> str:
    if fmt is TableFormat.json:
        return json.dumps([asdict(r) for r in rows], indent=2) + "\n"
    if fmt is TableFormat.csv:
        buf = io.StringIO()
        fields = [f for f in Row.__dataclass_fields__ if f != "usage"]  # a plain table
        writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        for r in rows:
            writer.writerow(asdict(r))
        return buf.getvalue()
    has_ci = any(r.ci_low is not None for r in rows)
    header = ["system", "metric", "mean", *(["95% CI"] if has_ci else []), "n", "failed", "note"]
    decimals = _decimals(rows)
    body = []
    for r in rows:
        label = f"{r.system} (upper bound)" if r.upper_bound else r.system
        mean = format_value(r.mean, r.percent, decimals[r.metric]) + (" %" if r.percent and r.mean is not None else "")
        note = "; ".join(filter(None, [r.note, r.absent, f"{r.missing} missing (no summary)" if r.missing else ""]))
        body.append([label, r.metric, mean, *([_ci(r, decimals[r.metric])] if has_ci else []), str(r.n),
                     str(r.failures), note.strip("; ")])
    if fmt is TableFormat.markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in body]
        return _md_title(title, width) + "\n".join(lines) + "\n"
    # text: notes go under the table (they are long), so the columns fit a terminal
    notes = list(dict.fromkeys(f"  {row[0]}, {row[1]}: {row[-1]}" for row in body if row[-1]))
    text = _text(header[:-1], [row[:-1] for row in body], title, width=width)
    return text + ("notes:\n" + "".join(_fill(n, width) for n in notes) if notes else "")


def _md(cell: str) -> str:
    return cell.replace("|", "\\|")


_RIGHT = {"mean", "n", "failed"}
_UNBOUNDED = 100_000


def _text(header: list[str], body: list[list[str]], title: str, group: bool = True, width: int = 200,
          right: set[str] = _RIGHT) -> str:
    """A rich table as plain text, at most ``width`` columns: long cells (notes) wrap, names fold, never '…'."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False, box=box.SIMPLE_HEAD, pad_edge=False)
    for i, h in enumerate(header):
        # cells are kept whole: never cut with '…'; folded only when nothing else fits
        table.add_column(h, justify="right" if h in right else "left", overflow="fold", no_wrap=True)
    previous = None
    for row in body:
        changed = row[0] != previous if group else row[0].endswith("(upper bound)")
        if previous is not None and changed:
            table.add_section()
        table.add_row(*row)
        previous = row[0]
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(table)
    return (_wrap_title(title, width) if title else "") + console.export_text()


def _wrap_title(title: str, width: int) -> str:
    """The title on as few lines as fit ``width``, broken only between its ' · ' parts."""
    lines: list[str] = []
    for part in title.split(" · "):
        if lines and len(lines[-1]) + 3 + len(part) <= width:
            lines[-1] += " · " + part
        else:
            lines.append(part)
    return "\n".join(lines) + "\n"


def _natural_width(header: list[str], body: list[list[str]], group: bool = False) -> int:
    """Columns the table needs when nothing is wrapped (title left out: it wraps by itself), its blank
    right edge included: rich squeezes a column to fit a table one column wider than the terminal."""
    text = _text(header, body, "", group=group, width=_UNBOUNDED)
    return max((len(line) for line in text.splitlines()), default=0)


def rows_to_json(rows: Sequence[Row]) -> list[dict[str, Any]]:
    return [asdict(r) for r in rows]


class Layout(str, Enum):
    long = "long"  # one row per (system, metric value)
    wide = "wide"  # one row per system, one column per metric value


#: how to see a table split in parts in one piece, in the options of `sumbench table`
TABLE_ONE_PIECE = "`--layout long`, or `--format csv`"


def render_wide(rows: Sequence[Row], fmt: TableFormat, title: str = "", width: int = 200,
                one_piece: str = TABLE_ONE_PIECE) -> str:
    """Systems as rows, metric values as columns: 'mean [95% CI]' cells.

    Text output fits ``width`` columns: intervals move under the means, and a
    table still too wide is split into parts of a few metric columns each (the
    system column repeated), with a line saying how to see it in one piece
    (``one_piece``: the printing command's own options).
    Notes (failures, skips) are listed under the table.
    """
    if fmt in (TableFormat.json, TableFormat.csv):
        return render(rows, fmt, title)  # machine formats stay long
    metrics = list(dict.fromkeys(r.metric for r in rows))
    systems = list(dict.fromkeys(r.system for r in rows))
    cell: dict[tuple[str, str], Row] = {(r.system, r.metric): r for r in rows}
    decimals = _decimals(rows)
    means: dict[str, list[str]] = {m: [] for m in metrics}
    cis: dict[str, list[str]] = {m: [] for m in metrics}
    labels, ns, failed_col, notes_col = [], [], [], []
    for system in systems:
        srows = [r for r in rows if r.system == system]
        n = max((r.n for r in srows), default=0)
        notes: list[str] = []
        for m in metrics:
            r = cell.get((system, m))
            if r is None or r.mean is None:
                means[m].append("—")
                cis[m].append("")
                for why in (r.note, r.absent) if r is not None else ():  # failed, or no cluster got this value
                    if why and why not in notes:
                        notes.append(why)
                continue
            if r.absent and r.absent not in notes:
                notes.append(r.absent)
            text = format_value(r.mean, r.percent, decimals[m])
            if r.n != n:
                text += f" (n={r.n})"
            means[m].append(text)
            cis[m].append(_ci(r, decimals[m]))
        failed = max((r.failures for r in srows), default=0)
        missing = max((r.missing for r in srows), default=0)
        if failed:
            notes.insert(0, f"{failed} failed")
        if missing:
            notes.append(f"{missing} missing (no summary)")
        labels.append(f"{system} (upper bound)" if any(r.upper_bound for r in srows) else system)
        ns.append(str(n))
        failed_col.append(str(failed))
        notes_col.append("; ".join(notes))
    percent = sorted({r.metric for r in rows if r.percent})
    legend = f"values in % for: {', '.join(percent)}" if percent else ""
    if fmt is TableFormat.markdown:
        header = ["system", "n", *metrics, "failed", "note"]
        body = [[labels[i], ns[i], *[_joined(means[m][i], cis[m][i]) for m in metrics], failed_col[i], notes_col[i]]
                for i in range(len(systems))]
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in body]
        return _md_title(title, width) + "\n".join(lines) + "\n" + (f"\n{_fill(legend, width, '')}" if legend else "")
    return _fit_text(labels, ns, failed_col, notes_col, metrics, means, cis, title, width, one_piece) + (
        _fill(legend, width) if legend else "")


def _joined(mean: str, ci: str) -> str:
    return f"{mean} {ci}" if ci else mean


#: columns a wide table keeps beside its system names: n, a stacked metric column, failed, padding
_BESIDE_NAMES = 36


def _fit_text(labels, ns, failed, notes, metrics, means, cis, title: str, width: int, one_piece: str) -> str:
    """The wide text table in ``width`` columns (see ``render_wide``): long system names and metric
    headers break at name boundaries (``bench.terminal.wrap_name``); numbers and intervals are never cut."""
    from .terminal import MIN_NAME_WIDTH, wrap_name

    count = len(labels)
    names = [wrap_name(label, max(MIN_NAME_WIDTH, width - _BESIDE_NAMES)) for label in labels]

    def head_of(m: str) -> str:
        cells = [line for i in range(count) for line in (means[m][i], cis[m][i])]
        return wrap_name(m, max(MIN_NAME_WIDTH, *(len(c) for c in cells)))

    def table(cols: list[str], stacked: bool, last: bool, whole: bool = False) -> tuple[list[str], list[list[str]]]:
        """(header, body) of these metric columns; ``whole``: names and headers unbroken."""
        header = ["system", "n", *(m if whole else head_of(m) for m in cols), *(["failed"] if last else [])]
        body = []
        for i in range(count):
            cells = [(f"{means[m][i]}\n{cis[m][i]}" if stacked and cis[m][i] else _joined(means[m][i], cis[m][i]))
                     for m in cols]
            body.append([labels[i] if whole else names[i], ns[i], *cells, *([failed[i]] if last else [])])
        return header, body

    parts: list[list[str]] = []
    stacked = False
    for stacked in (False, True):
        header, body = table(metrics, stacked, True)
        if _natural_width(header, body) <= width:
            parts = [metrics]
            break
    else:  # split the metric columns into parts that each fit
        current: list[str] = []
        for m in metrics:
            header, body = table([*current, m], True, False)
            if current and _natural_width(header, body) > width:
                parts.append(current)
                current = []
            current.append(m)
        header, body = table(current, True, True)
        if len(current) > 1 and _natural_width(header, body) > width:  # room for the failed column
            parts.append(current[:-1])
            current = current[-1:]
        parts.append(current)
    out = []
    for k, cols in enumerate(parts):
        header, body = table(cols, stacked, k == len(parts) - 1)
        heading = title if k == 0 else ""
        if len(parts) > 1:
            heading = (heading + "\n" if heading else "") + f"(part {k + 1} of {len(parts)})"
        out.append(_text(header, body, heading, group=False, width=width,
                         right={"n", "failed", *header[2:]}))
    text = "".join(out)
    noted = [f"  {labels[i]}: {notes[i]}" for i in range(count) if notes[i]]
    if noted:
        text += "notes:\n" + "".join(_fill(n, width) for n in noted)
    if len(parts) > 1:
        header, body = table(metrics, False, True, whole=True)
        text += _fill(f"(split in {len(parts)} parts to fit {width} columns; in one piece: a terminal of"
                      f" {_natural_width(header, body)} columns (COLUMNS=N), {one_piece})", width)
    return text


def _fill(line: str, width: int, indent: str = "    ") -> str:
    from .terminal import fill

    return fill(line, width, indent=indent)


def _md_title(title: str, width: int) -> str:
    """The bold title paragraph of a Markdown table, wrapped to ``width`` (its rows cannot be)."""
    return f"**{_wrap_title(title, width - 4).rstrip()}**\n\n" if title else ""
