"""Cheaper variants of the faithfulness metric, cross-validated on FRANK beside the shipped features.

    python benchmarks/faithfulness_variants.py [--data ../shared/data/frank_dev] [--cache feats.npy] [--seeds 3]

Each variant is fitted and scored like ``faithfulness_calibrate.py`` (5-fold CV over
articles, threshold picked on the training folds), averaged over seeds:

- shipped: every feature of ``bench.metrics.faithfulness.features.FEATURES``;
- lexical only: without the embedding features (no model at all);
- gated: the embedding features only for sentences whose content words are not
  all in one source sentence (the others skip the model; their similarity and
  weakest match are taken as 1).

Why: faithfulness embeds evidence passages that keypoints does not, so it is
slower; these are the ways under keypoints' time, and what they cost.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._frank import DATA, figures, load  # noqa: E402
from benchmarks.faithfulness_calibrate import cross_validated, sentence_features  # noqa: E402
from bench.metrics.faithfulness.features import FEATURES  # noqa: E402

EMBEDDED = [FEATURES.index("similarity"), FEATURES.index("weakest")]
SUPPORT1 = FEATURES.index("support1")


def lexical_only(r: np.ndarray) -> np.ndarray:
    r = r.copy()
    r[:, EMBEDDED] = 0.0  # a constant column carries nothing
    return r


def gated(r: np.ndarray) -> np.ndarray:
    r = r.copy()
    copied = r[:, SUPPORT1] >= 0.999
    r[np.ix_(copied, EMBEDDED)] = 1.0
    return r


VARIANTS = {"shipped": lambda r: r, "lexical only": lexical_only, "gated": gated}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--cache", type=Path, default=None, help="keep the measured features in this .npy file")
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args(argv)
    frank = load(args.data)
    rows = sentence_features(frank, args.cache)
    cnndm = [r for i, r in enumerate(rows) if len(r) and frank.dataset[i] == "cnndm"]
    xsum = [r for i, r in enumerate(rows) if len(r) and frank.dataset[i] == "xsum"]
    for name, part in (("CNN/DM", cnndm), ("XSum", xsum)):
        print(f"{name}: {np.mean(np.concatenate(part)[:, SUPPORT1] >= 0.999):.1%} of sentences skip the model "
              f"when gated")
    print(f"{'variant':14} {'CNN/DM':>7} {'XSum':>7} {'AUC CNN/DM':>11} {'AUC XSum':>9} {'tau CNN/DM':>11}")
    for name, change in VARIANTS.items():
        changed = [change(r) if len(r) else r for r in rows]
        runs = [figures(cross_validated(changed, frank, seed)[0], frank) for seed in range(args.seeds)]
        m = {k: float(np.mean([r[k] for r in runs])) for k in runs[0]}
        print(f"{name:14} {m['cnndm_partial']:7.3f} {m['xsum_partial']:7.3f} {m['cnndm_auc']:11.3f} "
              f"{m['xsum_auc']:9.3f} {m['cnndm_system_tau']:11.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
