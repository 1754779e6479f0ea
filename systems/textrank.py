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
    """Mihalcea & Tarau's normalised overlap of content words (sparse matrix)."""
    import numpy as np
    from scipy.sparse import csr_matrix

    try:
        counts = vectorizer(counts=True, binary=True).fit_transform(sentences)
    except ValueError:
        return csr_matrix((len(sentences), len(sentences)))
    overlap = (counts @ counts.T).tocoo()
    sizes = np.asarray(counts.sum(axis=1)).ravel().astype(float)
    logs = np.log(np.maximum(sizes, 1.0))
    denom = logs[overlap.row] + logs[overlap.col]
    ok = denom > 0
    values = overlap.data[ok].astype(float) / denom[ok]
    return csr_matrix((values, (overlap.row[ok], overlap.col[ok])), shape=overlap.shape)
