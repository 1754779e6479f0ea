"""Sentence ends glued to the next sentence by scraping ("community.Dr Venter").

A paragraph is cut where a space was lost between two sentences, so that the
sentence splitter sees each side as it would with the space, and every sentence
stays a slice of the text as written. A glued end is an end mark (``.``, ``!``,
``?``, ``...``) after two letters or digits, maybe closing quotes or brackets,
maybe an opening quote, then a capitalised word (or "A "/"I "). Not glued ends:

* chains of single letters: initials and abbreviations (``J.K.Rowling``,
  ``U.S.Army``, ``e.g.The``, ``a.m.``), decimals (``3.5``), lower-case
  continuations (``example.com``, ``Amazon.com``);
* a title before a name (``Gov.Perry``, ``Mrs.Smith``: pysbd's prepositive
  abbreviations), a word that holds its ``!`` (``Yahoo!News``: pysbd's list);
* a capitalised domain (``Amazon.Com``, ``bbc.Co.Uk``) and anything inside a
  URL or e-mail address (``example.com/News.Html``).

Closing quotes and brackets after the end mark stay with its sentence (a straight
single quote there is one: ``'go.'Then``). A straight double quote opens the next
sentence when the next double quote closes (``photo."Legal in NYC," she wrote``),
and closes this one when the next opens; when the next is glued too, when an odd
number come before it.
"""

from __future__ import annotations

import bisect
import functools
import re

_CANDIDATE = re.compile(r"(?<=[^\W_]{2})(\.\.\.|[.!?])([\"'”’)\]]*)([\"'“‘]?)(?=[A-Z][a-z]|[AI] )")
_DOMAIN = re.compile(r"(?:com|net|org|edu|gov|co|uk|io|tv)\b", re.IGNORECASE)
_DOUBLE_QUOTE = re.compile('"')
#: how far around an end mark its word is looked at (cost per end mark stays bounded)
_TOKEN_CHARS = 300


@functools.lru_cache(maxsize=1)
def _pysbd_words() -> tuple[frozenset[str], tuple[str, ...]]:
    """pysbd's titles written before a name ("gov", "mrs") and words ending in "!" ("Yahoo!")."""
    from pysbd.exclamation_words import ExclamationWords
    from pysbd.lang.english import English

    prepositive = frozenset(English.Abbreviation.PREPOSITIVE_ABBREVIATIONS)
    return prepositive, tuple(w for w in ExclamationWords.EXCLAMATION_WORDS if w.endswith("!"))


def glued_pieces(para: str) -> list[str]:
    """``para`` cut at its glued sentence ends (``[para]`` when it has none)."""
    cuts: list[int] = []
    quotes: list[int] | None = None  # where the paragraph's straight double quotes are
    for m in _CANDIDATE.finditer(para):
        if quotes is None and '"' in m.group():
            quotes = [q.start() for q in _DOUBLE_QUOTE.finditer(para)]
        cut = _cut(para, m, quotes)
        if cut is not None:
            cuts.append(cut)
    if not cuts:
        return [para]
    bounds = [0, *cuts, len(para)]
    return [para[a:b] for a, b in zip(bounds, bounds[1:])]


def _cut(para: str, m: re.Match, quotes: list[int] | None) -> int | None:
    """Where the sentence ending at ``m`` ends, or None when ``m`` is no sentence end."""
    mark, closers, opener = m.group(1), m.group(2), m.group(3)
    start, after = m.start(), m.end()
    lo, hi = max(0, start - _TOKEN_CHARS), min(len(para), after + _TOKEN_CHARS)
    space_after = para.find(" ", after, hi)
    token = para[para.rfind(" ", lo, start) + 1 : space_after if space_after >= 0 else hi]
    if "/" in token or "@" in token or token.lower().startswith("www."):
        return None  # a URL or an e-mail address
    prepositive, exclaimed = _pysbd_words()
    word = start
    while word > lo and para[word - 1].isalpha():
        word -= 1
    if mark == "." and para[word:start].lower() in prepositive:
        return None
    if mark == "!" and para.endswith(exclaimed, 0, start + 1):
        return None
    if mark == "." and not closers and not opener and _DOMAIN.match(para, after):
        return None
    cut = start + len(mark)
    for ch in closers + opener:
        if ch in "“‘" or (ch == '"' and not _closes(para, cut, quotes)):
            break  # an opening quote: the next sentence starts with it
        cut += 1
    return cut


def _closes(para: str, at: int, quotes: list[int]) -> bool:
    """Whether the straight double quote at ``at`` closes a quotation (``quotes``:
    where they all are)."""
    k = bisect.bisect_right(quotes, at)
    if k < len(quotes):
        nxt = quotes[k]
        if nxt == 0 or para[nxt - 1].isspace():
            return True
        if nxt + 1 == len(para) or not para[nxt + 1].isalnum():
            return False
    return (k - 1) % 2 == 1
