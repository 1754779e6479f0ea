"""Offline, paragraph-aware sentence segmentation (pysbd, rule-based).

Cost is linear in the text: pysbd runs on one paragraph at a time (its time per
character grows with the length of the string it is given), a paragraph longer
than CHUNK_CHARS is cut first at sentence ends pysbd would not miss, and each
paragraph's sentences are memoised (a cluster's text is split by several
systems and by the grounding metric).
"""

from __future__ import annotations

import functools
import re

from .glued import glued_pieces
from .tokenised import sentence_ends
from .units import HAN_KANA, han_kana_share

_PARAGRAPH = re.compile(rf"\n\s*\n|\n(?=\s*[A-Z0-9\"“‘'(\[•\-–—*「『{HAN_KANA}])")
#: a paragraph with this share of Han/kana characters is split with pysbd's Chinese rules
HAN_KANA_PARAGRAPH = 0.3
_SPACE = re.compile(r"\s+")
#: longer paragraphs are cut before pysbd (real news paragraphs: under 2,000 characters)
CHUNK_CHARS = 10_000
# a safe cut: a lowercase word of 3+ letters, a full stop/!/?, a space, a capital
_CUT = re.compile(r"(?<=[a-z]{3}[.!?]) +(?=[A-Z])")


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
    closing brackets 」 kept with their sentence). Tokenised, lower-cased text
    (``... with burnley . just been ...``) is cut at its lone full stops first.
    """
    out: list[str] = []
    for para in paragraphs(text):
        out.extend(_paragraph_sentences(para, language))
    return out


@functools.lru_cache(maxsize=65536)
def _paragraph_sentences(para: str, language: str) -> tuple[str, ...]:
    lang = "zh" if language == "en" and han_kana_share(para) >= HAN_KANA_PARAGRAPH else language
    out: list[str] = []
    # sentences glued by scraping ("community.Dr Venter") are cut apart first
    pieces = (p for glued in glued_pieces(para) for p in sentence_ends(glued))
    for chunk in (c for piece in pieces for c in chunks(piece)):
        for sent in _segment(chunk, lang):
            sent = sent.strip()
            if not sent:
                continue
            if out and not any(ch.isalnum() for ch in sent):
                out[-1] = f"{out[-1]}{sent}"  # a stray closing quote or bracket
            else:
                out.append(sent)
    return tuple(out)


def _segment(text: str, language: str) -> list[str]:
    """``pysbd.Segmenter(language, clean=False).segment(text)``, with the sentences found
    in the text by ``str.find``: pysbd compiles a regular expression of each sentence
    to find it (over a third of its time on a 1,000-article cluster's paragraphs)."""
    return _as_written(text, _segmenter(language).processor(text).process()) if text else []


def _as_written(text: str, sentences: list[str]) -> list[str]:
    """Each sentence as written in ``text`` with its trailing whitespace: of its
    non-overlapping occurrences, the first that ends past the previous sentence's
    end (what pysbd's ``sentences_with_char_spans`` finds with ``sent\\s*``)."""
    out, prior = [], 0
    for sent in sentences:
        if not sent:  # the empty pattern: pysbd's own way
            match = next((m for m in re.finditer(r"\s*", text) if m.end() > prior), None)
            if match:
                out.append(match.group())
                prior = match.end()
            continue
        start = 0
        while (i := text.find(sent, start)) >= 0:
            end = i + len(sent)
            while end < len(text) and text[end].isspace():  # \s is str.isspace
                end += 1
            if end > prior:
                out.append(text[i:end])
                prior = end
                break
            start = end
    return out


def chunks(para: str, size: int = CHUNK_CHARS) -> list[str]:
    """``para`` itself, or cut into pieces of at most ``size`` characters: at the
    last safe sentence end in the second half of each piece, else at a space."""
    if len(para) <= size:
        return [para]
    out, pos = [], 0
    while len(para) - pos > size:
        window = para[pos : pos + size]
        cut = None
        for m in _CUT.finditer(window, size // 2):
            cut = m
        if cut is not None:
            end = pos + cut.start()
            nxt = pos + cut.end()
        else:
            space = window.rfind(" ", size // 2)
            end = nxt = pos + (space if space > 0 else size)
        out.append(para[pos:end])
        pos = nxt
    out.append(para[pos:])
    return [c for c in (c.strip() for c in out) if c]
