"""Numbers, dates and names of a summary sentence, checked against its sources.

A *specific* is a number (digits or number words), a date (a month, a weekday, a
year) or a name. Names are found by case where the sentence is cased; in text
written all in lower case (some systems' output) a word is a name when the
sources write it capitalised inside a sentence, or when it is in neither the
sources nor the general vocabulary given (``lexicon``).

Each specific is:

- ``contradicted`` when the evidence sentences hold another specific of the same
  kind in the same role (two of its context words, or its only one, within
  ROLE_WINDOW words on the same side: "was given a 3-year deal" against "was
  given a two-year deal"), which the sentence does not state;
- ``unsupported`` when it occurs in no source document;
- ``misplaced`` when it occurs in the sources but not in the evidence sentences
  (the sources may say it of something else);
- ``supported`` otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from .source import Source
from .words import DAYS, MONTHS, UNITS, Word, found, vocabulary

SPECIFICS = ("numbers (digits, number words), dates (months, weekdays, years 1800-2100) and names (capitalised "
             "words not first in the sentence, or first and a name in the sources; in lower-case text, words the "
             "sources capitalise or that are in neither the sources nor the model's vocabulary)")
ROLE_WINDOW = 3  # a specific's role: the content words at most this many words before or after it
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d|2100)$")


@dataclass(frozen=True)
class Specific:
    text: str
    start: int
    end: int
    kind: str  # number | date | name
    status: str  # supported | misplaced | unsupported | contradicted
    source_says: str | None = None  # contradicted: what the evidence states in its place

    def as_dict(self) -> dict:
        out = {"text": self.text, "start": self.start, "end": self.end, "kind": self.kind, "status": self.status}
        if self.source_says is not None:
            out["source_says"] = self.source_says
        return out


def kind_of(word: Word, opens: bool, lower_case: bool, source: Source,
            lexicon: frozenset[str] | None) -> str | None:
    """number, date, name or None for a word of a summary sentence (``opens``: it starts the sentence,
    a quotation or a clause after a colon, where any word is capitalised)."""
    if word.is_number:
        return "date" if any(_YEAR.match(a) for a in word.atoms) else "number"
    if not word.text[:1].isalpha() or word.is_stopword:
        return None
    if word.norm in DAYS or (word.norm in MONTHS and word.capitalised):
        return "date"
    novel = not found(word, source.vocabulary) and not _known(word, lexicon)
    if lower_case:
        return "name" if word.norm in source.names or (novel and lexicon is not None) else None
    if not word.capitalised:
        return None
    if not opens or word.norm in source.names or novel:
        return "name"
    return None


def _known(word: Word, lexicon: frozenset[str] | None) -> bool:
    """An ordinary word of the model's vocabulary, or one with an ending added ("queued", "tweets",
    "shameful"), whole or every atom of it."""
    if lexicon is None:
        return False
    known = lambda a: a in lexicon or any(b in lexicon for b in _bases(a))  # noqa: E731
    atoms = [a for a in word.atoms if a.isalpha()]
    return known(word.norm) or (bool(atoms) and all(known(a) for a in atoms))


def _bases(word: str) -> list[str]:
    """The word without an ending ("queued" -> "queue", "cities" -> "city", "shameful" -> "shame")."""
    out = []
    for end in ("ness", "ment", "ies", "ing", "ful", "ers", "est", "es", "ed", "ly", "er", "s", "d"):
        if word.endswith(end) and len(word) - len(end) >= 3:
            base = word[: -len(end)]
            out += [base + "y"] if end == "ies" else [base, base + "e"]
    return out


_OPENERS = set('"“‘:(—–[') | {"'"}


def openings(words: list[Word], text: str) -> list[bool]:
    """Per word: does it start the sentence, a quotation, a bracket or a clause after a colon or a
    full stop (where capitals say nothing of names)?"""
    out = []
    for i, w in enumerate(words):
        if i == 0 or not text:
            out.append(i == 0)
            continue
        gap = text[words[i - 1].end:w.start]
        out.append(any(ch in _OPENERS for ch in gap) or any(ch in ".?!" for ch in gap))
    return out


def check(words: list[Word], evidence: Iterable[int], source: Source,
          lexicon: frozenset[str] | None = None, text: str = "") -> list[Specific]:
    """Every specific of one summary sentence (``text``, the words' text, marks quotations) with its
    status, in order."""
    evidence = list(evidence)
    said_in = {s: vocabulary(source.rows[s].words) for s in evidence}
    near = frozenset().union(*said_in.values())
    lower_case = is_lower_case(words)
    kinds = [kind_of(w, o, lower_case, source, lexicon) for w, o in zip(words, openings(words, text))]
    out = []
    for i, (w, kind) in enumerate(zip(words, kinds)):
        if kind is None:
            continue
        if _found(w, kind, near):
            lacking = [s for s in evidence if not _found(w, kind, said_in[s])]
            other = _elsewhere(words, kinds, i, lacking, evidence[0], source)
            out.append(Specific(w.text, w.start, w.end, kind, "contradicted", other) if other is not None
                       else Specific(w.text, w.start, w.end, kind, "supported"))
            continue
        other = _same_role(words, kinds, i, evidence, source)
        if other is not None:
            out.append(Specific(w.text, w.start, w.end, kind, "contradicted", other))
        elif _found(w, kind, source.vocabulary):
            out.append(Specific(w.text, w.start, w.end, kind, "misplaced"))
        else:
            out.append(Specific(w.text, w.start, w.end, kind, "unsupported"))
    return out


def _elsewhere(words: list[Word], kinds: list[str | None], i: int, lacking: list[int], best: int,
               source: Source) -> str | None:
    """A number or date that the best evidence sentence lacks but has another in its role, while a
    lesser one states it (picked for it alone: "three people briefed" for "3% of GDP"): what the best
    one says."""
    if kinds[i] == "name" or best not in lacking:
        return None
    return _same_role(words, kinds, i, [best], source)


def is_lower_case(words: list[Word]) -> bool:
    """Text written all in lower case (some systems' output): no capital, the first word included."""
    return bool(words) and not any(w.capitalised for w in words)


def _found(word: Word, kind: str, vocab) -> bool:
    """A number is found when its numbers are ("54" in "54-year-old"); other words by ``found``."""
    numbers = [a for a in word.atoms if a[:1].isdigit()]
    return found(word, vocab) or (kind in ("number", "date") and bool(numbers) and all(a in vocab for a in numbers))


def _role(words: list[Word], kinds: list[str | None], i: int) -> set[tuple[str, int]]:
    """A specific's role: the content words at most ROLE_WINDOW words before (-1) or after (+1) it,
    leaving out stopwords, specifics of its kind, numbers and dates (which stand anywhere:
    "first" and "one" say nothing of a name's role) and units, which are part of a number ("3% of
    GDP" and "2 percent of GDP" have one role)."""
    return {(a, side) for side in (-1, 1) for j in _near(words, i, side)
            if kinds[j] not in (kinds[i], "number", "date") and not words[j].is_stopword for a in words[j].atoms}


def _near(words: list[Word], i: int, step: int) -> list[int]:
    """The ROLE_WINDOW words next to word ``i`` on one side, units not counted ("$4.9m for" and "4.9
    million dollars for" are as near)."""
    out, j = [], i + step
    while 0 <= j < len(words) and len(out) < ROLE_WINDOW:
        if not all(a in UNITS for a in words[j].atoms):
            out.append(j)
        j += step
    return out


def _same_role(words: list[Word], kinds: list[str | None], i: int, evidence: list[int],
               source: Source) -> str | None:
    """Another specific of the same kind, with a word of its role on the same side, in an evidence sentence."""
    role = _role(words, kinds, i)
    need = min(2, len(role))  # two words of context in common (one when it has only one) ...
    sides = {side for _, side in role}  # ... on each side where the sentence has context
    if not need:
        return None
    said = vocabulary(words)
    for s in evidence:
        ev = list(source.rows[s].words)
        ev_kinds = [kind_of(w, o, is_lower_case(ev), source, None)
                    for w, o in zip(ev, openings(ev, source.rows[s].text))]
        for j, (w, kind) in enumerate(zip(ev, ev_kinds)):
            if kind != kinds[i] or _found(w, kind, said):
                continue
            if kind == "name" and _one_name(_name_span(words, kinds, i), _name_span(ev, ev_kinds, j)):
                continue  # another part or spelling of the same name ("Mike Tindall" for "Tindal")
            shared = role & _role(ev, ev_kinds, j)
            if len(shared) >= need and sides <= {side for _, side in shared}:
                return w.text
    return None


def _name_span(words: list[Word], kinds: list[str | None], i: int) -> list[str]:
    """The norms of the run of adjacent name words around word ``i``."""
    lo, hi = i, i + 1
    while lo > 0 and kinds[lo - 1] == "name":
        lo -= 1
    while hi < len(words) and kinds[hi] == "name":
        hi += 1
    return [w.norm for w in words[lo:hi]]


def _one_name(a: list[str], b: list[str]) -> bool:
    """Two name spans share a word, as written or misspelt by one letter ("Tindal", "Tindall")."""
    return any(x == y or (min(len(x), len(y)) >= 4 and x[0] == y[0] and _one_edit(x, y)) for x in a for y in b)


def _one_edit(x: str, y: str) -> bool:
    """At most one letter inserted, dropped or changed."""
    if abs(len(x) - len(y)) > 1:
        return False
    if len(x) == len(y):
        return sum(p != q for p, q in zip(x, y)) <= 1
    short, long_ = sorted((x, y), key=len)
    k = next((n for n, (p, q) in enumerate(zip(short, long_)) if p != q), len(short))
    return short[k:] == long_[k + 1:]


def merged(specifics: list[Specific]) -> list[Specific]:
    """Adjacent specifics of one kind and status as one span ("Allan Johnston")."""
    out: list[Specific] = []
    for s in specifics:
        last = out[-1] if out else None
        if (last is not None and last.kind == s.kind and last.status == s.status and s.start - last.end <= 1
                and s.status != "contradicted"):
            out[-1] = Specific(f"{last.text} {s.text}" if s.start > last.end else last.text + s.text,
                               last.start, s.end, s.kind, s.status)
        else:
            out.append(s)
    return out
