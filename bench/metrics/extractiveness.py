"""Extractive fragment coverage and density (Grusky et al., 2018, Newsroom)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Sequence

from bench.plugins import ItemFailure, Metric, MetricResult, ScoreItem, metric

from ._tokens import TOKENIZER, words


@metric("extractiveness")
@dataclass
class Extractiveness(Metric):
    """Extractive fragment coverage and density (Newsroom greedy fragments; per bullet, over all documents)."""

    headline = ("coverage", "density")

    def __post_init__(self) -> None:
        self._index: dict[str, "_Source"] = {}

    def signature(self) -> dict:
        sig = super().signature()
        sig["tokenizer"] = TOKENIZER
        sig["fragments"] = "Grusky et al. 2018 greedy algorithm per bullet; a fragment lies within one document"
        return sig

    def score(self, items: Sequence[ScoreItem]) -> list[MetricResult | ItemFailure]:
        out: list[MetricResult | ItemFailure] = []
        for item in items:
            key = item.cluster.content_hash()
            if key not in self._index:
                self._index[key] = _Source([words(d.text) for d in item.cluster.documents])
            source = self._index[key]
            frags: list[list[str]] = []
            n = 0
            for bullet in item.bullets:
                toks = words(bullet)
                n += len(toks)
                frags.extend(source.fragments(toks))
            if n == 0:
                out.append(ItemFailure("empty summary"))
                continue
            lens = [len(f) for f in frags]
            values = {"coverage": sum(lens) / n, "density": sum(k * k for k in lens) / n}
            longest = max(frags, key=len) if frags else []
            out.append(MetricResult(values, {"fragments": len(frags), "longest_fragment": " ".join(longest)}))
        return out


class _Source:
    """Documents as token lists, with a token -> positions index."""

    def __init__(self, docs: list[list[str]]) -> None:
        self.docs = docs
        self.where: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for d, toks in enumerate(docs):
            for j, tok in enumerate(toks):
                self.where[tok].append((d, j))

    def fragments(self, summary: list[str]) -> list[list[str]]:
        """Greedy fragments F(A, S): the longest shared sequence starting at each i."""
        out, i = [], 0
        while i < len(summary):
            best = 0
            for d, j in self.where.get(summary[i], ()):
                doc, k = self.docs[d], 0
                while i + k < len(summary) and j + k < len(doc) and summary[i + k] == doc[j + k]:
                    k += 1
                best = max(best, k)
            if best:
                out.append(summary[i : i + best])
            i += max(best, 1)
        return out
