"""Random baseline: candidate sentences in a seeded random order."""

from __future__ import annotations

import random
from dataclasses import dataclass

from bench.plugins import system

from ._extractive import Extractive


@system("random")
@dataclass
class RandomSentences(Extractive):
    """Random sentences (seeded) from the cleaned, deduplicated candidates."""

    seed: int = 0

    def rank(self, candidates, cluster, budget, references):
        order = list(range(len(candidates)))
        random.Random(f"{self.seed}:{cluster.id}").shuffle(order)
        return order
