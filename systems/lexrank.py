"""LexRank (Erkan & Radev 2004), continuous variant."""

from __future__ import annotations

from dataclasses import dataclass

from bench.plugins import system
from bench.text.rank import cosine, tfidf

from ._extractive import GraphRanked


@system("lexrank")
@dataclass
class LexRank(GraphRanked):
    """Continuous LexRank: PageRank over the TF-IDF cosine graph of sentences."""

    def similarity(self, sentences):
        return cosine(tfidf(sentences))
