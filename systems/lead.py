"""Lead baselines: the first sentences of the cluster's documents."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice

from bench.budget import BudgetFill, apply_budget
from bench.plugins import System, system
from bench.text.bullets import normalized
from bench.text.candidates import iter_document_sentences
from bench.text.limits import check_size


@system("lead")
@dataclass
class Lead(System):
    """First n sentences in document order (per_doc: first n of EACH document, Multi-News First-k)."""

    deterministic = True
    n: int = 3
    per_doc: bool = False
    clean: bool = True  # drop scraped boilerplate first (bench.text.clean)

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError(f"n must be >= 1, got {self.n}")

    def summarize(self, cluster, budget, references=()):
        check_size(cluster, self.name)  # fail early, before any allocation
        bullets: list[str] = []
        seen: set[str] = set()
        filled = BudgetFill(budget)
        # a document is cleaned and split only when reached, and only as far as it is read; none is
        # read once the budget is full (a 1,000-article cluster: benchmarks/cluster_scale.py --lead)
        for sentences in iter_document_sentences(cluster, self.clean):
            room = self.n if self.per_doc else self.n - len(bullets)
            # the same wire sentence in two outlets is taken once
            take = list(islice((s for s in sentences if normalized(s) not in seen), room))
            bullets.extend(take)
            seen.update(normalized(s) for s in take)
            if filled.add(take) or (not self.per_doc and len(bullets) >= self.n):
                break
        # in order, the last sentence cut at the word budget (Multi-News First-k protocol)
        return list(apply_budget(bullets, budget).bullets)
