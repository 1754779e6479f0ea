"""Near-duplicate sentences across outlets (wire copy repeated with small edits)."""

from __future__ import annotations

from typing import Sequence

from .bullets import normalized
from .units import vectorizer

#: TF-IDF cosine at or above which two sentences state the same thing
DUPLICATE_THRESHOLD = 0.6


def similarity_matrix(sentences: Sequence[str]):
    """Dense cosine similarity of TF-IDF vectors (unigrams+bigrams, English stop words)."""
    import numpy as np

    if not sentences:
        return np.zeros((0, 0))
    try:
        m = vectorizer(ngram_range=(1, 2), sublinear_tf=True).fit_transform(sentences)
    except ValueError:  # nothing but stop words
        return np.eye(len(sentences))
    return (m @ m.T).toarray()


def unique_indices(sentences: Sequence[str], threshold: float = DUPLICATE_THRESHOLD) -> list[int]:
    """Indices of the sentences to keep: each is the first of its near-duplicate group.

    A sentence is dropped when it is identical (ignoring case and spacing) to,
    or at least ``threshold`` cosine-similar to, a sentence already kept.
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    sim = similarity_matrix(sentences)
    keep: list[int] = []
    seen: set[str] = set()
    for i, s in enumerate(sentences):
        norm = normalized(s)
        if norm in seen or any(sim[i, j] >= threshold for j in keep):
            continue
        seen.add(norm)
        keep.append(i)
    return keep
