"""Centroid-based extraction (Radev et al. 2004), similarity form."""

from __future__ import annotations

from dataclasses import dataclass

from bench.plugins import system
from bench.text.rank import centroid_scores, order_by, tfidf

from ._extractive import Extractive


@system("centroid")
@dataclass
class Centroid(Extractive):
    """Sentences closest (TF-IDF cosine) to the cluster centroid."""

    def rank(self, candidates, cluster, budget, references):
        return order_by(centroid_scores(tfidf([c.text for c in candidates])))
