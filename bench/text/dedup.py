"""Near-duplicate sentences across outlets (wire copy repeated with small edits).

Linear memory and near-linear time in the number of sentences: similarities are
computed only for candidate pairs, never as a dense sentences x sentences matrix
(43 GiB for a 10 MB article). A pair can reach the threshold only if the later
sentence shares one of its rarer terms with the earlier one (prefix filtering,
Bayardo et al. 2007, "Scaling up all pairs similarity search"): each row's most
common terms, whose weights together have norm below the threshold, cannot
reach it on their own. Candidates' cosines are then computed exactly as the
full product ``m @ m.T`` computes them (same sums, same order), so the kept
sentences are those of the dense computation.
"""

from __future__ import annotations

from typing import Sequence

from .bullets import normalized
from .units import vectorizer

#: TF-IDF cosine at or above which two sentences state the same thing
DUPLICATE_THRESHOLD = 0.6
#: rows per sparse product (bounds the memory of one block of similarities)
BLOCK_ROWS = 256


def tfidf_rows(sentences: Sequence[str]):
    """L2-normalised TF-IDF rows (unigrams+bigrams, English stop words), or None
    when no sentence has a content word."""
    try:
        m = vectorizer(ngram_range=(1, 2), sublinear_tf=True).fit_transform(sentences)
    except ValueError:  # nothing but stop words
        return None
    m = m.tocsr()
    m.sort_indices()
    return m


def similarity_matrix(sentences: Sequence[str]):
    """Dense cosine similarity of TF-IDF vectors (small inputs and tests only)."""
    import numpy as np

    if not sentences:
        return np.zeros((0, 0))
    m = tfidf_rows(sentences)
    if m is None:
        return np.eye(len(sentences))
    return (m @ m.T).toarray()


def similar_pairs(m, rows, threshold: float):
    """(i, j, cosine) for every i in ``rows`` and j < i in ``rows`` with cosine >= threshold."""
    import numpy as np

    rows = np.asarray(rows, dtype=np.int64)
    sub = m[rows]
    if sub.nnz == 0:
        return []
    probe = _rare_part(sub, threshold)
    out = []
    sub_t = sub.T.tocsr()
    for start in range(0, len(rows), BLOCK_ROWS):
        block = slice(start, min(start + BLOCK_ROWS, len(rows)))
        cand = (probe[block] @ sub_t).tocoo()  # shares a rare term: may reach the threshold
        keep = cand.col < cand.row + start  # earlier sentences only
        if not keep.any():
            continue
        cols = np.unique(cand.col[keep])
        exact = (sub[block] @ sub[cols].T).tocoo()  # the dense product's values, bit for bit
        hit = (exact.data >= threshold) & (cols[exact.col] < exact.row + start)
        for r, c, v in zip(exact.row[hit], exact.col[hit], exact.data[hit]):
            out.append((int(rows[start + r]), int(rows[cols[c]]), float(v)))
    return out


def _rare_part(m, threshold: float):
    """``m`` without each row's most common terms whose weights have norm below ``threshold``.

    A row x's dropped part x_L has |x_L| < threshold, so x . y >= threshold (|y| = 1)
    needs x's remaining part to share a term with y.
    """
    import numpy as np

    m = m.tocsr()
    counts = np.diff(m.indptr)
    df = np.bincount(m.indices, minlength=m.shape[1])
    rank = np.empty(m.shape[1], dtype=np.int64)
    rank[np.argsort(-df, kind="stable")] = np.arange(m.shape[1])  # 0: the most common term
    row_of = np.repeat(np.arange(m.shape[0]), counts)
    order = np.lexsort((rank[m.indices], row_of))  # each row's entries, most common first
    sq = np.cumsum(m.data[order] ** 2)
    before_row = np.concatenate([[0.0], sq])[m.indptr[:-1]]
    prefix = sq - before_row[row_of]  # within-row running sum of squares
    low = np.zeros(m.nnz, dtype=bool)
    low[order] = prefix < threshold**2 * (1 - 1e-9)  # margin for rounding: only ever keeps more
    probe = m.copy()
    probe.data[low] = 0.0
    probe.eliminate_zeros()
    return probe


def unique_indices(sentences: Sequence[str], threshold: float = DUPLICATE_THRESHOLD) -> list[int]:
    """Indices of the sentences to keep: each is the first of its near-duplicate group.

    A sentence is dropped when it is identical (ignoring case and spacing) to,
    or at least ``threshold`` cosine-similar to, a sentence already kept.
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    m = tfidf_rows(sentences) if sentences else None
    # a sentence equal to an earlier one is dropped whatever happened to that one
    # (same vector: same similarities), so only first occurrences are compared
    first: dict[str, int] = {}
    for i, s in enumerate(sentences):
        first.setdefault(s, i)
    pairs: dict[int, list[int]] = {}
    if m is not None:
        for i, j, _ in similar_pairs(m, sorted(first.values()), threshold):
            pairs.setdefault(i, []).append(j)
    keep: list[int] = []
    kept: set[int] = set()
    seen: set[str] = set()
    for i, s in enumerate(sentences):
        if first[s] != i:
            continue
        norm = normalized(s)
        if norm in seen or any(j in kept for j in pairs.get(i, ())):
            continue
        seen.add(norm)
        keep.append(i)
        kept.add(i)
    return keep
