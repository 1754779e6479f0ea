"""Reading a rubric judge's answer: the score it states, and what the model weighed for it.

The score is the first number of the answer (a mention of the scale itself,
"1-5" or "1 to 5", is skipped); it must be one of the scale's whole numbers,
else the answer is off the scale: a recorded failure, never a number.

Where the server returned token log-probabilities, the token that begins the
score carries the alternatives the model weighed (``top_logprobs``): each
alternative that is one of the scale's values adds its probability to that
value. The score is then the probability-weighted mean of the values (G-Eval,
Liu et al., EMNLP 2023), and the mass the scale's values got is recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Sequence

from bench.llm.logprobs import alternatives, token_at

from .criteria import Criterion

_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:[.,]\d+)?")
_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.S | re.I)


class OffScale(ValueError):
    """The answer states no score on the scale (the message says what it states)."""


@dataclass(frozen=True)
class Stated:
    score: int
    at: int  # where the number begins in the answer


def read_score(answer: str, criterion: Criterion) -> Stated:
    """The score the answer states; OffScale when it states none on the scale."""
    blank = lambda m: " " * len(m.group(0))  # noqa: E731 (keeps the offsets)
    text = _THINK.sub(blank, answer)
    text = re.sub(rf"(?<!\d){criterion.low}\s*(?:-|–|to)\s*{criterion.high}(?!\d)", blank, text)
    found = _NUMBER.search(text)
    if found is None:
        raise OffScale(f"no score in the answer (scale {criterion.low}-{criterion.high})")
    number = found.group(0)
    if not re.fullmatch(r"\d+", number) or int(number) not in criterion.values:
        raise OffScale(f"{number} is off the scale {criterion.low}-{criterion.high}")
    return Stated(int(number), found.start())


def weighted(logprobs: Sequence[dict[str, Any]] | None, answer: str, stated: Stated,
             criterion: Criterion) -> dict[str, Any] | None:
    """The probability-weighted mean over the scale at the score's token, the distribution and the scale's
    mass; None when there are no log-probabilities for it or its alternatives hold no value of the scale."""
    token = token_at(logprobs, answer, stated.at) if criterion.one_token else None
    if token is None:
        return None
    probability = dict.fromkeys(criterion.values, 0.0)
    for text, p in alternatives(token):
        piece = text.strip()
        if piece.isascii() and piece.isdigit() and int(piece) in probability:
            probability[int(piece)] += p
    mass = sum(probability.values())
    if mass <= 0:
        return None
    return {"score": sum(v * p for v, p in probability.items()) / mass,
            "distribution": {str(v): round(p / mass, 6) for v, p in probability.items()},
            "scale_mass": round(min(mass, 1.0), 6)}
