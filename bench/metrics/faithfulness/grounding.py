"""Grounding: the best-supporting source sentences (and outlets) for each bullet.

Evidence comes from ``source`` (the one alignment of summaries to sources,
shared with ``faithfulness``); numbers and names from ``specifics``, so both
metrics tokenise sources and summaries
the same way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from bench.plugins import ItemFailure, Metric, MetricResult, ScoreItem, metric
from bench.text.limits import TooLarge, check_size

from ..shared.lexical import STOPWORDS
from .source import EVIDENCE, SOURCES
from .specifics import SPECIFICS, check, merged
from .words import WORDS, tokens

#: part of the signature: the module path is the one it had when scores were first stored (kept, so
#: a rerun reuses them); the specifics are checked by ``specifics`` in this folder
UNSUPPORTED = "a number, date or name (bench.faithfulness.specifics) that occurs in no document"


@metric("grounding")
@dataclass
class Grounding(Metric):
    """Per-bullet best-supporting source sentence and outlet; share of weakly supported bullets."""

    weak_below: float = 0.5  # a bullet whose support is below this is a candidate hallucination
    sentences: int = 2  # evidence sentences per bullet (news bullets often fuse two)
    specifics: bool = True  # also weak: a number, date or name that occurs in no document

    deterministic = True
    headline = ("weak_share", "support")
    lower_is_better = frozenset({"weak_share"})

    def __post_init__(self) -> None:
        if not 0.0 < self.weak_below <= 1.0:
            raise ValueError(f"weak_below must be in (0, 1], got {self.weak_below}")
        if self.sentences < 1:
            raise ValueError(f"sentences must be >= 1, got {self.sentences}")

    def signature(self) -> dict:
        sig = super().signature()
        sig["tokenizer"] = WORDS
        sig["stopwords"] = len(STOPWORDS)
        sig["support"] = EVIDENCE.format(k=self.sentences)
        sig["sentences"] = "bench.text.sentences.split_sentences (pysbd)"
        sig["weak"] = f"support < {self.weak_below}" + (f" or {UNSUPPORTED}" if self.specifics else "")
        if self.specifics:
            sig["specifics"] = SPECIFICS
        return sig

    def score(self, items: Sequence[ScoreItem]) -> list[MetricResult | ItemFailure]:
        return [self._score_one(item) for item in items]

    def _score_one(self, item: ScoreItem) -> MetricResult | ItemFailure:
        try:
            check_size(item.cluster, "grounding")
        except TooLarge as exc:
            return ItemFailure(str(exc))
        source = SOURCES.get(item.cluster)
        if not source.rows:
            return ItemFailure("cluster has no source sentences")
        bullets, supports, outlets = [], [], Counter()
        for bullet in item.bullets:
            words = tokens(bullet)
            ev = source.evidence(words, self.sentences)
            if not ev.terms:
                continue  # nothing checkable (e.g. punctuation only); not counted
            unsupported = []
            if self.specifics:
                unsupported = [s.text for s in merged(check(words, ev.sentences, source, text=bullet))
                               if s.status == "unsupported"]
            weak = ev.support < self.weak_below or bool(unsupported)
            if not weak:
                for i in ev.sentences:
                    outlets[source.rows[i].outlet] += 1
            supports.append(ev.support)
            bullets.append(
                {
                    "bullet": bullet,
                    "support": ev.support,
                    "weak": weak,
                    "evidence": [{"document": source.rows[i].document, "outlet": source.rows[i].outlet,
                                  "sentence": source.rows[i].text} for i in ev.sentences],
                    "terms_in_no_document": sorted(t for t in ev.terms if t not in source.df),
                    "unsupported_specifics": sorted(set(unsupported)),
                }
            )
        if not supports:
            return ItemFailure("summary has no words to check")
        n = len(supports)
        values = {
            "weak_share": sum(1 for b in bullets if b["weak"]) / n,
            "support": sum(supports) / n,
            "outlets": float(len(outlets)),
        }
        return MetricResult(values, {"bullets": bullets, "outlets": dict(outlets.most_common())})
