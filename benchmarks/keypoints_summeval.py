"""`keypoints` and ROUGE recall against SummEval's relevance ratings, per choice of references.

    python benchmarks/keypoints_summeval.py [--data ../shared/data/summeval_dev] [--articles N]
        [--resamples 1000] [--dimension relevance]

Scores the dev half's 800 summaries once with `keypoints` (faithful=false)
against all 11 references (the highlights' sentences and 10 crowd summaries;
per-reference values come from its details) and with ROUGE per reference, then
prints SummEval's protocol (summary-level Spearman and Kendall averaged over
articles, system-level Kendall over the 16 systems, with a 95% interval from
resampling articles) for: the highlights alone, and the mean over all 11
references (`multi_ref=mean`, as both metrics combine them). Summary length in
words is printed as a yardstick.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from benchmarks import _summeval  # noqa: E402

#: reference choices: name -> authors (None: every reference)
CHOICES = {"highlights": ("highlights",), "all 11": None}
KP_VALUES = ("kp_recall", "kp_score", "kp_f1")
ROUGE_VALUES = ("rouge1_recall", "rougeL_recall")


def mean_over(per_ref: dict[str, dict[str, float]], key: str, authors: tuple[str, ...] | None) -> float:
    """Mean of one value over the chosen references' values (``multi_ref=mean``)."""
    chosen = list(per_ref) if authors is None else list(authors)
    missing = [a for a in chosen if a not in per_ref]
    if missing:
        raise ValueError(f"no reference by {', '.join(missing)}; have {', '.join(per_ref)}")
    return float(np.mean([per_ref[a][key] for a in chosen]))


def system_tau_interval(values, human, clusters, systems, resamples: int = 1000, seed: int = 0):
    """System-level Kendall tau's 95% percentile interval over resamples of the articles
    (each resample draws the articles with replacement; a system's mean is over the drawn
    articles' summaries). NaN values (failures) are left out."""
    from scipy.stats import kendalltau

    from bench.stats.bootstrap import resample_counts

    v, h = np.asarray(values, float), np.asarray(human, float)
    arts, syss = sorted(set(clusters)), sorted(set(systems))
    a_idx = {a: i for i, a in enumerate(arts)}
    s_idx = {s: i for i, s in enumerate(syss)}
    sums = np.zeros((2, len(arts), len(syss)))
    ok = np.zeros((len(arts), len(syss)))
    for k, (c, s) in enumerate(zip(clusters, systems)):
        if np.isfinite(v[k]):
            sums[:, a_idx[c], s_idx[s]] += (v[k], h[k])
            ok[a_idx[c], s_idx[s]] += 1
    counts = resample_counts(len(arts), seed, resamples)
    n = counts @ ok
    # rounded: means equal in exact arithmetic tie whatever their sums' float rounding
    means = np.round(np.einsum("ra,vas->vrs", counts, sums) / np.where(n > 0, n, np.nan), 12)
    taus = [kendalltau(m, hh, nan_policy="omit")[0] for m, hh in zip(means[0], means[1])]
    low, high = np.nanpercentile(taus, [2.5, 97.5])
    return float(low), float(high)


def article_rhos(values, human, clusters) -> dict[str, float]:
    """Per article, Spearman's rho between metric and human (articles with a constant side left out)."""
    from scipy.stats import spearmanr

    v, h = np.asarray(values, float), np.asarray(human, float)
    out = {}
    for c in sorted(set(clusters)):
        idx = [i for i, k in enumerate(clusters) if k == c and np.isfinite(v[i])]
        if len(idx) > 1 and np.ptp(v[idx]) > 0 and np.ptp(h[idx]) > 0:
            out[c] = float(spearmanr(v[idx], h[idx])[0])
    return out


def rho_difference(a, b, human, clusters, resamples: int = 1000):
    """Mean over articles of rho(a) - rho(b) (articles where both are defined), with its 95% interval."""
    from bench.stats.bootstrap import mean_ci

    ra, rb = article_rhos(a, human, clusters), article_rhos(b, human, clusters)
    both = sorted(ra.keys() & rb.keys())
    return mean_ci([ra[c] - rb[c] for c in both], seed=0, resamples=resamples)


def score(se: _summeval.SummEval) -> dict[str, list[dict[str, dict[str, float]]]]:
    """Per item, per reference author, the values of `keypoints` and ROUGE."""
    from bench.metrics.keypoints.keypoints import KeyPoints
    from bench.metrics.rouge import Rouge
    from bench.plugins import MetricResult

    kp = KeyPoints(faithful=False)
    rouge = Rouge(types="rouge1,rougeL", multi_ref="mean")
    by_cluster: dict[str, list[int]] = {}
    for i, it in enumerate(se.items):
        by_cluster.setdefault(it.cluster.id, []).append(i)
    out: dict[str, list] = {"keypoints": [None] * len(se.items), "rouge": [None] * len(se.items)}
    for idx in by_cluster.values():  # one article at a time: its references are embedded once
        batch = [se.items[i] for i in idx]
        for i, it, res in zip(idx, batch, kp.score(batch)):
            ok = isinstance(res, MetricResult)
            out["keypoints"][i] = {a: r["values"] for a, r in res.details["references"].items()} if ok else None
        singles = [replace(it, references=(ref,)) for it in batch for ref in it.references]
        results = iter(rouge.score(singles))
        for i, it in zip(idx, batch):
            row = {ref.author: next(results) for ref in it.references}
            out["rouge"][i] = {a: r.values for a, r in row.items() if isinstance(r, MetricResult)} or None
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=_summeval.DATA)
    ap.add_argument("--articles", type=int, default=None, help="only the first N articles")
    ap.add_argument("--resamples", type=int, default=1000)
    ap.add_argument("--dimension", default="relevance", choices=_summeval.DIMENSIONS)
    args = ap.parse_args(argv)
    if not (args.data / "clusters.jsonl").is_file():
        print(f"{args.data}: no clusters.jsonl (SummEval dev half)", file=sys.stderr)
        return 1
    se = _summeval.load(args.data, args.articles)
    per = score(se)
    clusters = [it.cluster.id for it in se.items]
    systems = [it.system for it in se.items]
    human = se.human[args.dimension]
    failed = {m: sum(r is None for r in rows) for m, rows in per.items()}
    print(f"SummEval {args.dimension}: {len(se.items)} summaries, {len(set(clusters))} articles, "
          f"{len(set(systems))} systems")
    print("failures: " + ", ".join(f"{m} {n}" for m, n in failed.items()))
    print(f"{'value':14} {'references':11} {'rho':>6} {'tau':>6} {'sys tau':>8}  95% CI (articles)")
    rows = [(m, k) for m, keys in (("keypoints", KP_VALUES), ("rouge", ROUGE_VALUES)) for k in keys]
    gaps = {}
    for name, authors in CHOICES.items():
        vals = {}
        for m, key in rows:
            vals[key] = [mean_over(r, key, authors) if r else float("nan") for r in per[m]]
            _row(key, name, vals[key], human, clusters, systems, args.resamples)
        gaps[name] = rho_difference(vals["kp_recall"], vals["rouge1_recall"], human, clusters, args.resamples)
    _row("words", "-", [len(t.split()) for t in se.texts], human, clusters, systems, args.resamples)
    print("\nkp_recall minus rouge1_recall, summary-level rho (paired over articles):")
    for name, d in gaps.items():
        if d is None:
            print(f"  {name:11} n/a (fewer than 2 articles with both rhos)")
            continue
        print(f"  {name:11} {d.mean:+.3f}  95% CI [{d.low:+.3f}, {d.high:+.3f}]  ({d.n} articles)")
    return 0


def _row(key, refs, vals, human, clusters, systems, resamples) -> None:
    f = _summeval.figures(vals, human, clusters, systems)
    low, high = system_tau_interval(vals, human, clusters, systems, resamples)
    print(f"{key:14} {refs:11} {f['rho']:6.3f} {f['tau']:6.3f} {f['system_tau']:8.3f}  [{low:.2f}, {high:.2f}]")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
