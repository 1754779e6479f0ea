"""One word tokeniser for the lexical metrics (length, extractiveness, grounding)."""

from __future__ import annotations

import functools
import re
import unicodedata

from bench.text.units import HAN_KANA

# a word: letters/digits, keeping inner apostrophes, hyphens, dots and commas in numbers;
# each Han character or kana is a word of its own (as in budgets, bench.text.units)
_WORD = re.compile(rf"[{HAN_KANA}]|[^\W_{HAN_KANA}]+(?:['’.,\-][^\W_{HAN_KANA}]+)*")
TOKENIZER = ("NFKC, lowercase, unicode words (inner ' - . , kept: 27-29, U.S; trailing 's dropped); "
             "each Han/kana character a word")

# British -> American spellings common in news (outlets differ)
_SPELLING = {"defence": "defense", "offence": "offense", "programme": "program", "centre": "center",
             "favour": "favor", "labour": "labor", "organisation": "organization"}

STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with from as into onto over under about after before
    is are was were be been being has have had do does did will would shall should can could may might must
    it its this that these those he she they them his her their we our you your i me my not no nor so than
    too very also just there here which who whom whose what when where why how all any both each few more
    most other some such only own same s t said says say""".split()
)


def words(text: str) -> list[str]:
    """Lowercased word tokens."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    out = []
    for w in _WORD.findall(text):
        w = w.rstrip(".,") or w
        w = w[:-2] if w.endswith("'s") and len(w) > 2 else w
        out.append(_SPELLING.get(w, w))
    return out


@functools.lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _stemmer().stem(word) if word.isalpha() and len(word) > 3 else word


@functools.lru_cache(maxsize=1)
def _stemmer():
    from nltk.stem import porter  # installed with rouge-score

    return porter.PorterStemmer()


def content_terms(text: str) -> list[str]:
    """Stemmed words without stopwords: the units whose support is checked."""
    return [_stem(w) for w in words(text) if w not in STOPWORDS]
