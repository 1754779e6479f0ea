"""Shared base for extractive systems: candidate preparation and budget filling."""

from __future__ import annotations

from dataclasses import dataclass

from bench.plugins import System
from bench.text.candidates import Candidate, fill_budget, prepare


@dataclass
class Extractive(System):
    """Ranks prepared candidates; subclasses implement ``rank``."""

    clean: bool = True

    def candidates(self, cluster) -> tuple[Candidate, ...]:
        return prepare(cluster, self.clean)

    def rank(self, candidates: tuple[Candidate, ...], cluster, budget, references) -> list[int]:
        raise NotImplementedError

    def summarize(self, cluster, budget, references=()):
        cands = self.candidates(cluster)
        if not cands:
            return []
        order = self.rank(cands, cluster, budget, references)
        return fill_budget((cands[i].text for i in order), budget)


@dataclass
class GraphRanked(Extractive):
    """Ranks by PageRank over a sentence-similarity graph; subclasses give ``similarity``."""

    damping: float = 0.85

    def __post_init__(self) -> None:
        if not 0 < self.damping < 1:
            raise ValueError(f"damping must be in (0, 1), got {self.damping}")

    def similarity(self, sentences: list[str]):
        raise NotImplementedError

    def rank(self, candidates, cluster, budget, references):
        from bench.text.rank import order_by, pagerank

        return order_by(pagerank(self.similarity([c.text for c in candidates]), self.damping))
