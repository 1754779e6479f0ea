"""Calibrated "covered" thresholds of the ``keypoints`` metric, per model weights and layer.

Each threshold was chosen on human key-point coverage labels by
``benchmarks/keypoints_calibrate.py`` (rule: maximise the mean of the balanced
accuracies on the two development sets; REALSumm present vs not, SummHay full
vs not), which also prints cross-validated agreement figures. The signature of
the metric records the method string, so runs under another calibration are
never mixed with these.
"""

from __future__ import annotations

from typing import Any

from ..shared.models import MINILM_LAYER, MINILM_SHA256, ResolvedModel

METHOD = ("max mean balanced accuracy on human labels: realsumm_dev50 (12,792 present/absent) + "
          "summhay_conv_dev (443 full/not), benchmarks/keypoints_calibrate.py")

CALIBRATED: dict[tuple[str, int], dict[str, Any]] = {
    (MINILM_SHA256, MINILM_LAYER): {"threshold": 0.681, "method": METHOD},
}


def calibration_for(model: ResolvedModel) -> dict[str, Any] | None:
    return CALIBRATED.get((model.weights_sha256, model.num_layers))
