"""A summary's sentences as the embedding metrics take them: bullets without markup or citation
markers, split by ``bench.text.sentences.split_sentences``. Keypoints, faithfulness and the LLM fact
checker cut a summary this one way, so its sentences are the same texts (embedded once)."""

from __future__ import annotations

import re
from typing import Sequence

_CITATION = re.compile(r"\[\d+(?:\s*[,;]\s*\d+)*\]")
_MARKUP = re.compile(r"(\*\*|__|`|^\s*#+\s*|^\s*>\s*)", re.MULTILINE)


def plain(text: str) -> str:
    """Bullet text without Markdown emphasis/heading marks and citation markers like [3][12]."""
    return " ".join(_MARKUP.sub(" ", _CITATION.sub(" ", text)).split())


def sentences(bullet: str) -> list[str]:
    """A bullet's sentences (markup removed), the units key points are matched against."""
    from bench.text.sentences import split_sentences

    text = plain(bullet)
    return split_sentences(text) or [text]


def clean(bullets: Sequence[str]) -> list[str]:
    """Non-empty bullets (indices in ``details`` count these)."""
    return [b.strip() for b in bullets if plain(b)]
