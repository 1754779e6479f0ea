"""The one tokeniser for source support: sources and summaries are cut the same way.

Every word keeps its span and casing, and has a normal form (``norm``) and
*atoms*: the norm cut at hyphens, apostrophes and digit/letter boundaries, so
"54-year-old" holds "54", "year", "old", "9pm" holds "9", "pm", and "O'Neill"
holds "o", "neill". A summary word is found in a text when its norm or all its
atoms are there, so a word is never missed because the two sides wrote it as
one token and as several.

Numbers are compared as numbers: "25,000", "25, 000" (detokenisation), "25000"
are one number; "7. 5" inside a sentence is 7.5; "three" is 3, "twenty-five" 25,
"third" 3rd; "5m" is 5 million. "%", "per cent" and "percent" are one word, and
so are a month or weekday and its abbreviation ("Sept.", "Tues.").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from bench.text.units import HAN_KANA

from ..shared.lexical import STOPWORDS, _SPELLING, _stem

WORDS = ("NFKC, lowercase, ’ as '; words of letters/digits with inner ' - . , kept, then cut into atoms at "
         "- ' and digit/letter boundaries; numbers canonical (25,000 = 25, 000 = 25000; three = 3; "
         "twenty-five = 25; 5m = 5 million); % = per cent = percent; Sept = September, Tues = Tuesday")

# detokenised numbers inside one sentence ("25, 000", "7. 5") are one word, so spans stay the text's own
_DETOKENISED = (r"(?<![\d.,])\d{1,3}(?: ?, ?\d{3}(?![\d]))+(?:\.\d+)?(?![\d.,]|[^\W_])"
                r"|(?<![\d.,])\d{1,3} ?\. ?\d{1,2}(?![\d.,]|[^\W_])")  # not "4.9m", which is a word
# "per cent" and "%" are one word, "percent", as is the word itself
_WORD = re.compile(rf"{_DETOKENISED}|(?i:per\s+cent)\b|%|[{HAN_KANA}]|[^\W_{HAN_KANA}]+(?:['’.,\-][^\W_{HAN_KANA}]+)*")
_ATOM_CUT = re.compile(r"['\-]+|(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)*$")

NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
NUMBER_WORDS.update({"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70",
                     "eighty": "80", "ninety": "90", "hundred": "100", "thousand": "1000", "dozen": "12",
                     "first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th",
                     "sixth": "6th", "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th",
                     "eleventh": "11th", "twelfth": "12th", "twentieth": "20th", "thirtieth": "30th"})
#: one form for what is written several ways: "%", "per cent", "percent"; abbreviated months and weekdays
#: (only those that are no ordinary word: "may", "mar", "sat", "sun" and "wed" are left alone)
ALIASES = {"%": "percent", "per cent": "percent", "sep": "september", "sept": "september", "oct": "october",
           "nov": "november", "dec": "december", "feb": "february", "apr": "april", "jun": "june", "jul": "july",
           "aug": "august", "tue": "tuesday", "tues": "tuesday", "weds": "wednesday", "thu": "thursday",
           "thur": "thursday", "thurs": "thursday", "fri": "friday"}
#: words that belong to a number, not to its role ("3% of GDP", "$4.9m", "4.9 million dollars")
UNITS = frozenset("percent million billion trillion thousand hundred dollar dollars pound pounds euro euros yen "
                  "yuan rupees cents cent pence usd gbp eur".split())
_TENS, _UNITS_DIGIT = frozenset(str(10 * k) for k in range(2, 10)), frozenset("123456789")
_SPELLED_PAIR = re.compile(r"[a-z]+-[a-z]+")
_SCALE = {"m": "million", "mn": "million", "bn": "billion", "b": "billion", "k": "thousand", "st": "",
          "nd": "", "rd": "", "th": ""}
MONTHS = frozenset("january february march april may june july august september october november december "
                   "jan feb mar apr jun jul aug sep sept oct nov dec".split())
DAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
#: contractions written apart (Penn Treebank style: "has n't", "you 're"): grammar, never content
CLITICS = frozenset("n't re ve ll d m".split())  # the apostrophe opens no word: "'re" is "re"


@dataclass(frozen=True)
class Word:
    text: str  # as written
    norm: str  # normal form of the whole word
    atoms: tuple[str, ...]  # norm cut at - ' and digit/letter boundaries (numbers canonical)
    start: int  # character span in the text given to ``tokens``
    end: int

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()

    @property
    def is_number(self) -> bool:
        return any(_NUMBER.match(a) for a in self.atoms)

    @property
    def is_stopword(self) -> bool:
        return self.norm in STOPWORDS or self.norm in CLITICS


#: not words of the text: a system's unknown-word token, Penn Treebank bracket tokens
_PLACEHOLDER = re.compile(r"<unk>|\[UNK\]|\bUNK\b|-[LR][RSC]B-", re.IGNORECASE)


def tokens(text: str) -> list[Word]:
    """The words of a text, with their spans in it (placeholders such as UNK and -LRB- left out)."""
    masked = _PLACEHOLDER.sub(lambda m: " " * len(m.group(0)), text)
    return [_word(m.group(0), m.start(), m.end()) for m in _WORD.finditer(masked)]


@functools.lru_cache(maxsize=131072)
def _normal(raw: str) -> tuple[str, tuple[str, ...]]:
    w = unicodedata.normalize("NFKC", raw).lower().replace("’", "'")
    if w[:1].isdigit() and " " in w:
        w = w.replace(" ", "")  # a detokenised number
    w = w.rstrip(".,'") or w
    w = ALIASES.get(" ".join(w.split()), w)
    if w.endswith("'s") and len(w) > 2:
        w = w[:-2]
    w = _SPELLING.get(w, w)
    if _NUMBER.match(w):
        return _number(w), (_number(w),)
    w = NUMBER_WORDS.get(w, w)
    atoms = []
    for a in _ATOM_CUT.split(w):
        a = a.strip(".,")
        if not a:
            continue
        if _NUMBER.match(a):
            a = _number(a)
        elif atoms and _NUMBER.match(atoms[-1]) and a in _SCALE:
            a = _SCALE[a]  # 5m -> 5 million; 3rd -> 3
            if not a:
                continue
        else:
            a = NUMBER_WORDS.get(a, a)
        atoms.append(a)
    if _SPELLED_PAIR.fullmatch(w) and len(atoms) == 2 and atoms[0] in _TENS and atoms[1] in _UNITS_DIGIT:
        w = str(int(atoms[0]) + int(atoms[1]))  # twenty-five -> 25
        atoms = [w]
    return w, tuple(atoms) or (w,)


def _number(w: str) -> str:
    """Canonical number: thousands separators dropped, "7.50" -> "7.5"."""
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", w):
        w = w.replace(",", "")
    if "." in w and re.fullmatch(r"\d+\.\d+", w):
        w = w.rstrip("0").rstrip(".")
    return w


def _word(raw: str, start: int, end: int) -> Word:
    norm, atoms = _normal(raw)
    return Word(raw, norm, atoms, start, end)


def content_terms(words: list[Word]) -> list[str]:
    """Stemmed atoms without stopwords: the terms whose support is counted."""
    return [_stem(a) for w in words if w.norm not in CLITICS for a in w.atoms if a not in STOPWORDS and a.strip("'")]


def found(word: Word, vocabulary: frozenset[str] | set[str]) -> bool:
    """Written in the text whose vocabulary this is: the whole word, or every atom of it."""
    return word.norm in vocabulary or all(a in vocabulary for a in word.atoms)


def vocabulary(words: list[Word]) -> set[str]:
    """Norms and atoms of a text's words (what ``found`` looks in)."""
    out = set()
    for w in words:
        out.add(w.norm)
        out.update(w.atoms)
    return out
