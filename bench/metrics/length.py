"""Summary length: words, bullets and compression ratio against the cluster."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from bench.plugins import ItemFailure, Metric, MetricResult, ScoreItem, metric

from .shared.lexical import TOKENIZER, words


@metric("length")
@dataclass
class Length(Metric):
    """Words, bullets and compression (source words / summary words)."""

    deterministic = True
    headline = ("words", "bullets")

    def runs_in_workers(self) -> bool:
        return False  # a word count: cheaper than shipping the items

    def signature(self) -> dict:
        sig = super().signature()
        sig["tokenizer"] = TOKENIZER
        sig["compression"] = "words in all documents of the cluster / words in the summary"
        return sig

    def score(self, items: Sequence[ScoreItem]) -> list[MetricResult | ItemFailure]:
        source_words: dict[str, int] = {}
        out: list[MetricResult | ItemFailure] = []
        for item in items:
            cid = item.cluster.id
            if cid not in source_words:
                source_words[cid] = sum(len(words(d.text)) for d in item.cluster.documents)
            n = sum(len(words(b)) for b in item.bullets)
            values = {"words": float(n), "bullets": float(sum(1 for b in item.bullets if b.strip()))}
            if n:  # an empty summary has no compression ratio (not 0, not infinity)
                values["compression"] = source_words[cid] / n
            out.append(MetricResult(values))
        return out
