"""Shared base for extractive systems: candidate preparation and budget filling."""

from __future__ import annotations

from dataclasses import dataclass

from bench.budget import fill_budget
from bench.plugins import System
from bench.text.candidates import Candidate, prepare
from bench.text.limits import check_size


@dataclass
class Extractive(System):
    """Ranks prepared candidates; subclasses implement ``rank``."""

    deterministic = True
    clean: bool = True

    def candidates(self, cluster) -> tuple[Candidate, ...]:
        check_size(cluster, self.name)  # fail early, before any allocation
        return prepare(cluster, self.clean)

    def rank(self, candidates: tuple[Candidate, ...], cluster, budget, references) -> list[int]:
        raise NotImplementedError

    def summarize(self, cluster, budget, references=()):
        cands = self.candidates(cluster)
        if not cands:
            return []
        order = self.rank(cands, cluster, budget, references)
        return fill_budget((cands[i].text for i in order), budget)


#: the most candidates a similarity graph holds (its edges grow with their square)
GRAPH_CANDIDATES = 2000


@dataclass
class GraphRanked(Extractive):
    """Ranks by PageRank over a sentence-similarity graph; subclasses give ``similarity``.

    Graph size rule: with more than GRAPH_CANDIDATES candidates (a cluster of
    hundreds of articles), the graph holds the GRAPH_CANDIDATES candidates most
    similar to the cluster centroid (TF-IDF cosine, ties to the earlier one);
    the rest follow them in that order. Ordinary clusters (Multi-News: at most a
    few hundred candidates) are ranked on the full graph, unchanged.
    """

    damping: float = 0.85

    def __post_init__(self) -> None:
        if not 0 < self.damping < 1:
            raise ValueError(f"damping must be in (0, 1), got {self.damping}")

    def similarity(self, sentences: list[str]):
        raise NotImplementedError

    def rank(self, candidates, cluster, budget, references):
        from bench.text.rank import order_by, pagerank

        texts = [c.text for c in candidates]
        pool, rest = graph_pool(texts)
        order = order_by(pagerank(self.similarity([texts[i] for i in pool]), self.damping))
        return [pool[i] for i in order] + rest


def graph_pool(texts: list[str], cap: int | None = None) -> tuple[list[int], list[int]]:
    """(indices in the graph, the others in centroid order) under the graph size rule."""
    from bench.text.rank import centroid_scores, order_by, tfidf

    cap = GRAPH_CANDIDATES if cap is None else cap
    if len(texts) <= cap:
        return list(range(len(texts))), []
    by_centroid = order_by(centroid_scores(tfidf(texts)))
    return sorted(by_centroid[:cap]), by_centroid[cap:]
