"""What a judge weighed for a label: the first token of a JSON string value and its alternatives.

A judge answers JSON such as ``{"keypoints": [{"label": "covered"}, ...]}``.
Where the server returns token log-probabilities (``top_logprobs``), the
first token of each value of the named fields, in answer order, carries the
alternatives the model weighed; a label's share is the probability mass of
the alternatives that begin one of its words, over the mass of those that
begin any label's word (alternatives that begin no label are left out).
"""

from __future__ import annotations

import math
import re
from typing import Any, Mapping, Sequence

TOP_LOGPROBS = 5  # alternatives asked per token: enough to weigh a judge's labels


def value_tokens(logprobs: Sequence[dict[str, Any]] | None, fields: Sequence[str]) -> list[dict[str, Any]]:
    """The token that begins each string value of ``fields`` in the answer, in answer order."""
    if not logprobs:
        return []
    starts, text = _offsets(logprobs)
    pattern = re.compile(r'"(?:' + "|".join(re.escape(f) for f in fields) + r')"\s*:\s*"')
    out = []
    for match in pattern.finditer(text):
        at = max(i for i, s in enumerate(starts) if s <= match.end())  # begins the value, or holds its quote
        out.append(logprobs[at])
    return out


def token_at(logprobs: Sequence[dict[str, Any]] | None, content: str, offset: int) -> dict[str, Any] | None:
    """The token that holds character ``offset`` of the answer ``content``; None without log-probabilities
    or when their tokens do not spell the answer (leading and trailing spaces aside): no guess."""
    if not logprobs:
        return None
    starts, text = _offsets(logprobs)
    if text.strip() != content.strip():
        return None
    offset += (len(text) - len(text.lstrip())) - (len(content) - len(content.lstrip()))
    if not 0 <= offset < len(text):
        return None
    return logprobs[max(i for i, s in enumerate(starts) if s <= offset)]


def _offsets(logprobs: Sequence[dict[str, Any]]) -> tuple[list[int], str]:
    """The character offset where each token begins, and the text they spell."""
    starts, text = [], ""
    for token in logprobs:
        starts.append(len(text))
        text += str(token.get("token", ""))
    return starts, text


def alternatives(token: dict[str, Any]) -> list[tuple[str, float]]:
    """(text, probability) of each alternative the server gave for a token (the token itself without them)."""
    out = []
    for alt in token.get("top_logprobs") or [{"token": token.get("token"), "logprob": token.get("logprob")}]:
        logprob = alt.get("logprob")
        if isinstance(logprob, (int, float)):
            out.append((str(alt.get("token", "")), math.exp(logprob)))
    return out


def share(token: dict[str, Any], labels: Mapping[str, Sequence[str]], wanted: str) -> float | None:
    """The share of ``wanted`` among the labels the token's alternatives begin (None: they begin none)."""
    mass = dict.fromkeys(labels, 0.0)
    for text, p in alternatives(token):
        piece = text.strip().strip('"').lower()
        if not piece:
            continue
        for label, words in labels.items():
            if any(word.startswith(piece) or piece.startswith(word) for word in words):
                mass[label] += p
                break
    total = sum(mass.values())
    return round(mass[wanted] / total, 6) if total > 0 else None


def shares(logprobs: Sequence[dict[str, Any]] | None, fields: Sequence[str], labels: Mapping[str, Sequence[str]],
           wanted: str, order: Sequence[int | None]) -> dict[int, float]:
    """Item -> share of ``wanted`` for each entry of the answer (``order``: the item each JSON entry judged,
    in answer order; None for an entry that judged none). Nothing when the values found are not one per entry."""
    found = value_tokens(logprobs, fields)
    if len(found) != len(order):  # values not where the entries are: no guess
        return {}
    out: dict[int, float] = {}
    for token, item in zip(found, order):
        p = share(token, labels, wanted) if item is not None else None
        if p is not None:
            out[item] = p
    return out
