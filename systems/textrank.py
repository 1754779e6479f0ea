"""TextRank (Mihalcea & Tarau 2004) for sentence extraction."""

from __future__ import annotations

from dataclasses import dataclass

from bench.plugins import system
from bench.text.units import vectorizer

from ._extractive import GraphRanked


@system("textrank")
@dataclass
class TextRank(GraphRanked):
    """TextRank: PageRank over word-overlap similarity |Si∩Sj| / (log|Si| + log|Sj|)."""

    def similarity(self, sentences):
        return overlap_similarity(sentences)


def overlap_similarity(sentences):
    """Mihalcea & Tarau's normalised overlap of content words (dense matrix)."""
    import numpy as np

    try:
        counts = vectorizer(counts=True, binary=True).fit_transform(sentences)
    except ValueError:
        return np.zeros((len(sentences), len(sentences)))
    overlap = (counts @ counts.T).toarray().astype(float)
    sizes = np.asarray(counts.sum(axis=1)).ravel().astype(float)
    logs = np.log(np.maximum(sizes, 1.0))
    denom = logs[:, None] + logs[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        sim = np.where(denom > 0, overlap / denom, 0.0)
    return sim
