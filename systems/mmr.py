"""Maximal Marginal Relevance (Carbonell & Goldstein 1998)."""

from __future__ import annotations

from dataclasses import dataclass

from bench.plugins import system
from bench.text.rank import centroid_scores, cosine_row, tfidf

from ._extractive import Extractive

MAX_PICKS = 100  # more sentences than any sensible budget holds


@system("mmr")
@dataclass
class MMR(Extractive):
    """MMR: lambda * similarity to the cluster centroid - (1 - lambda) * max similarity to picks."""

    # "lambda" is a Python keyword: the field is lambda_, the spec may say mmr:lambda=0.7
    lambda_: float = 0.7

    def __post_init__(self) -> None:
        if not 0 <= self.lambda_ <= 1:
            raise ValueError(f"lambda_ must be in [0, 1], got {self.lambda_}")

    def rank(self, candidates, cluster, budget, references):
        import numpy as np

        rows = tfidf([c.text for c in candidates])
        relevance = centroid_scores(rows)
        rows_t = rows.T.tocsr()  # similarity rows of the picks only, never the full matrix
        n = len(candidates)
        picked: list[int] = []
        max_sim = np.zeros(n)
        left = np.ones(n, dtype=bool)
        for _ in range(min(n, MAX_PICKS)):
            score = self.lambda_ * relevance - (1 - self.lambda_) * max_sim
            score[~left] = -np.inf
            best = int(np.argmax(score))  # first maximum: ties go to the earlier sentence
            picked.append(best)
            left[best] = False
            max_sim = np.maximum(max_sim, cosine_row(rows, rows_t, best))
        return picked + [i for i in range(n) if left[i]]
