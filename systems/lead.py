"""Lead baselines: the first sentences of the cluster's documents."""

from __future__ import annotations

from dataclasses import dataclass

from bench.plugins import System, system
from bench.text.sentences import split_sentences


@system("lead")
@dataclass
class Lead(System):
    """First n sentences in document order (per_doc: first n of EACH document, Multi-News First-k)."""

    n: int = 3
    per_doc: bool = False

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError(f"n must be >= 1, got {self.n}")

    def summarize(self, cluster, budget, references=()):
        bullets: list[str] = []
        for doc in cluster.documents:
            sentences = split_sentences(doc.text)
            if self.per_doc:
                bullets.extend(sentences[: self.n])
            else:
                bullets.extend(sentences[: self.n - len(bullets)])
                if len(bullets) >= self.n:
                    break
        return bullets
