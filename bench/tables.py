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


def build_rows(results: RunResults, all_keys: bool = False, seed: int | None = None,
               resamples: int | None = None) -> list[Row]:
    """Rows with a 95% percentile-bootstrap interval (bench.stats.bootstrap).

    ``seed`` defaults to the run manifest's seed, ``resamples`` to 1000.
    """
    from .stats import DEFAULT_RESAMPLES
    from .stats.bootstrap import mean_ci

    seed = results.manifest.get("seed", 0) if seed is None else seed
    resamples = resamples or DEFAULT_RESAMPLES
    rows: list[Row] = []
    expected = results.expected_clusters
    systems = sorted(results.systems, key=lambda s: s.upper_bound)  # upper bounds last
    for system in systems:
        for metric in results.metrics:
            if system.status == "skipped":
                rows.append(Row(system.label, metric.label, None, 0, 0, expected, system.upper_bound, False,
                                note=f"skipped: {system.reason}"))
                continue
            if metric.status != "ok":
                rows.append(Row(system.label, metric.label, None, 0, 0, expected, system.upper_bound, False,
                                note=f"unavailable: {metric.reason}"))
                continue
            per_key = system.values.get(metric.label, {})
            keys = sorted(per_key) if all_keys else [k for k in metric.keys if k in per_key] or metric.keys
            summary_failed = len(system.summary_failures)
            score_failed = len(system.score_failures.get(metric.label, {}))
            for key in keys:
                vals = system.series(metric.label, key)
                name = value_name(results.metrics, metric.label, key)
                failures = summary_failed + score_failed
                missing = max(0, expected - len(vals) - failures)
                mean = sum(vals) / len(vals) if vals else None
                note = _failure_note(system.summary_failures, system.score_failures.get(metric.label, {}))
                ci = mean_ci(vals, seed, resamples)
                rows.append(Row(system.label, name, mean, len(vals), failures, missing, system.upper_bound,
                                metric.percent, note=note, ci_low=ci.low if ci else None,
                                ci_high=ci.high if ci else None))
    return rows


def _failure_note(summary_failures: dict[str, str], score_failures: dict[str, str]) -> str:
    """The most frequent failure reason, and how many clusters it hit."""
    reasons = Counter(r or "no reason recorded" for r in [*summary_failures.values(), *score_failures.values()])
    if not reasons:
        return ""
    (reason, count), others = reasons.most_common(1)[0], len(reasons) - 1
    more = f"; {others} other reason{'s' if others > 1 else ''}" if others else ""
    reason = " ".join(reason.split())
    return f"{count}× {reason if len(reason) <= 160 else reason[:159] + '…'}{more}"


def format_value(value: float | None, percent: bool) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value * 100:.2f}" if percent else f"{value:.4g}"


def _ci(row: Row) -> str:
    if row.ci_low is None or row.ci_high is None:
        return ""
    return f"[{format_value(row.ci_low, row.percent)}, {format_value(row.ci_high, row.percent)}]"


def render(rows: Sequence[Row], fmt: TableFormat, title: str = "") -> str:
    if fmt is TableFormat.json:
        return json.dumps([asdict(r) for r in rows], indent=2) + "\n"
    if fmt is TableFormat.csv:
        buf = io.StringIO()
        fields = list(Row.__dataclass_fields__)
        writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for r in rows:
            writer.writerow(asdict(r))
        return buf.getvalue()
    has_ci = any(r.ci_low is not None for r in rows)
    header = ["system", "metric", "mean", *(["95% CI"] if has_ci else []), "n", "failed", "note"]
    body = []
    for r in rows:
        label = f"{r.system} (upper bound)" if r.upper_bound else r.system
        mean = format_value(r.mean, r.percent) + (" %" if r.percent and r.mean is not None else "")
        note = r.note + (f"; {r.missing} not run" if r.missing else "")
        body.append([label, r.metric, mean, *([_ci(r)] if has_ci else []), str(r.n), str(r.failures), note.strip("; ")])
    if fmt is TableFormat.markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in body]
        return (f"**{title}**\n\n" if title else "") + "\n".join(lines) + "\n"
    return _text(header, body, title)


def _md(cell: str) -> str:
    return cell.replace("|", "\\|")


def _text(header: list[str], body: list[list[str]], title: str, group: bool = True) -> str:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title or None, show_lines=False)
    for i, h in enumerate(header):
        table.add_column(h, justify="right" if h in {"mean", "n", "failed"} else "left")
    previous = None
    for row in body:
        changed = row[0] != previous if group else row[0].endswith("(upper bound)")
        if previous is not None and changed:
            table.add_section()
        table.add_row(*row)
        previous = row[0]
    console = Console(width=200, record=True, file=io.StringIO(), color_system=None)
    console.print(table)
    return console.export_text()


def rows_to_json(rows: Sequence[Row]) -> list[dict[str, Any]]:
    return [asdict(r) for r in rows]


class Layout(str, Enum):
    long = "long"  # one row per (system, metric value)
    wide = "wide"  # one row per system, one column per metric value


def render_wide(rows: Sequence[Row], fmt: TableFormat, title: str = "") -> str:
    """Systems as rows, metric values as columns: 'mean [95% CI]' cells."""
    if fmt in (TableFormat.json, TableFormat.csv):
        return render(rows, fmt, title)  # machine formats stay long
    metrics = list(dict.fromkeys(r.metric for r in rows))
    systems = list(dict.fromkeys(r.system for r in rows))
    cell: dict[tuple[str, str], Row] = {(r.system, r.metric): r for r in rows}
    header = ["system", "n", *metrics, "failed", "note"]
    body = []
    for system in systems:
        srows = [r for r in rows if r.system == system]
        n = max((r.n for r in srows), default=0)
        cells, notes = [], []
        for m in metrics:
            r = cell.get((system, m))
            if r is None or r.mean is None:
                cells.append("—")
                if r is not None and r.note and r.note not in notes:
                    notes.append(r.note)
                continue
            text = format_value(r.mean, r.percent)
            if r.ci_low is not None:
                text += f" {_ci(r)}"
            if r.n != n:
                text += f" (n={r.n})"
            cells.append(text)
        failed = max((r.failures for r in srows), default=0)
        missing = max((r.missing for r in srows), default=0)
        if failed:
            notes.insert(0, f"{failed} failed")
        if missing:
            notes.append(f"{missing} not run")
        label = f"{system} (upper bound)" if any(r.upper_bound for r in srows) else system
        body.append([label, str(n), *cells, str(failed), "; ".join(notes)])
    percent = sorted({r.metric for r in rows if r.percent})
    legend = f"values in % for: {', '.join(percent)}" if percent else ""
    if fmt is TableFormat.markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in body]
        head = f"**{title}**\n\n" if title else ""
        return head + "\n".join(lines) + "\n" + (f"\n{legend}\n" if legend else "")
    text = _text(header, body, title, group=False)
    return text + (legend + "\n" if legend else "")
