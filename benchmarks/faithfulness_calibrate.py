"""Fit the faithfulness metric's graded score on FRANK's validation split and print its agreement.

    python benchmarks/faithfulness_calibrate.py [--data ../shared/data/frank_dev] [--folds 5] [--seed 0]

Measures every summary sentence's features (bench.faithfulness.features) once,
then fits the logistic model (mean sentence probability against the human share
of error-free sentences) with cross-validation over articles: each fold's
summaries are scored by the model fitted on the other folds. Prints the CV
figures (FRANK protocol: partial Pearson with per-system means removed, per data
set; system Kendall tau; AUC of fully factual summaries) and the all-data
constants for bench/faithfulness/calibration.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from benchmarks._frank import DATA, figures, load  # noqa: E402

L2 = 1e-3


def sentence_features(frank, cache: Path | None = None) -> list[np.ndarray]:
    """Per summary, its sentences' feature rows (FEATURES order), measured with a neutral calibration."""
    from bench.faithfulness import calibration as cal_mod
    from bench.faithfulness.features import FEATURES
    from bench.metrics._models import MINILM
    from bench.metrics.faithfulness import Faithfulness
    from bench.plugins import ItemFailure

    n = len(FEATURES)
    cal_mod.CALIBRATED.setdefault(MINILM, cal_mod.Calibration(MINILM, (0.0,) * n, (1.0,) * n, (0.0,) * (n + 1),
                                                               0.5, "neutral"))
    if cache is not None and cache.is_file():
        return list(np.load(cache, allow_pickle=True))
    results = Faithfulness().score(frank.items)
    out = []
    for r in results:
        if isinstance(r, ItemFailure):
            out.append(np.zeros((0, n)))
        else:
            out.append(np.array([[s["features"][k] for k in FEATURES] for s in r.details["sentences"]], float))
    if cache is not None:
        np.save(cache, np.array(out, dtype=object), allow_pickle=True)
    return out


def fit(rows: list[np.ndarray], human: np.ndarray, idx: list[int]):
    from scipy.optimize import minimize

    allx = np.concatenate([rows[i] for i in idx])
    mean, scale = allx.mean(0), allx.std(0) + 1e-9
    z = [(rows[i] - mean) / scale for i in idx]
    y = human[idx]

    def loss(w):
        p = np.array([(1 / (1 + np.exp(-(x @ w[1:] + w[0])))).mean() for x in z])
        return ((p - y) ** 2).mean() + L2 * (w[1:] ** 2).sum()

    w = minimize(loss, np.zeros(allx.shape[1] + 1), method="L-BFGS-B").x
    return mean, scale, w


def probabilities(x: np.ndarray, mean, scale, w) -> np.ndarray:
    return 1 / (1 + np.exp(-(((x - mean) / scale) @ w[1:] + w[0])))


def settled(x: np.ndarray, p: np.ndarray, threshold: float) -> np.ndarray:
    """The product's sentence scores (bench.faithfulness.judge.settle) from the model's."""
    from bench.faithfulness.features import FEATURES
    from bench.faithfulness.judge import settle

    c, u = x[:, FEATURES.index("contradicted")] > 0, x[:, FEATURES.index("unsupported")] > 0
    return np.array([settle(float(pi), bool(ci), bool(ui), threshold) for pi, ci, ui in zip(p, c, u)])


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


def cross_validated(rows: list[np.ndarray], frank, seed: int = 0, folds: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Per summary, out of fold: (graded mean, share of sentences at or above the threshold); folds are
    articles, the threshold is picked on the training folds; NaN for a summary without checkable sentences."""
    human = np.array(frank.human)
    usable = [i for i, r in enumerate(rows) if len(r)]
    clusters = sorted({frank.items[i].cluster.id for i in usable})
    order = np.random.default_rng(seed).permutation(len(clusters))
    fold = {clusters[j]: k % folds for k, j in enumerate(order)}
    score = np.full(len(rows), np.nan)
    share = np.full(len(rows), np.nan)
    for f in range(folds):
        train = [i for i in usable if fold[frank.items[i].cluster.id] != f]
        mean, scale, w = fit(rows, human, train)
        t = pick_threshold(rows, human, train, mean, scale, w)
        for i in (i for i in usable if fold[frank.items[i].cluster.id] == f):
            p = settled(rows[i], probabilities(rows[i], mean, scale, w), t)
            score[i], share[i] = p.mean(), np.mean(p >= t)
    return score, share


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cache", type=Path, default=None, help="keep the measured features in this .npy file")
    args = ap.parse_args(argv)
    frank = load(args.data)
    rows = sentence_features(frank, args.cache)
    human = np.array(frank.human)
    usable = [i for i, r in enumerate(rows) if len(r)]
    score, share = cross_validated(rows, frank, args.seed, args.folds)
    print(f"FRANK validation split: {len(rows)} summaries ({len(usable)} with checkable sentences), "
          f"{args.folds}-fold CV over articles (seed {args.seed})")
    for name, v in (("faithfulness (graded mean)", score), ("supported (share of verdicts)", share)):
        f = figures(v, frank)
        print(f"  {name:32s} partial Pearson CNN/DM {f['cnndm_partial']:.3f}  XSum {f['xsum_partial']:.3f}  "
              f"| system tau CNN/DM {f['cnndm_system_tau']:.2f}  | AUC fully factual CNN/DM {f['cnndm_auc']:.3f}  "
              f"XSum {f['xsum_auc']:.3f}")
    mean, scale, w = fit(rows, human, usable)
    t = pick_threshold(rows, human, usable, mean, scale, w)
    fmt = lambda a: "(" + ", ".join(f"{x:.6g}" for x in a) + ")"  # noqa: E731
    print("all-data constants for bench/faithfulness/calibration.py:")
    print(f"  mean={fmt(mean)},\n  scale={fmt(scale)},\n  weights={fmt(w)},\n  threshold={t:.3f},")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
