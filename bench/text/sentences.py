"""Offline, paragraph-aware sentence segmentation (pysbd, rule-based)."""

from __future__ import annotations

import functools
import re

from .units import HAN_KANA, han_kana_share

_PARAGRAPH = re.compile(rf"\n\s*\n|\n(?=\s*[A-Z0-9\"“‘'(\[•\-–—*「『{HAN_KANA}])")
#: a paragraph with this share of Han/kana characters is split with pysbd's Chinese rules
HAN_KANA_PARAGRAPH = 0.3
_SPACE = re.compile(r"\s+")


@functools.lru_cache(maxsize=4)
def _segmenter(language: str):
    import pysbd  # small, pure Python; imported on first use

    return pysbd.Segmenter(language=language, clean=False)


def paragraphs(text: str) -> list[str]:
    """Split on blank lines and on line breaks that start a new block.

    Scraped text often has one paragraph per line; a headline on its own line
    must not be glued to the first sentence.
    """
    parts = [_SPACE.sub(" ", p).strip() for p in _PARAGRAPH.split(text)]
    return [p for p in parts if p]


def split_sentences(text: str, language: str = "en") -> list[str]:
    """Sentences in order; never crosses a paragraph boundary.

    Paragraphs written mostly in Han/kana use pysbd's Chinese rules (。！？,
    closing brackets 」 kept with their sentence).
    """
    out: list[str] = []
    for para in paragraphs(text):
        start = len(out)
        lang = "zh" if language == "en" and han_kana_share(para) >= HAN_KANA_PARAGRAPH else language
        for sent in _segmenter(lang).segment(para):
            sent = sent.strip()
            if not sent:
                continue
            if len(out) > start and not any(ch.isalnum() for ch in sent):
                out[-1] = f"{out[-1]}{sent}"  # a stray closing quote or bracket
            else:
                out.append(sent)
    return out
