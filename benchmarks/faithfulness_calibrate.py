"""Fit the faithfulness metric's graded score on FRANK and SummEval (dev halves) and print its agreement.

    python benchmarks/faithfulness_calibrate.py [--folds 5] [--seed 0] [--cache DIR] [--frank-only]

Measures every summary sentence's features (bench.metrics.faithfulness.features) once,
then fits the logistic model (mean sentence probability against the human
share of error-free sentences: FRANK's factuality, SummEval's consistency
mapped from 1-5 to 0-1; each data set weighs as much as the other) with
cross-validation over articles: each fold's summaries are scored by the model
fitted on the other folds. Prints the CV figures (FRANK protocol: partial
Pearson with per-system means removed, per data set, system Kendall tau, AUC
of fully factual summaries; SummEval protocol: Spearman per article averaged,
system Kendall tau over the 16 systems) and the all-data constants for
bench/metrics/faithfulness/calibration.py.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from benchmarks import _frank, _summeval  # noqa: E402

L2 = 1e-3


@dataclass
class Pool:
    """Summaries of one or more data sets, with the human share of faithful sentences each is fitted to."""

    items: list
    human: list[float]
    weight: list[float]  # per summary: each data set weighs 1 in all
    group: list[int]  # per summary: its data set (folds are drawn per data set)


def pooled(*sets: tuple[list, list[float]]) -> Pool:
    out = Pool([], [], [], [])
    for k, (items, human) in enumerate(sets):
        out.items += items
        out.human += human
        out.weight += [1.0 / len(items)] * len(items)
        out.group += [k] * len(items)
    return out


def folds_by_article(data, usable: list[int], seed: int, folds: int) -> dict[str, int]:
    """Each article's fold, drawn per data set (so FRANK's folds are those of a FRANK-only run)."""
    group = getattr(data, "group", [0] * len(data.items))
    fold = {}
    for g in sorted(set(group)):
        clusters = sorted({data.items[i].cluster.id for i in usable if group[i] == g})
        order = np.random.default_rng(seed).permutation(len(clusters))
        fold.update({clusters[j]: k % folds for k, j in enumerate(order)})
    return fold


def consistency_share(summeval) -> list[float]:
    """SummEval's consistency (1-5, the experts' mean) as a share: 5 is 1 (nothing unsupported), 1 is 0."""
    return [(c - 1.0) / 4.0 for c in summeval.human["consistency"]]


def sentence_features(data, cache: Path | None = None) -> list[np.ndarray]:
    """Per summary, its sentences' measurement rows (MEASURES order: the model's FEATURES first)."""
    if cache is not None and cache.is_file():
        return list(np.load(cache, allow_pickle=True))
    from bench.metrics.faithfulness.faithfulness import Faithfulness

    out = measured(Faithfulness().score(data.items))
    if cache is not None:
        np.save(cache, np.array(out, dtype=object), allow_pickle=True)
    return out


def measured(results) -> list[np.ndarray]:
    """Per result of the faithfulness metric, its sentences' measurement rows (none for a failure)."""
    from bench.metrics.faithfulness.features import MEASURES
    from bench.plugins import ItemFailure

    return [np.zeros((0, len(MEASURES))) if isinstance(r, ItemFailure) else
            np.array([[s["features"][k] for k in MEASURES] for s in r.details["sentences"]], float)
            for r in results]


def fit(rows: list[np.ndarray], human: np.ndarray, idx: list[int], weight: np.ndarray | None = None):
    from scipy.optimize import minimize

    allx = np.concatenate([inputs(rows[i]) for i in idx])
    mean, scale = allx.mean(0), allx.std(0) + 1e-9
    z = [(inputs(rows[i]) - mean) / scale for i in idx]
    y = human[idx]
    wt = np.ones(len(idx)) if weight is None else weight[idx]
    wt = wt / wt.sum()

    def loss(w):
        p = np.array([(1 / (1 + np.exp(-(x @ w[1:] + w[0])))).mean() for x in z])
        return (wt * (p - y) ** 2).sum() + L2 * (w[1:] ** 2).sum()

    w = minimize(loss, np.zeros(allx.shape[1] + 1), method="L-BFGS-B").x
    return mean, scale, w


def inputs(x: np.ndarray) -> np.ndarray:
    """The model's inputs of measurement rows: FEATURES, and any columns after MEASURES (an experiment's
    extra features, benchmarks/faithfulness_nli.py)."""
    from bench.metrics.faithfulness.features import FEATURES, MEASURES

    return np.concatenate([x[:, :len(FEATURES)], x[:, len(MEASURES):]], axis=1)


def probabilities(x: np.ndarray, mean, scale, w) -> np.ndarray:
    return 1 / (1 + np.exp(-(((inputs(x) - mean) / scale) @ w[1:] + w[0])))


def _column(x: np.ndarray, name: str) -> np.ndarray:
    from bench.metrics.faithfulness.features import MEASURES

    return x[:, MEASURES.index(name)]


def settled(x: np.ndarray, p: np.ndarray, threshold: float, floor: float) -> np.ndarray:
    """The product's sentence scores (bench.metrics.faithfulness.judge.settle) from the model's."""
    from bench.metrics.faithfulness.calibration import COPIED_LINE
    from bench.metrics.faithfulness.judge import settle

    c, u, k = _column(x, "contradicted") > 0, _column(x, "unsupported") > 0, _column(x, "copied") >= COPIED_LINE
    return np.array([settle(float(pi), bool(ci), bool(ui), threshold, floor if ki else None)
                     for pi, ci, ui, ki in zip(p, c, u, k)])


def copied_floor(rows, human, idx, weight=None) -> float:
    """The human share of faithful sentences in the summaries whose every sentence is copied and unflagged
    (weighted like the fit)."""
    from bench.metrics.faithfulness.calibration import COPIED_LINE

    ok = [i for i in idx if (_column(rows[i], "copied") >= COPIED_LINE).all()
          and not (_column(rows[i], "contradicted") > 0).any() and not (_column(rows[i], "unsupported") > 0).any()]
    wt = np.ones(len(ok)) if weight is None else np.asarray(weight)[ok]
    return float(np.average(human[ok], weights=wt))


def pick_threshold(rows, human, idx, mean, scale, w) -> float:
    """Best balanced accuracy on the sentences whose label is known: every sentence of a summary
    judged fully faithful (1) or with an error in every sentence (0)."""
    known = [i for i in idx if human[i] in (0.0, 1.0)]
    p = np.concatenate([probabilities(rows[i], mean, scale, w) for i in known])
    y = np.concatenate([np.full(len(rows[i]), human[i] == 1.0) for i in known])
    best, best_t = -1.0, 0.5
    for t in np.unique(np.round(p, 3)):
        pred = p >= t
        ba = (np.mean(pred[y]) + np.mean(~pred[~y])) / 2
        if ba > best + 1e-12:
            best, best_t = ba, float(t)
    return best_t


def cross_validated(rows: list[np.ndarray], data, seed: int = 0, folds: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Per summary, out of fold: (graded mean, share of sentences at or above the threshold); folds are
    articles, the threshold is picked on the training folds; NaN for a summary without checkable sentences.
    ``data``: ``items`` and ``human`` (NaN: never fitted on), and ``weight`` per summary (else equal)."""
    human = np.array(data.human)
    weight = np.array(data.weight) if hasattr(data, "weight") else None
    usable = [i for i, r in enumerate(rows) if len(r)]
    fold = folds_by_article(data, usable, seed, folds)
    score = np.full(len(rows), np.nan)
    share = np.full(len(rows), np.nan)
    for f in range(folds):
        train = [i for i in usable if fold[data.items[i].cluster.id] != f and np.isfinite(human[i])]
        mean, scale, w = fit(rows, human, train, weight)
        t = pick_threshold(rows, human, train, mean, scale, w)
        floor = copied_floor(rows, human, train, weight)
        for i in (i for i in usable if fold[data.items[i].cluster.id] == f):
            p = settled(rows[i], probabilities(rows[i], mean, scale, w), t, floor)
            score[i], share[i] = p.mean(), np.mean(p >= t)
    return score, share


def print_frank(values: dict[str, np.ndarray], frank) -> None:
    for name, v in values.items():
        f = _frank.figures(v, frank)
        print(f"  {name:30s} partial Pearson CNN/DM {f['cnndm_partial']:.3f}  XSum {f['xsum_partial']:.3f}\n"
              f"  {'':30s} system tau CNN/DM {f['cnndm_system_tau']:.2f}  AUC fully factual "
              f"CNN/DM {f['cnndm_auc']:.3f}  XSum {f['xsum_auc']:.3f}")


def print_summeval(values: dict[str, np.ndarray], summeval) -> None:
    clusters = [it.cluster.id for it in summeval.items]
    systems = [it.system for it in summeval.items]
    for name, v in values.items():
        for dim in ("consistency", "relevance"):
            f = _summeval.figures(v, summeval.human[dim], clusters, systems)
            print(f"  {name:30s} {dim:11s} rho {f['rho']:.3f}  tau {f['tau']:.3f}  "
                  f"system tau {f['system_tau']:.2f}")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--frank", type=Path, default=_frank.DATA)
    ap.add_argument("--summeval", type=Path, default=_summeval.DATA)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cache", type=Path, default=None, help="keep the measured features in this folder")
    ap.add_argument("--frank-only", action="store_true", help="fit on FRANK alone (SummEval is still scored)")
    args = ap.parse_args(argv)
    frank, summeval = _frank.load(args.frank), _summeval.load(args.summeval)
    if args.cache is not None:
        args.cache.mkdir(parents=True, exist_ok=True)
    feats = {name: sentence_features(d, args.cache / f"{name}.npy" if args.cache else None)
             for name, d in (("frank", frank), ("summeval", summeval))}
    rows = feats["frank"] + feats["summeval"]
    # with --frank-only, SummEval's targets are unknown (NaN): its summaries are scored, never fitted on
    target = [np.nan] * len(summeval.items) if args.frank_only else consistency_share(summeval)
    pool = pooled((frank.items, frank.human), (summeval.items, target))
    score, share = cross_validated(rows, pool, args.seed, args.folds)
    n = len(frank.items)
    usable = sum(1 for r in rows if len(r))
    print(f"FRANK validation split ({n} summaries) and SummEval dev half ({len(summeval.items)} summaries), "
          f"{usable} with checkable sentences; {args.folds}-fold CV over articles (seed {args.seed})")
    print("FRANK (human: share of sentences without a factual error)")
    print_frank({"faithfulness (graded mean)": score[:n], "supported (share of verdicts)": share[:n]}, frank)
    print("SummEval (experts' mean; per-article Spearman / Kendall averaged)")
    print_summeval({"faithfulness (graded mean)": score[n:], "supported (share of verdicts)": share[n:]}, summeval)
    human = np.array(pool.human)
    fitted = [i for i, r in enumerate(rows) if len(r) and np.isfinite(human[i])]
    mean, scale, w = fit(rows, human, fitted, np.array(pool.weight))
    t = pick_threshold(rows, human, fitted, mean, scale, w)
    floor = copied_floor(rows, human, fitted, np.array(pool.weight))
    fmt = lambda a: "(" + ", ".join(f"{x:.6g}" for x in a) + ")"  # noqa: E731
    print("all-data constants for bench/metrics/faithfulness/calibration.py:")
    print(f"  mean={fmt(mean)},\n  scale={fmt(scale)},\n  weights={fmt(w)},\n  threshold={t:.3f},\n"
          f"  copied_floor={floor:.3f},")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
