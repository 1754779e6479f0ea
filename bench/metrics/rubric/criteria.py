"""Criteria for the rubric judge: the four SummEval dimensions built in, and criteria of one's own in TOML.

A criterion is a name (the value's name), a definition, a scale of whole
numbers with what its two ends mean, and the steps a rater follows; it shows
the judge the source articles (``sources``, default true) and the reference
summary (``reference``, default false). A TOML file holds one table a criterion:

    [criteria.conciseness]
    definition = "The summary says what matters without padding or repetition."
    scale = [1, 5]
    low = "rambling: repeats itself and pads with minor detail"
    high = "every sentence adds something the reader needs"
    steps = ["Read the article.", "Read the summary.", "Mark repeated or padded sentences."]
    reference = false

A bad file is one error naming the file and the field (``FILE: criteria.conciseness.scale: ...``).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.errors import PluginFileError

NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
FIELDS = ("definition", "scale", "low", "high", "steps", "sources", "reference")
MAX_SCALE = 100  # highest value a scale may have


@dataclass(frozen=True)
class Criterion:
    name: str
    definition: str
    low: int
    high: int
    low_means: str
    high_means: str
    steps: tuple[str, ...]
    sources: bool = True  # show the source articles
    reference: bool = False  # show the reference summary

    @property
    def values(self) -> range:
        return range(self.low, self.high + 1)

    @property
    def one_token(self) -> bool:
        """Every value one digit: the first token of the answer tells them apart (their probabilities)."""
        return 0 <= self.low and self.high <= 9

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "steps": list(self.steps)}


def _builtin(name: str, definition: str, low: str, high: str, steps: list[str], sources: bool = True) -> Criterion:
    return Criterion(name, definition, 1, 5, low, high, tuple(steps), sources)


#: SummEval's four dimensions (Fabbri et al., TACL 2021), in our words
BUILTIN = {c.name: c for c in (
    _builtin("coherence",
             "How well the summary hangs together: its sentences come in a sensible order and build one clear "
             "account of the article's topic, not a heap of loosely related facts.",
             "disjointed: no sensible order, jumps between topics, hard to follow",
             "well organised: each sentence follows from the one before and together they tell one clear story",
             ["Read the article and note its topic and how its main points connect.",
              "Read the summary and follow how it moves from one sentence to the next.",
              "Look for jumps between topics, sentences that repeat or contradict each other, and mentions of "
              "people or things never introduced.",
              "Decide how easily a reader could follow the summary as one account, and give the score."]),
    _builtin("consistency",
             "Whether every fact the summary states is supported by the article: no names, numbers, dates, events "
             "or causes that the article lacks or states otherwise.",
             "many statements are unsupported by the article or contradict it",
             "every statement is supported by the article",
             ["Read the article and note its facts: who, what, when, where, how many.",
              "Read the summary one statement at a time.",
              "For each statement, find where the article supports it; note any that the article lacks or "
              "contradicts.",
              "The more unsupported or contradicted statements, and the more serious they are, the lower the "
              "score."]),
    _builtin("fluency",
             "The quality of the summary's sentences on their own: grammar, spelling, punctuation, word choice "
             "and sentence structure.",
             "so many errors that the sentences are hard to read or understand",
             "well-formed sentences that read naturally, with no errors",
             ["Read the summary sentence by sentence.",
              "Note errors of grammar, spelling, punctuation, word choice and broken or run-on sentences.",
              "Judge how much the errors get in the way of reading, and give the score."], sources=False),
    _builtin("relevance",
             "Whether the summary picks the article's important content: it keeps the main points and leaves out "
             "minor details and repetition.",
             "misses the main points or is mostly minor detail",
             "states the article's main points and little else",
             ["Read the article and list its main points.",
              "Read the summary and check which main points it states.",
              "Note minor details, repetition or padding the summary spends words on.",
              "The more main points it keeps and the less it spends on the rest, the higher the score."]),
)}


def load_criteria(path: str | Path) -> dict[str, Criterion]:
    """The criteria a TOML file defines, in file order; PluginFileError naming the file and field."""
    where = str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise PluginFileError(f"cannot read the criteria file: {exc.strerror or exc}", where=where) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PluginFileError(f"not valid TOML: {exc}", where=where) from None
    unknown = sorted(set(data) - {"criteria"})
    if unknown:
        raise PluginFileError(f"unknown table {unknown[0]!r}: criteria are [criteria.NAME] tables", where=where)
    tables = data.get("criteria")
    if not isinstance(tables, dict) or not tables:
        raise PluginFileError("no criteria: define at least one [criteria.NAME] table", where=where)
    return {name: _criterion(name, table, where) for name, table in tables.items()}


def _criterion(name: str, table: Any, path: str) -> Criterion:
    def fail(message: str, field: str | None = None) -> PluginFileError:
        return PluginFileError(message, where=f"{path}: criteria.{name}" + (f".{field}" if field else ""))

    if not NAME.match(name):
        raise fail("a criterion's name must be lower-case letters, digits and _ (it names the value), "
                   "starting with a letter")
    if not isinstance(table, dict):
        raise fail("must be a table of fields (" + ", ".join(FIELDS) + ")")
    unknown = sorted(set(table) - set(FIELDS))
    if unknown:
        raise fail(f"unknown field (fields: {', '.join(FIELDS)})", unknown[0])
    texts = {}
    for field in ("definition", "low", "high"):
        value = table.get(field)
        if not isinstance(value, str) or not value.strip():
            raise fail("required: a non-empty string" + (" (what the scale's end means)" if field != "definition"
                                                         else ""), field)
        texts[field] = " ".join(value.split())
    scale = table.get("scale")
    if (not isinstance(scale, list) or len(scale) != 2 or not all(type(v) is int for v in scale)
            or not 0 <= scale[0] < scale[1] <= MAX_SCALE):
        raise fail(f"must be two whole numbers [low, high], 0 <= low < high <= {MAX_SCALE}, got {scale!r}", "scale")
    steps = table.get("steps")
    if (not isinstance(steps, list) or not steps
            or not all(isinstance(s, str) and s.strip() for s in steps)):
        raise fail("required: a list of non-empty strings (the rater's steps, in order)", "steps")
    flags = {}
    for field, default in (("sources", True), ("reference", False)):
        value = table.get(field, default)
        if not isinstance(value, bool):
            raise fail(f"must be true or false, got {value!r}", field)
        flags[field] = value
    return Criterion(name, texts["definition"], scale[0], scale[1], texts["low"], texts["high"],
                     tuple(" ".join(s.split()) for s in steps), **flags)
