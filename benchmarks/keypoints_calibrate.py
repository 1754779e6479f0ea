"""Calibrate the keypoints "covered" threshold on human labels and print its agreement.

    python benchmarks/keypoints_calibrate.py [--data ../shared/data] [--model all-MiniLM-L6-v2] [--folds 5]
        [--seeds N] [--sweep W]

Data: ``realsumm_dev50`` (prose summaries, key points labelled present/absent by
crowd majority) and ``summhay_conv_dev`` (bullet summaries, full/partial/not).
Prints, per set: the threshold the rule picks on all data, and cross-validated
figures (threshold picked on the other folds' clusters of both sets, applied to
the held-out clusters): key-point balanced accuracy and Cohen's kappa (SummHay:
full vs not, partial left out), per-summary Pearson of kp_recall with the human
coverage share (partial = 0.5), and system-level Kendall tau of mean kp_recall
with mean human coverage (REALSumm's 24 systems).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from benchmarks._kp_human import human_sets, kp_scores, pick_threshold, report, sweep  # noqa: E402


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    ap.add_argument("--model", default="all-MiniLM-L6-v2")
    ap.add_argument("--num-layers", type=int, default=None)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--seeds", type=int, default=1, metavar="N",
                    help="also print the spread of the CV figures over N fold assignments")
    ap.add_argument("--sweep", type=float, default=0.0, metavar="W",
                    help="also print the all-data figures at thresholds within +-W of the chosen one (step 0.01)")
    args = ap.parse_args(argv)
    sets = human_sets(args.data)
    if not sets:
        print(f"no human-labelled sets under {args.data} (realsumm_dev50, summhay_conv_dev)")
        return 1
    scored = {name: kp_scores(s, args.model, args.num_layers) for name, s in sets.items()}
    threshold = pick_threshold(list(scored.values()))
    out = report(scored, threshold, folds=args.folds)
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(f"model {out['model']}; threshold on all data {threshold:.3f} (rule: max mean balanced accuracy)")
    for name, r in out["sets"].items():
        print(f"\n{name}: {r['labels']} labels ({r['positives']} covered), {r['summaries']} summaries")
        print(f"  all-data threshold: BA {r['all']['balanced_accuracy']:.3f}  kappa {r['all']['kappa']:.3f}  "
              f"summary Pearson {r['all']['summary_pearson']:.3f}  system tau {r['all']['system_tau']}")
        cv = r["cv"]
        print(f"  {args.folds}-fold CV over clusters: BA {cv['balanced_accuracy']:.3f}  kappa {cv['kappa']:.3f}  "
              f"summary Pearson {cv['summary_pearson']:.3f}  system tau {cv['system_tau']}  "
              f"(fold thresholds {', '.join(f'{t:.3f}' for t in cv['thresholds'])})")
    if args.seeds > 1:
        print(f"\nfold assignment (seeds 0-{args.seeds - 1}; CV figures vary with which clusters share a fold):")
        runs = [report(scored, threshold, folds=args.folds, seed=k)["sets"] for k in range(args.seeds)]
        for name in scored:
            for key in ("balanced_accuracy", "kappa", "summary_pearson", "system_tau"):
                v = np.array([r[name]["cv"][key] for r in runs], float)
                print(f"  {name} CV {key}: mean {v.mean():.3f}  median {np.median(v):.3f}  "
                      f"min {v.min():.3f}  max {v.max():.3f}")
    if args.sweep:
        print("\nsensitivity (all data): threshold  " + "  ".join(f"{n}: BA kappa Pearson tau" for n in scored))
        for t, row in sweep(scored, threshold, args.sweep):
            print(f"  {t:.3f}  " + "  ".join(f"{r['balanced_accuracy']:.3f} {r['kappa']:.3f} {r['summary_pearson']:.3f} "
                                             f"{r['system_tau']}" for r in row.values()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
