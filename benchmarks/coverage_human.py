"""The shipped `keypoints` metric against human key-point labels: balanced accuracy, kappa, AUC.

    python benchmarks/coverage_human.py [--data ../shared/data] [--sets summhay_conv_dev realsumm_dev50]

Scores every summary of each labelled set with `keypoints` as it ships (its
calibrated threshold; no refit: `benchmarks/keypoints_calibrate.py` refits with
cross-validation) and compares "covered" with the people's labels, full vs not
(SummHay's partial labels set aside): balanced accuracy, Cohen's kappa, and the
ROC AUC of the graded score. Figures on the same footing as
`benchmarks/llm_judge_local.py` prints for the LLM judges.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _kp_human import keypoints_figures, load_set  # noqa: E402


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    ap.add_argument("--sets", nargs="+", default=["summhay_conv_dev", "realsumm_dev50"])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    rows = {}
    for name in args.sets:
        folder = args.data / name
        if not folder.is_dir():
            print(f"{folder}: no such folder", file=sys.stderr)
            return 1
        s = load_set(folder)
        start = time.perf_counter()
        rows[name] = {**keypoints_figures(s), "summaries": len(s.items), "seconds": round(time.perf_counter() - start, 1)}
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    print("keypoints (as shipped) vs people, full vs not (partial set aside)")
    print(f"{'set':20} {'summaries':>9} {'labels':>7} {'bal.acc':>8} {'kappa':>7} {'AUC':>6} {'seconds':>8}")
    for name, f in rows.items():
        print(f"{name:20} {f['summaries']:>9} {f['n']:>7} {f['balanced_accuracy']:>8.3f} {f['kappa']:>7.3f} "
              f"{f['auc']:>6.3f} {f['seconds']:>8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
