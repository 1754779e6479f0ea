"""Render a MetaEvaluation as terminal text (rich), Markdown, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict

from .build import MetaEvaluation
from .estimate import Estimate
from .formats import MetaFormat


def render_meta(meta: MetaEvaluation, fmt: MetaFormat) -> str:
    return {MetaFormat.text: _text, MetaFormat.markdown: _markdown, MetaFormat.csv: _csv,
            MetaFormat.json: _json}[fmt](meta)


def _f(v: float | None, digits: int = 3) -> str:
    return "—" if v is None else f"{v:.{digits}f}"


def _ci(e: Estimate) -> str:
    """An interval at 2 decimals (its ends move in the second decimal between seeds anyway)."""
    return "" if e.low is None else f"[{_f(e.low, 2)}, {_f(e.high, 2)}]"


def _name(v) -> str:
    return f"−{v.name}" if v.negated else v.name  # see NEGATED


NEGATED = "−NAME: a value where lower is better, negated so that higher is better like the rest"


def _pval(p: float | None) -> str:
    return "—" if p is None else ("<0.001" if p < 0.001 else f"{p:.3f}")


def header(meta: MetaEvaluation) -> str:
    line = (f"{meta.suite}: {meta.run} vs {meta.judgments} · {meta.summaries} judged summaries in {meta.clusters} "
            f"cluster{'' if meta.clusters == 1 else 's'}, {meta.systems} systems · {meta.labels} key-point labels "
            f"({meta.partial} partial) · human score from key-point labels for {meta.derived} summaries")
    if not _named(meta):
        return line
    rated = ", ".join(f"{d} ({meta.rated.get(d, 0)}" + (f", {meta.unrated[d]} not rated)" if meta.unrated.get(d)
                                                         else ")") for d in meta.dimensions)
    return f"{line} · rating dimensions (summaries rated): {rated}"


def _named(meta: MetaEvaluation) -> bool:
    """The judgments name their rating dimensions (not only a plain score): tables then say which."""
    return meta.dimensions != ["score"]


def method_line(meta: MetaEvaluation) -> str:
    return f"95% CI: {meta.resampling}; test: {meta.test}; {meta.resamples} resamples; seed {meta.seed}"


KP_HEAD = ["metric", "n", "accuracy", "95% CI", "balanced acc.", "95% CI", "kappa", "95% CI", "precision",
           "recall", "ROC AUC", "partial left out", "no decision"]
RHO_HEAD = ["metric value", "clusters (skipped)", "rho", "95% CI"]
TAU_HEAD = ["metric value", "clusters (skipped)", "tau", "95% CI"]
SAMPLE_HEAD = ["metric value", "n", "Spearman", "95% CI", "Pearson", "95% CI"]
PARTIAL_HEAD = ["metric value", "subset", "summaries", "partial Pearson", "95% CI", "ROC AUC (human = 1)",
                "human = 1"]
SYSTEM_HEAD = ["metric value", "systems", "tau", "95% CI", "Pearson", "95% CI"]
RELIABILITY_HEAD = ["dimension", "clusters", "systems", "split-half tau", "95% of halvings"]
DIFF_HEAD = ["level", "A", "B", "tau A", "tau B", "Δ tau (A−B)", "95% CI of Δ", "p", "p (Holm)"]


def _tables(meta: MetaEvaluation) -> list[tuple[str, list[str], list[list[str]]]]:
    out = []
    if meta.keypoints:
        rows = [[k.metric, str(k.n), _f(k.accuracy.value), _ci(k.accuracy), _f(k.balanced_accuracy.value),
                 _ci(k.balanced_accuracy), _f(k.kappa.value), _ci(k.kappa), _f(k.precision.value),
                 _f(k.recall.value), _f(k.auc), str(k.partial), str(k.missing)] for k in meta.keypoints]
        out.append(("Key-point level: the metric's covered decision vs human present (binary)", KP_HEAD, rows))
    for dim in meta.dimensions:
        out += _dimension_tables(meta, dim, f"{dim}: " if _named(meta) else "")
    if meta.reliability:
        halvings = meta.reliability[0].halvings
        out.append((f"The people's own system ranking: Kendall tau-b between the systems' mean ratings on two "
                    f"random halves of the clusters (mean of {halvings} halvings; low: their ranking moves with "
                    "the clusters drawn, and a metric's system tau says little)", RELIABILITY_HEAD,
                    [[r.dimension, str(r.clusters), str(r.systems), _f(r.split_half_tau.value),
                      _ci(r.split_half_tau)] for r in meta.reliability]))
    return out


def _dimension_tables(meta: MetaEvaluation, dim: str, prefix: str) -> list[tuple[str, list[str], list[list[str]]]]:
    values = [v for v in meta.values if v.dimension == dim]
    skipped = "skipped: fewer than 2 summaries, or metric or human score constant"
    out = [(f"{prefix}Summary level: Spearman rho within each cluster, averaged ({skipped})", RHO_HEAD,
            [[_name(v), f"{v.clusters} ({v.clusters_skipped})", _f(v.summary_rho.value), _ci(v.summary_rho)]
             for v in values]),
           (f"{prefix}Summary level: Kendall tau-b within each cluster, averaged", TAU_HEAD,
            [[_name(v), f"{v.clusters} ({v.clusters_skipped})", _f(v.summary_tau.value), _ci(v.summary_tau)]
             for v in values]),
           (f"{prefix}Sample level: Spearman and Pearson over all summaries; n: summaries (left out: no metric "
            "value)",
            SAMPLE_HEAD, [[_name(v), f"{v.summaries} ({v.missing})", _f(v.sample_rho.value), _ci(v.sample_rho),
                           _f(v.summary_pearson.value), _ci(v.summary_pearson)] for v in values])]
    partial = [p for p in meta.partial_correlations if p.dimension == dim]
    if partial:
        out.append((f"{prefix}Summary level, FRANK's protocol: Pearson with each system's mean removed from metric "
                    "and human score; ROC AUC of summaries the humans scored 1 against the rest", PARTIAL_HEAD,
                    [[p.name, p.subset, str(p.summaries), _f(p.partial_pearson.value), _ci(p.partial_pearson),
                      _f(p.auc_perfect), str(p.perfect)] for p in partial]))
    out.append((f"{prefix}System level: Kendall tau-b and Pearson over system means", SYSTEM_HEAD,
                [[_name(v), str(v.systems), _f(v.system_tau.value), _ci(v.system_tau), _f(v.system_pearson.value),
                  _ci(v.system_pearson)] for v in values]))
    diffs = [d for d in meta.differences if d.dimension == dim]
    if diffs:
        out.append((f"{prefix}Paired differences of tau", DIFF_HEAD,
                    [[d.level, d.a, d.b, _f(d.tau_a), _f(d.tau_b), _f(d.diff),
                      _ci(Estimate(d.diff, d.low, d.high)), _pval(d.p_value), _pval(d.p_holm)]
                     for d in diffs]))
    return out


def _text(meta: MetaEvaluation) -> str:
    from rich.console import Console

    from ..terminal import fitted_tables, width

    console = Console(width=width(), record=True, file=io.StringIO(), color_system=None)
    console.print(header(meta), markup=False, highlight=False)
    for title, head, rows in _tables(meta):
        names = {"metric", "metric value", "level", "A", "B", "subset", "dimension"}
        # the columns that say what a row is, repeated in every part
        keep = 3 if head[0] == "level" else (2 if head[1] == "subset" else 1)
        for t in fitted_tables(title, head, rows, console.width, keep, right=set(head) - names, names=names):
            console.print(t)
    for note in meta.notes:
        console.print(f"note: {note}", markup=False, highlight=False)
    if any(v.negated for v in meta.values):
        console.print(NEGATED, markup=False, highlight=False)
    console.print(method_line(meta), markup=False, highlight=False)
    return console.export_text()


def _markdown(meta: MetaEvaluation) -> str:
    esc = lambda c: c.replace("|", "\\|")  # noqa: E731
    lines = [f"**{esc(header(meta))}**", ""]
    for title, head, rows in _tables(meta):
        lines += [f"### {title}", "", "| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|",
                  *("| " + " | ".join(esc(c) for c in r) + " |" for r in rows), ""]
    lines += [f"- note: {n}" for n in meta.notes]
    if any(v.negated for v in meta.values):
        lines.append(f"- {NEGATED}")
    lines.append(f"_{method_line(meta)}_")
    return "\n".join(lines) + "\n"


CSV_FIELDS = ["level", "dimension", "figure", "metric", "metric_b", "n", "value", "ci_low", "ci_high", "p",
              "p_holm", "left_out", "skipped"]


def _csv(meta: MetaEvaluation) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
    w.writeheader()

    def row(level, figure, metric, n, e: Estimate, dimension="", **extra):
        w.writerow({"level": level, "dimension": dimension, "figure": figure, "metric": metric, "n": n,
                    "value": e.value, "ci_low": e.low, "ci_high": e.high, **extra})

    for k in meta.keypoints:
        for figure in ("accuracy", "balanced_accuracy", "kappa", "precision", "recall"):
            row("keypoint", figure, k.metric, k.n, getattr(k, figure), left_out=k.partial + k.missing)
        row("keypoint", "roc_auc", k.metric, k.n, Estimate(k.auc), left_out=k.partial + k.missing)
    for v in meta.values:
        d = v.dimension
        row("summary", "spearman", v.name, v.summaries, v.summary_rho, d, left_out=v.missing,
            skipped=v.clusters_skipped)
        row("summary", "kendall_tau_b", v.name, v.summaries, v.summary_tau, d, left_out=v.missing,
            skipped=v.clusters_skipped)
        row("sample", "spearman", v.name, v.summaries, v.sample_rho, d, left_out=v.missing)
        row("sample", "pearson", v.name, v.summaries, v.summary_pearson, d, left_out=v.missing)
        row("system", "kendall_tau_b", v.name, v.systems, v.system_tau, d)
        row("system", "pearson", v.name, v.systems, v.system_pearson, d)
    for p in meta.partial_correlations:
        row("summary", f"partial_pearson[{p.subset}]", p.name, p.summaries, p.partial_pearson, p.dimension)
        row("summary", f"roc_auc_perfect[{p.subset}]", p.name, p.summaries, Estimate(p.auc_perfect), p.dimension)
    for r in meta.reliability:
        row("system", "human_split_half_tau", "", r.systems, r.split_half_tau, r.dimension, skipped=None)
    for d in meta.differences:
        w.writerow({"level": d.level, "dimension": d.dimension, "figure": "tau_difference", "metric": d.a,
                    "metric_b": d.b, "value": d.diff, "ci_low": d.low, "ci_high": d.high, "p": d.p_value,
                    "p_holm": d.p_holm})
    return buf.getvalue()


def _json(meta: MetaEvaluation) -> str:
    return json.dumps(asdict(meta), indent=2) + "\n"
