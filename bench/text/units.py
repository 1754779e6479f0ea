"""Word units for budgets and text shape, in scripts with and without spaces.

A word is a whitespace-separated token, except that each Chinese character
and each kana counts as one word (as word processors count them), with the
punctuation that follows it. Hangul is written with spaces and counts as usual.
"""

from __future__ import annotations

import re

#: Han ideographs and Japanese kana (no spaces between words)
HAN_KANA = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: Korean syllables (spaced words, but one ROUGE token per syllable)
HANGUL = "\uac00-\ud7af"

_UNIT = re.compile(rf"[{HAN_KANA}][^\s\w]*|[^\s{HAN_KANA}]+")
_HAN_KANA = re.compile(rf"[{HAN_KANA}]")
# token pattern (scikit-learn's default plus Han/kana): single Han/kana characters, else words of 2+ characters
_TOKEN_PATTERN = rf"(?u)[{HAN_KANA}]|[^\W{HAN_KANA}]{{2,}}"


def count_words(text: str) -> int:
    return len(_UNIT.findall(text))


# no word unit spans a space, and a Han/kana character always starts one
_UNIT_BREAK = re.compile(rf"[\s{HAN_KANA}]")
_PIECE_CHARS = 1 << 16


def count_words_upto(text: str, limit: float = float("inf")) -> int:
    """``count_words(text)``, or a count past ``limit`` once counting passes it:
    a piece of about 64k characters at a time, cut where no word unit spans, so
    that a huge text is never a list of all its words."""
    n, pos = 0, 0
    while pos < len(text) and n <= limit:
        end = pos + _PIECE_CHARS
        cut = _UNIT_BREAK.search(text, end) if end < len(text) else None
        end = cut.start() if cut else len(text)
        piece = text[pos:end]
        # without Han/kana a unit is a run of non-space characters: what str.split finds, faster
        n += len(_UNIT.findall(piece)) if _HAN_KANA.search(piece) else len(piece.split())
        pos = end
    return n


def cut_words(text: str, n: int) -> str:
    """The first ``n`` word units of ``text`` (its spacing kept)."""
    if n <= 0:
        return ""
    for i, m in enumerate(_UNIT.finditer(text)):
        if i == n - 1:
            return text[: m.end()]
    return text


def han_kana_share(text: str) -> float:
    """Share of non-space characters that are Han or kana."""
    if text.isascii():
        return 0.0
    chars = [c for c in text if not c.isspace()]
    return sum(1 for c in chars if _HAN_KANA.match(c)) / len(chars) if chars else 0.0


def vectorizer(counts: bool = False, **options):
    """A TF-IDF vectorizer (``counts=True``: counts only) with the shared tokenization:
    English stop words, each Han/kana character a token (bench.text.tfidf: the values
    of scikit-learn's TfidfVectorizer / CountVectorizer)."""
    from .tfidf import Vectorizer

    return Vectorizer(_TOKEN_PATTERN, idf=not counts, **options)


_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")


def non_latin_share(text: str) -> float:
    """Share of the letters of ``text`` that are not Latin script (CJK, Cyrillic, Arabic...); 0 without letters."""
    if text.isascii():
        return 0.0  # ASCII letters are Latin
    letters = sum(1 for ch in text if ch.isalpha())
    return (letters - len(_LATIN.findall(text))) / letters if letters else 0.0
