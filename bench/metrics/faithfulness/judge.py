"""A verdict for every summary sentence, and the summary's values.

Each sentence gets a graded score, the probability that it is faithful from a
logistic model over ``features.FEATURES`` (weights fitted on human factuality
judgments, ``calibration``; 0 when a specific is contradicted, at most the
threshold when one occurs in no source, at least the calibrated floor when its
evidence states it word for word: ``settle``), and a verdict:

- ``contradicted``: a specific of it is contradicted by the evidence;
- ``unsupported``: a specific of it occurs in no source, or its score is below
  the calibrated threshold;
- ``supported`` otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from bench.text.tokenised import detokenised

from .calibration import COPIED_LINE, Calibration
from .copied import copied_share
from .features import FEATURES, SentenceEvidence, embedding_features, feature_vector
from .source import Source
from .specifics import check, merged
from .words import content_terms, tokens

#: longer evidence sentences are embedded as this many words around what they share with the summary
EVIDENCE_WORDS = 40
#: source sentences a sentence may be copied from: those holding most of its words (near-copies included)
COPY_K = 6

VALUE_KEYS = ("faithfulness", "supported", "contradicted", "unsupported", "specifics_flagged")


@dataclass(frozen=True)
class Unit:
    """One summary sentence: the bullet it belongs to, its text, its words and evidence."""

    bullet: int
    text: str
    found: SentenceEvidence


def units(bullets: Sequence[str], source: Source, split: Callable[[str], list[str]]) -> list[Unit]:
    """The checkable sentences of a summary (a sentence with no content word is left out)."""
    out = []
    for i, bullet in enumerate(bullets):
        for sent in split(bullet):
            words = tokens(sent)
            found = SentenceEvidence.find(words, source)
            if found.pair.terms:
                out.append(Unit(i, sent, found))
    return out


def evidence_texts(unit: Unit, source: Source) -> list[str]:
    """The evidence passages that are embedded: each evidence sentence, a long one clipped to the
    window of EVIDENCE_WORDS words (on a grid of half-overlapping windows) holding most of the words it
    shares with the summary sentence."""
    return [clip(source.rows[i], unit.found.wide.terms) for i in unit.found.wide.sentences]


def embedded_texts(unit: Unit, source: Source) -> list[str]:
    """The sentence and its evidence passages as they are embedded: as ordinary text (tokenised text,
    "-lrb- ... did n't", detokenised)."""
    return [detokenised(t) for t in (unit.text, *evidence_texts(unit, source))]


def clip(row, terms: frozenset[str]) -> str:
    words = row.words
    if len(words) <= EVIDENCE_WORDS:
        return row.text
    hits = [j for j, w in enumerate(words) if any(t in terms for t in content_terms([w]))]
    # windows of EVIDENCE_WORDS words on a fixed grid (so summaries share them): the one with most shared
    # words, earliest on ties
    step = EVIDENCE_WORDS // 2
    starts = list(range(0, len(words) - EVIDENCE_WORDS, step)) + [len(words) - EVIDENCE_WORDS]
    start = max(starts, key=lambda a: (sum(1 for j in hits if a <= j < a + EVIDENCE_WORDS), -a))
    return row.text[words[start].start: words[start + EVIDENCE_WORDS - 1].end]


def judge(unit: Unit, source: Source, vectors: Callable[[str], Any], cal: Calibration,
          lexicon: frozenset[str] | None) -> dict[str, Any]:
    """One sentence's verdict, graded score, evidence and flagged spans (``vectors``: text -> Tokens)."""
    specifics = check(list(unit.found.words), unit.found.pair.sentences, source, lexicon, unit.text)
    sentence, *evidence = [vectors(t) for t in embedded_texts(unit, source)]
    similarity, weakest = embedding_features(sentence, evidence)
    copied = copied_share(unit.text, [source.rows[i].text for i in source.closest(unit.found.pair.terms, COPY_K)])
    x = feature_vector(unit.found, specifics, similarity, weakest, copied)
    model_score = cal.probability([x[k] for k in FEATURES])
    score = settle(model_score, x["contradicted"] > 0, x["unsupported"] > 0, cal.threshold,
                   cal.copied_floor if copied >= COPIED_LINE else None)
    if x["contradicted"] > 0:
        verdict = "contradicted"
    elif x["unsupported"] > 0 or score < cal.threshold:
        verdict = "unsupported"
    else:
        verdict = "supported"
    flagged = [s.as_dict() for s in merged([s for s in specifics if s.status != "supported"])]
    return {
        "bullet": unit.bullet,
        "sentence": unit.text,
        "verdict": verdict,
        "score": score,
        "model_score": model_score,
        "features": {k: round(v, 6) for k, v in x.items()},
        "evidence": [{"document": source.rows[i].document, "outlet": source.rows[i].outlet,
                      "sentence": source.rows[i].text} for i in unit.found.pair.sentences],
        "spans": flagged,
    }


def settle(model_score: float, contradicted: bool, unsupported: bool, threshold: float,
           copied_floor: float | None = None) -> float:
    """A sentence's graded score: the model's, except that the sources contradicting it make it 0, a
    specific in no source puts it at most at the threshold (below the line of faithful), and a sentence
    its evidence states word for word (``copied_floor``: it is copied) scores at least the floor."""
    if contradicted:
        return 0.0
    if unsupported:
        return min(model_score, threshold)
    return max(model_score, copied_floor) if copied_floor is not None else model_score


def summary_values(sentences: list[dict[str, Any]]) -> dict[str, float]:
    """faithfulness: expected share of faithful sentences (mean graded score); supported, contradicted,
    unsupported: shares of sentences by verdict; specifics_flagged: unsupported or contradicted
    numbers, dates and names per sentence."""
    n = len(sentences)
    return {
        "faithfulness": math.fsum(s["score"] for s in sentences) / n,
        "supported": sum(s["verdict"] == "supported" for s in sentences) / n,
        "contradicted": sum(s["verdict"] == "contradicted" for s in sentences) / n,
        "unsupported": sum(s["verdict"] == "unsupported" for s in sentences) / n,
        "specifics_flagged": sum(1 for s in sentences for sp in s["spans"]
                                 if sp["status"] in ("unsupported", "contradicted")) / n,
    }
