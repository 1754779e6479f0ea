"""P(covered) per key point from a judge answer's token log-probabilities.

The answer is JSON (``{"keypoints": [{"keypoint": 1, "label": "covered", ...}]}``).
At the first token of each label (or SummHay's ``coverage``) value, the server's ``top_logprobs`` give the
alternatives it weighed; the probability of "covered" is the mass of the
alternatives that begin "covered", over the mass of those that begin any label
(covered, partly, not). Key points whose label token cannot be found, or whose
alternatives name no label, get None. The k-th label in the text belongs to
the k-th entry of the JSON, whose ``keypoint`` number says which key point it is.
"""

from __future__ import annotations

import math
import re
from typing import Any, Sequence

_LABEL_VALUE = re.compile(r'"(?:label|coverage)"\s*:\s*"')
#: the words of each label (the one-request-per-summary protocol, and SummHay's coverage)
LABELS = {"covered": ("covered", "full"), "partly": ("partly", "partial"), "not": ("not", "no")}


def p_covered(logprobs: Sequence[dict[str, Any]] | None, keypoint_order: Sequence[int | None]) -> dict[int, float]:
    """0-based key point -> P(covered), for the labels found; ``keypoint_order``: the 0-based key point of
    each JSON entry in answer order (None for an entry that judged none)."""
    if not logprobs:
        return {}
    starts, text = [], ""
    for token in logprobs:  # character offset where each token begins
        starts.append(len(text))
        text += str(token.get("token", ""))
    matches = list(_LABEL_VALUE.finditer(text))
    if len(matches) != len(keypoint_order):  # labels not where the entries are: no guess
        return {}
    out: dict[int, float] = {}
    for k, match in enumerate(matches):
        if k >= len(keypoint_order) or keypoint_order[k] is None:
            continue
        at = _token_at(starts, match.end())
        if at is None:
            continue
        p = _share(logprobs[at])
        if p is not None:
            out[keypoint_order[k]] = p
    return out


def _token_at(starts: list[int], offset: int) -> int | None:
    """The token that begins at ``offset`` (or holds it, when the quote and the label share a token)."""
    for i in range(len(starts) - 1, -1, -1):
        if starts[i] <= offset:
            return i
    return None


def _share(token: dict[str, Any]) -> float | None:
    mass = dict.fromkeys(LABELS, 0.0)
    alternatives = token.get("top_logprobs") or [{"token": token.get("token"), "logprob": token.get("logprob")}]
    for alt in alternatives:
        piece = str(alt.get("token", "")).strip().strip('"').lower()
        logprob = alt.get("logprob")
        if not piece or not isinstance(logprob, (int, float)):
            continue
        for label, words in LABELS.items():
            if any(word.startswith(piece) or piece.startswith(word) for word in words):
                mass[label] += math.exp(logprob)
                break
    total = sum(mass.values())
    return round(mass["covered"] / total, 6) if total > 0 else None
