"""Grounding: the best-supporting source sentence (and outlet) for each bullet."""

from __future__ import annotations

import math
import re
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import Sequence

from bench.model import Cluster
from bench.plugins import ItemFailure, Metric, MetricResult, ScoreItem, metric
from bench.text.limits import TooLarge, check_size
from bench.text.sentences import split_sentences

from ._tokens import STOPWORDS, TOKENIZER, content_terms, words

SPECIFICS = "a number, or a capitalised word other than the first, that occurs in no document"
_NAME = re.compile(r"(?<=\S\s)[A-Z][\w'’.-]*")  # capitalised, not the bullet's first word

#: clusters whose indexed sentences are kept between calls (memory stays bounded over a run)
CLUSTERS_CACHED = 8

SUPPORT = (
    "idf-weighted share (idf over the cluster's sentences, log((N+1)/(df+1))+1) of the bullet's distinct"
    " content terms (Porter-stemmed, stopwords dropped) found in at most"
    " {k} source sentences, picked greedily (best sentence first, then the one adding most); ties to the earliest"
)


@metric("grounding")
@dataclass
class Grounding(Metric):
    """Per-bullet best-supporting source sentence and outlet; share of weakly supported bullets."""

    weak_below: float = 0.5  # a bullet whose support is below this is a candidate hallucination
    sentences: int = 2  # evidence sentences per bullet (news bullets often fuse two)
    specifics: bool = True  # also weak: a number or a name that occurs in no document

    deterministic = True
    headline = ("weak_share", "support")
    lower_is_better = frozenset({"weak_share"})

    def __post_init__(self) -> None:
        if not 0.0 < self.weak_below <= 1.0:
            raise ValueError(f"weak_below must be in (0, 1], got {self.weak_below}")
        if self.sentences < 1:
            raise ValueError(f"sentences must be >= 1, got {self.sentences}")
        self._cache: OrderedDict[str, _Source] = OrderedDict()

    def signature(self) -> dict:
        sig = super().signature()
        sig["tokenizer"] = TOKENIZER
        sig["stopwords"] = len(STOPWORDS)
        sig["support"] = SUPPORT.format(k=self.sentences)
        sig["sentences"] = "bench.text.sentences.split_sentences (pysbd)"
        sig["weak"] = f"support < {self.weak_below}" + (f" or {SPECIFICS}" if self.specifics else "")
        return sig

    def _source(self, cluster: Cluster) -> "_Source":
        """The cluster's indexed sentences; the last CLUSTERS_CACHED clusters are kept."""
        key = cluster.content_hash()
        if key in self._cache:
            self._cache.move_to_end(key)
        else:
            self._cache[key] = _Source(cluster)
            while len(self._cache) > CLUSTERS_CACHED:
                self._cache.popitem(last=False)
        return self._cache[key]

    def _unsupported(self, bullet: str, source: "_Source") -> list[str]:
        """Numbers and names (capitalised, not the first word) that occur in no document."""
        if not self.specifics:
            return []
        vocab = source.vocabulary()
        out = [w for w in words(bullet) if any(ch.isdigit() for ch in w) and w not in vocab]
        for name in _NAME.findall(bullet):
            parts = [p for p in re.split(r"[-’']", name) if p[:1].isupper()]  # NATO-level -> NATO
            toks = [t for p in parts for t in words(p)]
            if toks and toks[0] not in STOPWORDS and not all(t in vocab for t in toks):
                out.append(name)
        return sorted(set(out))

    def score(self, items: Sequence[ScoreItem]) -> list[MetricResult | ItemFailure]:
        return [self._score_one(item) for item in items]

    def _score_one(self, item: ScoreItem) -> MetricResult | ItemFailure:
        try:
            check_size(item.cluster, "grounding")
        except TooLarge as exc:
            return ItemFailure(str(exc))
        source = self._source(item.cluster)
        sentences, df, postings = source.rows, source.df, source.postings
        if not sentences:
            return ItemFailure("cluster has no source sentences")
        n_sent = len(sentences)
        bullets, supports, outlets = [], [], Counter()
        for bullet in item.bullets:
            terms = set(content_terms(bullet))
            if not terms:
                continue  # nothing checkable (e.g. punctuation only); not counted
            weight = {t: math.log((n_sent + 1) / (df.get(t, 0) + 1)) + 1 for t in terms}
            evidence, covered = [], set()
            for _ in range(self.sentences):
                best_i, gain = -1, 0.0
                # only sentences holding a wanted term can gain; in order, so ties go to the earliest
                for i in sorted({i for t in terms - covered for i in postings.get(t, ())}):
                    g = math.fsum(weight[t] for t in (terms - covered) & sentences[i][3])  # order-free sums
                    if g > gain:
                        best_i, gain = i, g
                if best_i < 0:
                    break
                evidence.append(best_i)
                covered |= terms & sentences[best_i][3]
            best = math.fsum(weight[t] for t in covered) / math.fsum(weight.values())
            unsupported = self._unsupported(bullet, source)
            weak = best < self.weak_below or bool(unsupported)
            if not weak:
                for i in evidence:
                    outlets[sentences[i][1]] += 1
            supports.append(best)
            bullets.append(
                {
                    "bullet": bullet,
                    "support": best,
                    "weak": weak,
                    "evidence": [
                        {"document": sentences[i][0], "outlet": sentences[i][1], "sentence": sentences[i][2]}
                        for i in evidence
                    ],
                    "terms_in_no_document": sorted(t for t in terms if t not in df),
                    "unsupported_specifics": unsupported,
                }
            )
        if not supports:
            return ItemFailure("summary has no words to check")
        n = len(supports)
        values = {
            "weak_share": sum(1 for b in bullets if b["weak"]) / n,
            "support": sum(supports) / n,
            "outlets": float(len(outlets)),
        }
        return MetricResult(values, {"bullets": bullets, "outlets": dict(outlets.most_common())})


class _Source:
    """A cluster's source sentences with their content terms, indexed by term."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        #: (document id, outlet, sentence, content terms) for every source sentence
        self.rows: list[tuple[str, str, str, frozenset[str]]] = []
        for doc in cluster.documents:
            outlet = doc.source or f"document {doc.id}"
            for sent in split_sentences(doc.text):
                self.rows.append((doc.id, outlet, sent, frozenset(content_terms(sent))))
        #: number of source sentences containing each term
        self.df = Counter(t for row in self.rows for t in row[3])
        #: term -> indices of the sentences holding it (only those can support a bullet's term)
        self.postings: dict[str, list[int]] = {}
        for i, row in enumerate(self.rows):
            for t in row[3]:
                self.postings.setdefault(t, []).append(i)
        self._vocab: frozenset[str] | None = None

    def vocabulary(self) -> frozenset[str]:
        """Every word of every document (for numbers and names)."""
        if self._vocab is None:
            self._vocab = frozenset(w for d in self.cluster.documents for w in words(d.text))
        return self._vocab
