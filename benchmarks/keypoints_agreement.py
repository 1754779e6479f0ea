"""Print the keypoints metric's agreement with the hand labels (tests/fixtures/keypoints_labels.json).

    python benchmarks/keypoints_agreement.py [model] [--json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.metrics._calibrate import decisions, midpoint, report  # noqa: E402
from bench.metrics.keypoints import KeyPoints  # noqa: E402


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    metric = KeyPoints(model=args[0]) if args else KeyPoints()
    reason = metric.unavailable_reason()
    if reason and "threshold" in reason:
        metric = KeyPoints(model=metric.model, threshold=0.0)  # only to compute similarities
        reason = metric.unavailable_reason()
    if reason:
        print(f"keypoints unavailable: {reason}")
        return 1
    ds = decisions(metric)
    pinned = KeyPoints(model=metric.model).cutoff() if KeyPoints(model=metric.model).unavailable_reason() is None else midpoint(ds)
    result = report(ds, pinned)
    if "--json" in argv:
        print(json.dumps(result, indent=2))
        return 0
    print(f"model {metric.resolved().name} layer {metric.resolved().num_layers}")
    print(f"threshold in use {result['threshold']:.4f}; midpoint rule on these labels {result['midpoint_threshold']:.4f}")
    print(f"agreement with labels: {result['agreement']:.1%} of {result['decisions']} (candidate, reference) decisions")
    print(f"leave-one-candidate-out agreement: {result['leave_one_out_agreement']:.1%}")
    print("by kind: " + ", ".join(f"{k} {v:.0%}" for k, v in result["by_kind"].items()))
    print(f"covered vs not: {result['covered_vs_not']}; right decision but wrong key point: {result['wrong_keypoint']}")
    for line in result["disagreements"]:
        print("  disagree " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
