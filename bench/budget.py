"""One length budget applied identically to every system's output."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .text.candidates import MIN_WORDS
from .text.normalize import check_text
from .text.units import count_words, cut_words

__all__ = ["Budget", "BudgetFill", "Fitted", "apply_budget", "count_words", "describe_budget", "fill_budget"]

#: sentences an extractive system returns when the budget sets no word limit
DEFAULT_SENTENCES = 5


def describe_budget(budget: dict, none: str = "no budget") -> str:
    """``{"words": 120, "bullets": None}`` -> ``120 words`` (``none`` when neither is set)."""
    return ", ".join(f"{v} {k}" for k, v in budget.items() if v) or none


@dataclass(frozen=True)
class Budget:
    words: int | None = None
    bullets: int | None = None

    def __post_init__(self) -> None:
        for name in ("words", "bullets"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"budget {name} must be >= 1, got {value}")

    def as_dict(self) -> dict:
        return {"words": self.words, "bullets": self.bullets}


@dataclass(frozen=True)
class Fitted:
    bullets: tuple[str, ...]
    truncated: bool
    words_before: int
    bullets_before: int


def apply_budget(bullets: list[str] | tuple[str, ...], budget: Budget) -> Fitted:
    """Keep bullets in order until the budget is spent; cut the last at a word.

    Words are counted by :func:`bench.text.units.count_words` (each Chinese
    character or kana is a word).

    Text is normalised (``bench.text.normalize``: the same rules as suite
    text), whitespace collapsed and empty bullets dropped before counting.
    A bullet that is not a string, or holds broken Unicode, raises ``TypeError``/``ValueError``.
    """
    if isinstance(bullets, str) or not isinstance(bullets, (list, tuple)):
        raise TypeError(f"bullets must be a list of strings, got {type(bullets).__name__}")
    clean = _cleaned(bullets)
    words_before = sum(count_words(b) for b in clean)
    kept = clean[: budget.bullets] if budget.bullets else list(clean)
    if budget.words is not None:
        out, used = [], 0
        for b in kept:
            words = count_words(b)
            room = budget.words - used
            if room <= 0:
                break
            if words > room:
                out.append(cut_words(b, room))
                used = budget.words
                break
            out.append(b)
            used += words
        kept = out
    truncated = kept != clean
    return Fitted(tuple(kept), truncated, words_before, len(clean))


def _cleaned(bullets: Iterable[str]) -> list[str]:
    """Bullets as ``apply_budget`` counts them: normalised, whitespace collapsed, empty ones dropped."""
    return [b for b in (" ".join(check_text(b).split()) for b in bullets) if b]


class BudgetFill:
    """Whether bullets given a batch at a time fill ``budget`` already, so that
    ``apply_budget`` would keep none given after them (a reader in order can stop)."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.bullets = 0
        self.words = 0

    def add(self, bullets: Iterable[str]) -> bool:
        """Count ``bullets``; True once the budget is full."""
        for b in _cleaned(bullets):
            self.bullets += 1
            self.words += count_words(b)
        limit = self.budget
        return ((limit.bullets is not None and self.bullets >= limit.bullets)
                or (limit.words is not None and self.words >= limit.words))


def fill_budget(ranked: Iterable[str], budget: Budget) -> list[str]:
    """Take sentences in rank order while they fit the budget; skip ones too long.

    With no word limit, at most ``budget.bullets`` (else DEFAULT_SENTENCES) sentences.
    """
    limit = budget.bullets
    if budget.words is None and limit is None:
        limit = DEFAULT_SENTENCES
    ranked = list(ranked)
    out: list[str] = []
    used = 0
    for text in ranked:
        if limit is not None and len(out) >= limit:
            break
        n = count_words(text)
        if budget.words is not None and used + n > budget.words:
            if budget.words - used < MIN_WORDS:
                break
            continue
        out.append(text)
        used += n
    if not out and ranked and budget.words is not None:  # nothing fits: cut the best one
        out.append(cut_words(ranked[0], budget.words))
    return out
