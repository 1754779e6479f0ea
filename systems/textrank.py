"""TextRank (Mihalcea & Tarau 2004) for sentence extraction."""

from __future__ import annotations

from dataclasses import dataclass

from bench.plugins import system
from bench.text.rank import order_by, pagerank

from ._extractive import Extractive


@system("textrank")
@dataclass
class TextRank(Extractive):
    """TextRank: PageRank over word-overlap similarity |Si∩Sj| / (log|Si| + log|Sj|)."""

    damping: float = 0.85

    def __post_init__(self) -> None:
        if not 0 < self.damping < 1:
            raise ValueError(f"damping must be in (0, 1), got {self.damping}")

    def rank(self, candidates, cluster, budget, references):
        return order_by(pagerank(overlap_similarity([c.text for c in candidates]), self.damping))


def overlap_similarity(sentences):
    """Mihalcea & Tarau's normalised overlap of content words (dense matrix)."""
    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer

    try:
        counts = CountVectorizer(stop_words="english", binary=True).fit_transform(sentences)
    except ValueError:
        return np.zeros((len(sentences), len(sentences)))
    overlap = (counts @ counts.T).toarray().astype(float)
    sizes = np.asarray(counts.sum(axis=1)).ravel().astype(float)
    logs = np.log(np.maximum(sizes, 1.0))
    denom = logs[:, None] + logs[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        sim = np.where(denom > 0, overlap / denom, 0.0)
    return sim
