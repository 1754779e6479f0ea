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


def cosine(rows) -> "np.ndarray":  # noqa: F821
    """Dense cosine similarity of L2-normalised sparse rows."""
    return (rows @ rows.T).toarray()


def centroid_scores(rows) -> "np.ndarray":  # noqa: F821
    """Cosine of each row with the cluster centroid (mean row)."""
    import numpy as np

    c = np.asarray(rows.mean(axis=0)).ravel()
    norm = np.linalg.norm(c)
    if norm == 0:
        return np.zeros(rows.shape[0])
    return np.asarray(rows @ (c / norm)).ravel()


def pagerank(sim, damping: float = 0.85) -> list[float]:
    """PageRank centrality on the weighted similarity graph (self-loops removed)."""
    import networkx as nx
    import numpy as np
    from scipy.sparse import csr_matrix

    n = sim.shape[0]
    w = np.array(sim, dtype=float)
    np.fill_diagonal(w, 0.0)
    graph = nx.from_scipy_sparse_array(csr_matrix(w))
    graph.add_nodes_from(range(n))
    scores = nx.pagerank(graph, alpha=damping, weight="weight", max_iter=200, tol=1e-8)
    return [scores[i] for i in range(n)]


def order_by(scores: Sequence[float]) -> list[int]:
    """Indices by descending score; ties broken by position (deterministic)."""
    return sorted(range(len(scores)), key=lambda i: (-float(scores[i]), i))
