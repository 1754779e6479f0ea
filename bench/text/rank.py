"""Sentence vectors, similarity graphs and centrality for extractive rankers."""

from __future__ import annotations

from typing import Sequence

from .units import vectorizer


def tfidf(sentences: Sequence[str]):
    """Sparse L2-normalised TF-IDF rows (unigrams, English stop words); IDF from the cluster."""
    vec = vectorizer(sublinear_tf=True)
    try:
        return vec.fit_transform(sentences)
    except ValueError:  # no content words at all
        from scipy.sparse import csr_matrix

        return csr_matrix((len(sentences), 1))


def cosine(rows):
    """Sparse cosine similarity of L2-normalised sparse rows (never densified)."""
    return (rows @ rows.T).tocsr()


def cosine_row(rows, rows_t, i: int) -> "np.ndarray":  # noqa: F821
    """Row ``i`` of ``cosine(rows)`` as a dense vector, bit for bit (``rows_t``: ``rows.T`` as CSR)."""
    import numpy as np

    return np.asarray((rows[i] @ rows_t).todense()).ravel()


def centroid_scores(rows) -> "np.ndarray":  # noqa: F821
    """Cosine of each row with the cluster centroid (mean row)."""
    import numpy as np

    c = np.asarray(rows.mean(axis=0)).ravel()
    norm = np.linalg.norm(c)
    if norm == 0:
        return np.zeros(rows.shape[0])
    return np.asarray(rows @ (c / norm)).ravel()


def pagerank(sim, damping: float = 0.85, max_iter: int = 200, tol: float = 1e-8) -> list[float]:
    """PageRank centrality on the weighted, undirected similarity graph (self-loops removed).

    ``sim``: a sparse (or dense) square matrix. The graph and the power iteration
    are networkx's ``pagerank`` (``_pagerank_scipy``) on the graph
    ``nx.from_scipy_sparse_array`` builds from ``sim`` (an undirected edge keeps
    the lower triangle's weight), operation for operation, so the scores are
    networkx's to the last bit (tested), without building a Python graph of
    every edge.
    """
    import numpy as np
    import scipy as sp

    n = sim.shape[0]
    if n == 0:
        return []
    lower = sp.sparse.tril(sp.sparse.csr_array(sim), k=-1).tocsr()
    lower.eliminate_zeros()
    a = (lower + lower.T).tocsr()  # disjoint triangles: exact values
    a.sort_indices()
    s = a.sum(axis=1)
    s[s != 0] = 1.0 / s[s != 0]
    q = sp.sparse.dia_array((s.T, 0), shape=a.shape).tocsr()
    a = q @ a
    x = np.repeat(1.0 / n, n)
    p = np.repeat(1.0 / n, n)
    dangling = np.where(s == 0)[0]
    for _ in range(max_iter):
        xlast = x
        x = damping * (x @ a + sum(x[dangling]) * p) + (1 - damping) * p
        if np.absolute(x - xlast).sum() < n * tol:
            return [float(v) for v in x]
    raise RuntimeError(f"PageRank did not converge in {max_iter} iterations")


def order_by(scores: Sequence[float]) -> list[int]:
    """Indices by descending score; ties broken by position (deterministic)."""
    return sorted(range(len(scores)), key=lambda i: (-float(scores[i]), i))
