"""What is measured of one summary sentence against its evidence (inputs of the graded score).

- ``similarity``: cosine of the sentence's mean token vector with that of the
  closest passage of its evidence as long as the sentence (in tokens; a
  shorter evidence sentence whole): all-MiniLM-L6-v2 is trained so that
  paraphrases are close, so a restatement in other words is not penalised,
  nor one that states a part of a long source sentence (measured with the
  whole evidence sentence as a passage too: SummEval 0.435 / 0.44 against
  0.436 / 0.46, cross-validated);
- ``support1``: idf-weighted share of its content terms found in the single best
  source sentence (a claim one sentence states, rather than words from several);
- ``weakest``: mean of the two lowest best-cosine matches of its content tokens
  in the evidence sentences (a word nothing in the evidence resembles);
- ``unsupported`` / ``contradicted``: its specifics with that status (at most 2 each);
- ``repetition``: share of its content terms that repeat within it (degenerate output).

Also measured, outside the model: ``copied``, the share of its words that its
evidence states word for word and in order (``copied``), which lifts the
score of a copied or nearly copied sentence (``judge.settle``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .source import Evidence, Source
from .specifics import Specific
from .words import Word, content_terms

FEATURES = ("similarity", "support1", "weakest", "unsupported", "contradicted", "repetition")
#: what is recorded of each sentence: the model's inputs, and ``copied``, which settles the score
#: of a (nearly) copied sentence (``judge.settle``)
MEASURES = FEATURES + ("copied",)
#: evidence sentences per summary sentence: for specifics and for the embedding features
SPECIFICS_K, EMBED_K = 2, 3
CAP = 2  # specifics counted per sentence


@dataclass(frozen=True)
class SentenceEvidence:
    """Evidence found for one summary sentence, before any embedding."""

    words: tuple[Word, ...]
    one: Evidence  # k = 1
    pair: Evidence  # k = SPECIFICS_K
    wide: Evidence  # k = EMBED_K

    @classmethod
    def find(cls, words: list[Word], source: Source) -> "SentenceEvidence":
        return cls(tuple(words), source.evidence(words, 1), source.evidence(words, SPECIFICS_K),
                   source.evidence(words, EMBED_K))


def repetition(words: list[Word]) -> float:
    terms = content_terms(words)
    return (len(terms) - len(set(terms))) / len(terms) if terms else 0.0


def embedding_features(sentence, evidence: list) -> tuple[float, float]:
    """(similarity, weakest) from token vectors: ``sentence`` and each of ``evidence`` are
    ``Tokens`` (unit vectors, content mask) as the keypoints metric makes them."""
    import numpy as np

    if not evidence or not len(sentence.vectors):
        return 0.0, 0.0
    mean = sentence.vectors.mean(axis=0)
    mean /= max(np.linalg.norm(mean), 1e-12)
    sims = [passage_similarity(mean, ev.vectors, len(sentence.vectors)) for ev in evidence if len(ev.vectors)]
    if not sims:
        return 0.0, 0.0
    content = sentence.content > 0
    if not content.any():
        return max(sims), 1.0
    best = (sentence.vectors[content] @ np.concatenate([ev.vectors for ev in evidence]).T).max(axis=1)
    return max(sims), float(np.sort(best)[:2].mean())


def passage_similarity(mean, vectors, length: int) -> float:
    """The highest cosine of ``mean`` (a unit vector) with the mean of ``length`` consecutive rows of
    ``vectors`` (all of them when there are fewer)."""
    import numpy as np

    length = max(1, min(length, len(vectors)))
    sums = np.cumsum(vectors, axis=0)
    windows = sums[length - 1:].copy()  # window k: rows k .. k + length - 1
    windows[1:] -= sums[:-length]
    return float(((windows @ mean) / np.linalg.norm(windows, axis=1).clip(1e-12)).max())


def feature_vector(found: SentenceEvidence, specifics: list[Specific], similarity: float,
                   weakest: float, copied: float) -> dict[str, float]:
    count = {s: min(CAP, sum(1 for x in specifics if x.status == s)) for s in ("unsupported", "contradicted")}
    return {"similarity": similarity, "support1": found.one.support, "weakest": weakest,
            "unsupported": float(count["unsupported"]), "contradicted": float(count["contradicted"]),
            "repetition": repetition(list(found.words)), "copied": copied}
