"""Build a meta-evaluation: agreement of every metric value of a run with human judgments.

Levels (Deutsch, Dror and Roth, TACL 2021, for the resampling):

* key point: the metric's per-key-point ``covered`` decision against the human
  ``present`` label (partial labels left out);
* summary: Spearman and Kendall tau-b between metric and human rating within
  each cluster, averaged over clusters (SummEval's protocol);
* sample: Spearman and Pearson over all summaries;
* system: Kendall tau-b and Pearson between system means.

Each figure is computed for every rating dimension of the judgments (``score``,
or SummEval's coherence, consistency ...) against every numeric metric value.

Intervals and the paired tests resample clusters with replacement (their
BOOT-INPUTS); systems are not resampled. The same draws serve every metric, so
the difference of two metrics' tau is paired.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from ..errors import MetaError
from ..results import RunResults, load_results, value_name
from ..stats import DEFAULT_RESAMPLES
from .details import decision, keypoint_blocks
from .differences import Difference, differences
from .estimate import Estimate, estimate
from .judgments import SCORE, Judgments, read_judgments
from .partial import PartialAgreement, partial_pearson, perfect_auc
from .reliability import HumanReliability, split_half
from .values import ValueAgreement, value_agreement

RESAMPLING = "percentile bootstrap resampling clusters (BOOT-INPUTS, Deutsch et al. 2021); systems fixed"
TEST = ("paired bootstrap over the same cluster draws: two-sided p = 2 x the smaller share of draws with the "
        "difference <= 0 or >= 0")


@dataclass
class KeypointAgreement:
    metric: str
    n: int  # binary labels with a decision
    partial: int  # partial labels left out
    missing: int  # binary labels without a decision (metric failed or no such key point in its details)
    accuracy: Estimate
    balanced_accuracy: Estimate
    kappa: Estimate
    precision: Estimate
    recall: Estimate
    auc: float | None  # ROC AUC of the graded score (no interval)


@dataclass
class MetaEvaluation:
    run: str
    suite: str
    judgments: str
    seed: int
    resamples: int
    summaries: int  # judged summaries (rated on some dimension)
    clusters: int
    systems: int
    labels: int
    partial: int
    derived: int  # summaries whose human score is the mean of their key-point labels
    keypoints: list[KeypointAgreement]
    values: list[ValueAgreement]
    differences: list[Difference]
    notes: list[str] = field(default_factory=list)
    partial_correlations: list[PartialAgreement] = field(default_factory=list)  # per value, subset (FRANK)
    dimensions: list[str] = field(default_factory=lambda: ["score"])  # the rating dimensions, in order
    rated: dict[str, int] = field(default_factory=dict)  # dimension -> summaries rated on it
    unrated: dict[str, int] = field(default_factory=dict)  # dimension -> summary lines giving it as null
    reliability: list[HumanReliability] = field(default_factory=list)  # the people's split-half system tau
    resampling: str = RESAMPLING
    test: str = TEST


def meta_evaluate(run: Path, judgments: Path, *, seed: int | None = None, resamples: int = DEFAULT_RESAMPLES,
                  compare: Sequence[tuple[str, str]] = (), suite_source: str | None = None,
                  suite_format: str | None = None, dimensions: Sequence[str] | None = None) -> MetaEvaluation:
    from ..suites.reload import reload_suite

    results = load_results(run)
    reloaded = reload_suite(results.manifest, suite_source, suite_format)
    notes = []
    if reloaded.suite is not None:
        suite = reloaded.suite
        clusters = [c.id for c in suite.clusters]
        refs = {c: {r.author: sum(1 for b in r.bullets if b.strip()) for r in suite.references_for(c)}
                for c in clusters}
    else:
        clusters = sorted({c for s in results.systems for c in s.clusters})
        refs = None
        notes.append(reloaded.message)
    judged = read_judgments(judgments, clusters, [s.label for s in results.systems], refs, dimensions)
    seed = int(results.manifest.get("seed", 0)) if seed is None else seed
    return evaluate(results, judged, seed, resamples, compare, notes)


def evaluate(results: RunResults, judged: Judgments, seed: int, resamples: int,
             compare: Sequence[tuple[str, str]] = (), notes: list[str] | None = None) -> MetaEvaluation:
    import numpy as np

    from ..stats.bootstrap import resample_counts

    human = {d: judged.summary_scores(d) for d in judged.dimensions}
    judged_summaries = {k for per in human.values() for k in per}
    clusters = sorted({c for c, _ in judged_summaries} | {c for c, _, _, _ in judged.labels})
    systems = [s for s in results.systems if any((c, s.label) in judged_summaries for c in clusters)]
    counts = resample_counts(len(clusters), seed, resamples)
    notes = list(notes or [])
    matrices = []  # (name, metric, key, negated, metric values as clusters x systems)
    for m in results.metrics:
        if m.status != "ok":
            notes.append(f"metric {m.label} unavailable: {m.reason}")
            continue
        keys = sorted({k for s in results.systems for k in s.values.get(m.label, {})})
        for key in keys:
            M = np.array([[_number(s.values.get(m.label, {}).get(key, {}).get(c)) for s in systems]
                          for c in clusters], dtype=float)
            if np.all(np.isnan(M)):
                continue  # non-numeric, or never scored on a judged summary
            negated = key in m.lower_is_better
            matrices.append((value_name(results.metrics, m.label, key), m.label, key, negated, -M if negated else M))
    masks = {"all": np.ones((len(clusters), len(systems)), dtype=bool)}
    for g in sorted(set(judged.subsets.values())):
        masks[g] = np.array([[judged.subsets.get((c, s.label)) == g for s in systems] for c in clusters])
    values, diffs, partial, reliability = [], [], [], []
    for dim in judged.dimensions:
        H = np.array([[human[dim].get((c, s.label), np.nan) for s in systems] for c in clusters], dtype=float)
        reliability += [r for r in [split_half(dim, H, seed)] if r is not None]
        dim_values, draws = [], {}
        for name, label, key, negated, M in matrices:
            if not np.any(np.isfinite(M) & np.isfinite(H)):
                continue
            agreement, draws[name] = value_agreement(name, label, key, dim, M, H, counts)
            agreement.negated = negated
            dim_values.append(agreement)
            if dim == SCORE:  # FRANK's protocol: a human score of 1 is a perfect summary
                partial += _partial(name, dim, M, H, masks, counts)
        values += dim_values
        diffs += differences(dim_values, draws, compare, dim) if dim_values else []
    if not values:
        raise MetaError("the run has no numeric metric value for the judged summaries")
    keypoints = [k for m in results.metrics if m.status == "ok" and judged.labels
                 for k in [_keypoint_level(m.label, results, judged, clusters, counts)] if k is not None]
    return MetaEvaluation(str(results.path), results.manifest["suite"]["name"], judged.path, seed, resamples,
                          len(judged_summaries), len(clusters), len(systems), len(judged.labels),
                          judged.partial, judged.derived, keypoints, values, diffs, notes, partial,
                          list(judged.dimensions), {d: len(human[d]) for d in judged.dimensions},
                          dict(judged.unrated), reliability)


def _partial(name: str, dimension: str, M, H, masks: dict, counts) -> list[PartialAgreement]:
    """FRANK's figures of one value on one dimension, over all summaries and per subset."""
    import numpy as np

    out = []
    for g, mask in masks.items():
        Mg, Hg = np.where(mask, M, np.nan), np.where(mask, H, np.nan)
        r, r_draws = partial_pearson(Mg, Hg, counts)
        auc, perfect = perfect_auc(Mg, Hg)
        n = int(np.sum(np.isfinite(Mg) & np.isfinite(Hg)))
        if n:
            out.append(PartialAgreement(name, g, n, estimate(r, r_draws), auc, perfect, dimension))
    return out


def _number(v: Any) -> float:
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    return float(v) if ok else float("nan")


def _keypoint_level(label: str, results: RunResults, judged: Judgments, clusters: list[str], counts):
    """Agreement of the metric's per-key-point decisions; None when its details have none."""
    import numpy as np

    from ..stats import agreement as ag

    by_system = {s.label: s.details.get(label, {}) for s in results.systems}
    if not any(keypoint_blocks(d) for per in by_system.values() for d in per.values()):
        return None
    index = {c: i for i, c in enumerate(clusters)}
    conf = np.zeros((len(clusters), 4))  # tp, fp, fn, tn
    scores, actual = [], []
    partial = missing = 0
    for (c, s, author, j), present in judged.labels.items():
        if present == 0.5:
            partial += 1
            continue
        got = decision(by_system.get(s, {}).get(c), author, j)
        if got is None or c not in index:
            missing += 1
            continue
        covered, score = got
        conf[index[c], {(True, True): 0, (True, False): 1, (False, True): 2, (False, False): 3}[
            (covered, present == 1)]] += 1
        scores.append(score)
        actual.append(present == 1)
    total = conf.sum(0)
    draws = (counts @ conf).T

    def both(fn):
        return estimate(fn(*total), fn(*draws))

    auc = ag.roc_auc(scores, actual) if actual and all(s is not None for s in scores) else None
    return KeypointAgreement(label, int(total.sum()), partial, missing, both(ag.accuracy),
                             both(ag.balanced_accuracy), both(ag.cohen_kappa), both(ag.precision),
                             both(ag.recall), None if auc is None or not math.isfinite(auc) else auc)
