"""Build a meta-evaluation: agreement of every metric value of a run with human judgments.

Levels (Deutsch, Dror and Roth, TACL 2021, for the resampling):

* key point: the metric's per-key-point ``covered`` decision against the human
  ``present`` label (partial labels left out);
* summary: Kendall tau-b between metric and human score within each cluster,
  averaged over clusters; pooled Pearson over all summaries;
* system: Kendall tau-b and Pearson between system means.

Intervals and the paired tests resample clusters with replacement (their
BOOT-INPUTS); systems are not resampled. The same draws serve every metric, so
the difference of two metrics' tau is paired.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from ..results import RunResults, load_results, value_name
from ..stats import DEFAULT_RESAMPLES
from ..stats.holm import holm
from . import MetaError
from .details import decision, keypoint_blocks
from .judgments import Judgments, read_judgments

RESAMPLING = "percentile bootstrap resampling clusters (BOOT-INPUTS, Deutsch et al. 2021); systems fixed"
TEST = ("paired bootstrap over the same cluster draws: two-sided p = 2 x the smaller share of draws with the "
        "difference <= 0 or >= 0")
LEVELS = ("summary", "system")


@dataclass(frozen=True)
class Estimate:
    value: float | None
    low: float | None = None
    high: float | None = None


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
class ValueAgreement:
    name: str
    metric: str
    key: str
    negated: bool  # lower is better (e.g. kp_redundancy): correlated as -value, so tau > 0 means agreement
    summaries: int  # judged summaries with a metric value
    missing: int  # judged summaries without one (summary or score failed): left out, never 0
    clusters: int  # clusters with a within-cluster tau
    clusters_skipped: int  # fewer than 2 summaries or no variance
    summary_tau: Estimate
    summary_pearson: Estimate
    systems: int
    system_tau: Estimate
    system_pearson: Estimate


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


@dataclass
class MetaEvaluation:
    run: str
    suite: str
    judgments: str
    seed: int
    resamples: int
    summaries: int  # judged summaries
    clusters: int
    systems: int
    labels: int
    partial: int
    derived: int  # summaries whose human score is the mean of their key-point labels
    keypoints: list[KeypointAgreement]
    values: list[ValueAgreement]
    differences: list[Difference]
    notes: list[str] = field(default_factory=list)
    partial_correlations: list = field(default_factory=list)  # PartialAgreement per value and subset (FRANK's protocol)
    resampling: str = RESAMPLING
    test: str = TEST


def meta_evaluate(run: Path, judgments: Path, *, seed: int | None = None, resamples: int = DEFAULT_RESAMPLES,
                  compare: Sequence[tuple[str, str]] = (), suite_source: str | None = None,
                  suite_format: str | None = None) -> MetaEvaluation:
    from ..report.suite_reload import reload_suite

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
    judged = read_judgments(judgments, clusters, [s.label for s in results.systems], refs)
    seed = int(results.manifest.get("seed", 0)) if seed is None else seed
    return evaluate(results, judged, seed, resamples, compare, notes)


def evaluate(results: RunResults, judged: Judgments, seed: int, resamples: int,
             compare: Sequence[tuple[str, str]] = (), notes: list[str] | None = None) -> MetaEvaluation:
    import numpy as np

    from ..stats.bootstrap import resample_counts

    human = judged.summary_scores()
    clusters = sorted({c for c, _ in human})
    systems = [s for s in results.systems if any((c, s.label) in human for c in clusters)]
    H = np.array([[human.get((c, s.label), np.nan) for s in systems] for c in clusters], dtype=float)
    counts = resample_counts(len(clusters), seed, resamples)
    notes = list(notes or [])
    from .partial import PartialAgreement, partial_pearson, perfect_auc

    subsets = sorted(set(judged.subsets.values()))
    masks = {"all": np.ones_like(H, dtype=bool)}
    for g in subsets:
        masks[g] = np.array([[judged.subsets.get((c, s.label)) == g for s in systems] for c in clusters])
    values, draws, partial = [], {}, []
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
            name = value_name(results.metrics, m.label, key)
            negated = key in m.lower_is_better
            agreement, tau_draws = _value(name, m.label, key, -M if negated else M, H, counts)
            agreement.negated = negated
            values.append(agreement)
            draws[name] = tau_draws
            for g, mask in masks.items():
                Mg, Hg = np.where(mask, -M if negated else M, np.nan), np.where(mask, H, np.nan)
                r, r_draws = partial_pearson(Mg, Hg, counts)
                auc, perfect = perfect_auc(Mg, Hg)
                n = int(np.sum(np.isfinite(Mg) & np.isfinite(Hg)))
                if n:
                    partial.append(PartialAgreement(name, g, n, _est(r, r_draws), auc, perfect))
    if not values:
        raise MetaError("the run has no numeric metric value for the judged summaries")
    keypoints = [k for m in results.metrics if m.status == "ok"
                 for k in [_keypoint_level(m.label, results, judged, clusters, counts)] if k is not None]
    diffs = _differences(values, draws, compare)
    return MetaEvaluation(str(results.path), results.manifest["suite"]["name"], judged.path, seed, resamples,
                          int(np.sum(np.isfinite(H))), len(clusters), len(systems), len(judged.labels),
                          judged.partial, judged.derived, keypoints, values, diffs, notes, partial)


def _number(v: Any) -> float:
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    return float(v) if ok else float("nan")


def _est(value, draws=None) -> Estimate:
    from ..stats.bootstrap import percentile_interval

    value = None if value is None or not math.isfinite(value) else float(value)
    if value is None or draws is None:
        return Estimate(value)
    ci = percentile_interval(draws)
    return Estimate(value, *(ci or (None, None)))


def _value(name: str, metric: str, key: str, M, H, counts):
    """Summary- and system-level agreement of one metric value, with the bootstrap draws of both taus."""
    import numpy as np

    from ..stats.correlation import kendall_tau_b, kendall_tau_b_rows, pearson_from_sums

    both = np.isfinite(M) & np.isfinite(H)
    missing = int(np.sum(np.isfinite(H) & ~np.isfinite(M)))
    taus = np.full(len(M), np.nan)
    for c in range(len(M)):
        taus[c] = kendall_tau_b(M[c, both[c]], H[c, both[c]])
    ok = np.isfinite(taus)
    with np.errstate(invalid="ignore", divide="ignore"):
        tau_draws = (counts @ np.where(ok, taus, 0.0)) / (counts @ ok)
    summary_tau = _est(float(np.mean(taus[ok])) if ok.any() else None, tau_draws)
    x, y, w = np.where(both, M, 0.0), np.where(both, H, 0.0), both.astype(float)
    per_cluster = np.stack([w.sum(1), x.sum(1), y.sum(1), (x * x).sum(1), (y * y).sum(1), (x * y).sum(1)], axis=1)
    pooled = pearson_from_sums(*per_cluster.sum(0))
    pooled_draws = pearson_from_sums(*(counts @ per_cluster).T)
    # system level: each system's means over the clusters where both scores exist
    with np.errstate(invalid="ignore", divide="ignore"):
        sys_m, sys_h = x.sum(0) / w.sum(0), y.sum(0) / w.sum(0)
        draw_m, draw_h = (counts @ x) / (counts @ w), (counts @ y) / (counts @ w)
    have = np.isfinite(sys_m)
    system_tau = kendall_tau_b(sys_m[have], sys_h[have])
    system_draws = kendall_tau_b_rows(draw_m, draw_h)
    r = pearson_from_sums(have.sum(), sys_m[have].sum(), sys_h[have].sum(), (sys_m[have] ** 2).sum(),
                          (sys_h[have] ** 2).sum(), (sys_m[have] * sys_h[have]).sum())
    dm, dh = np.where(np.isfinite(draw_m), draw_m, 0.0), np.where(np.isfinite(draw_m), draw_h, 0.0)
    r_draws = pearson_from_sums(np.isfinite(draw_m).sum(1), dm.sum(1), dh.sum(1), (dm * dm).sum(1),
                                (dh * dh).sum(1), (dm * dh).sum(1))
    agreement = ValueAgreement(
        name, metric, key, False, int(both.sum()), missing, int(ok.sum()), int(np.sum(both.any(1) & ~ok)),
        summary_tau, _est(float(pooled), pooled_draws), int(have.sum()), _est(system_tau, system_draws),
        _est(float(r), r_draws))
    return agreement, {"summary": (summary_tau.value, tau_draws), "system": (agreement.system_tau.value, system_draws)}


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
        return _est(fn(*total), fn(*draws))

    auc = ag.roc_auc(scores, actual) if actual and all(s is not None for s in scores) else None
    return KeypointAgreement(label, int(total.sum()), partial, missing, both(ag.accuracy),
                             both(ag.balanced_accuracy), both(ag.cohen_kappa), both(ag.precision),
                             both(ag.recall), None if auc is None or not math.isfinite(auc) else auc)


def _differences(values: list[ValueAgreement], draws: dict, compare: Sequence[tuple[str, str]]) -> list[Difference]:
    names = [v.name for v in values]
    compare = [(_resolve(a, values), _resolve(b, values)) for a, b in compare]
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
        level_diffs = [_difference(level, a, b, draws) for a, b in pairs]
        for d, p in zip(level_diffs, holm([d.p_value if d.p_value is not None else 1.0 for d in level_diffs])):
            d.p_holm = p if d.p_value is not None else None
        out.extend(level_diffs)
    return out


def _resolve(wanted: str, values: list[ValueAgreement]) -> str:
    """A metric value by its display name, its key (kp_recall) or metric/key, when that is unique."""
    found = [v.name for v in values if wanted in (v.name, v.key, f"{v.metric}/{v.key}")]
    if len(found) == 1:
        return found[0]
    if found:
        raise MetaError(f"--compare: {wanted!r} is ambiguous ({', '.join(found)}); give the full name")
    raise MetaError(f"--compare: no metric value {wanted!r}; available: {', '.join(v.name for v in values)}")


def _difference(level: str, a: str, b: str, draws: dict) -> Difference:
    from ..stats.bootstrap import paired_bootstrap_p, percentile_interval

    (ta, da), (tb, db) = draws[a][level], draws[b][level]
    if ta is None or tb is None:
        return Difference(level, a, b, ta, tb, None, None, None, None)
    d = da - db
    ci = percentile_interval(d)
    p = paired_bootstrap_p(d)
    return Difference(level, a, b, ta, tb, ta - tb, *(ci or (None, None)), None if math.isnan(p) else p)
