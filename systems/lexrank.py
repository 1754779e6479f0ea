"""LexRank (Erkan & Radev 2004), continuous variant."""

from __future__ import annotations

from dataclasses import dataclass

from bench.plugins import system
from bench.text.rank import cosine, order_by, pagerank, tfidf

from ._extractive import Extractive


@system("lexrank")
@dataclass
class LexRank(Extractive):
    """Continuous LexRank: PageRank over the TF-IDF cosine graph of sentences."""

    damping: float = 0.85

    def __post_init__(self) -> None:
        if not 0 < self.damping < 1:
            raise ValueError(f"damping must be in (0, 1), got {self.damping}")

    def rank(self, candidates, cluster, budget, references):
        return order_by(pagerank(cosine(tfidf([c.text for c in candidates])), self.damping))
