"""P(covered) per key point from a judge answer's token log-probabilities.

The answer is JSON (``{"keypoints": [{"keypoint": 1, "label": "covered", ...}]}``).
At the first token of each label (or SummHay's ``coverage``) value, the server's ``top_logprobs`` give the
alternatives it weighed; the probability of "covered" is the mass of the
alternatives that begin "covered", over the mass of those that begin any label
(covered, partly, not): ``bench.llm.logprobs``. Key points whose label token
cannot be found, or whose alternatives name no label, get None. The k-th label
in the text belongs to the k-th entry of the JSON, whose ``keypoint`` number
says which key point it is.
"""

from __future__ import annotations

from typing import Any, Sequence

from bench.llm.logprobs import shares

#: the words of each label (the one-request-per-summary protocol, and SummHay's coverage)
LABELS = {"covered": ("covered", "full"), "partly": ("partly", "partial"), "not": ("not", "no")}


def p_covered(logprobs: Sequence[dict[str, Any]] | None, keypoint_order: Sequence[int | None]) -> dict[int, float]:
    """0-based key point -> P(covered), for the labels found; ``keypoint_order``: the 0-based key point of
    each JSON entry in answer order (None for an entry that judged none)."""
    return shares(logprobs, ("label", "coverage"), LABELS, "covered", keypoint_order)
