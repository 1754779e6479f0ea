"""A cluster's source sentences, indexed once, and the evidence for a summary sentence.

The one place where summaries are aligned to their sources: ``grounding`` and
``faithfulness`` both take their evidence from ``Source.evidence``.
"""

from __future__ import annotations

import math
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass

from bench.model import Cluster
from bench.text.sentences import split_sentences

from .words import Word, content_terms, tokens, vocabulary


EVIDENCE = (
    "idf-weighted share (idf over the cluster's sentences, log((N+1)/(df+1))+1) of the sentence's distinct"
    " content terms (atoms, Porter-stemmed, stopwords dropped) found in at most {k} source sentences, picked"
    " greedily (best sentence first, then the one adding most); ties to the earliest"
)

#: source sentences whose clusters' indexes are kept between calls (about 7 kB each: ~200 MB). A run
#: scores metric after metric over the whole suite, so a suite within this bound (the Multi-News dev
#: file is 4,000 sentences) is indexed once per process for all of them; the most recent cluster is
#: always kept, however large
ROWS_CACHED = 30_000


@dataclass(frozen=True)
class SourceSentence:
    document: str
    outlet: str
    text: str
    words: tuple[Word, ...]
    terms: frozenset[str]


@dataclass(frozen=True)
class Evidence:
    sentences: tuple[int, ...]  # indices into Source.rows, best first
    support: float  # idf-weighted share of the terms found in them (0..1)
    terms: frozenset[str]  # the summary sentence's terms
    missing: frozenset[str]  # its terms found in none of the evidence sentences


def source_sentences(text: str) -> list[str]:
    """A document's sentences (``split_sentences``, which also splits sentences glued by scraping): the
    evidence index and the report's document view cut documents this one way."""
    return split_sentences(text)


class Source:
    """A cluster's source sentences with their words and terms, indexed by term."""

    def __init__(self, cluster: Cluster) -> None:
        self.rows: list[SourceSentence] = []
        for doc in cluster.documents:
            outlet = doc.source or f"document {doc.id}"
            for sent in source_sentences(doc.text):
                ws = tuple(tokens(sent))
                self.rows.append(SourceSentence(doc.id, outlet, sent, ws, frozenset(content_terms(list(ws)))))
        self.df = Counter(t for row in self.rows for t in row.terms)
        self.postings: dict[str, list[int]] = {}
        for i, row in enumerate(self.rows):
            for t in row.terms:
                self.postings.setdefault(t, []).append(i)
        self.vocabulary = frozenset(vocabulary([w for row in self.rows for w in row.words]))
        self.names = frozenset(_names(self.rows))

    def weight(self, term: str) -> float:
        return math.log((len(self.rows) + 1) / (self.df.get(term, 0) + 1)) + 1

    def evidence(self, words: list[Word], k: int) -> Evidence:
        """At most ``k`` source sentences that together hold most of the words' terms."""
        terms = frozenset(content_terms(words))
        if not terms or not self.rows:
            return Evidence((), 0.0, terms, terms)
        weight = {t: self.weight(t) for t in terms}
        chosen, covered = [], set()
        for _ in range(k):
            best_i, gain = -1, 0.0
            # only sentences holding a wanted term can gain; in order, so ties go to the earliest
            for i in sorted({i for t in terms - covered for i in self.postings.get(t, ())}):
                g = math.fsum(weight[t] for t in (terms - covered) & self.rows[i].terms)
                if g > gain:
                    best_i, gain = i, g
            if best_i < 0:
                break
            chosen.append(best_i)
            covered |= terms & self.rows[best_i].terms
        support = math.fsum(weight[t] for t in covered) / math.fsum(weight.values())
        return Evidence(tuple(chosen), support, terms, frozenset(terms - covered))

    def closest(self, terms: frozenset[str], n: int) -> list[int]:
        """The ``n`` source sentences holding most of ``terms`` (idf-weighted), best first, ties to the
        earliest: near-copies in several documents are all among them."""
        gain: dict[int, float] = {}
        for t in terms:
            w = self.weight(t)
            for i in self.postings.get(t, ()):
                gain[i] = gain.get(i, 0.0) + w
        return sorted(gain, key=lambda i: (-gain[i], i))[:n]


def _names(rows: list[SourceSentence]) -> set[str]:
    """Words the sources write capitalised inside a sentence and never in lower case."""
    upper, lower = set(), set()
    for row in rows:
        for i, w in enumerate(row.words):
            if not w.text[:1].isalpha():
                continue
            if w.text[:1].islower():
                lower.add(w.norm)
            elif i > 0 and not w.is_stopword:
                upper.add(w.norm)
    return upper - lower


class SourceCache:
    """The most recently used clusters' indexes, by the cluster's content, up to ROWS_CACHED sentences."""

    def __init__(self) -> None:
        self._cache: OrderedDict[str, Source] = OrderedDict()
        self._rows = 0
        self._lock = threading.Lock()

    def get(self, cluster: Cluster) -> Source:
        key = cluster.content_hash()
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
            else:
                self._cache[key] = Source(cluster)
                self._rows += len(self._cache[key].rows)
                while self._rows > ROWS_CACHED and len(self._cache) > 1:
                    self._rows -= len(self._cache.popitem(last=False)[1].rows)
            return self._cache[key]

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
            self._rows = 0


#: one per process: grounding, faithfulness and kp_recall_faithful (through faithfulness) index a
#: cluster once
SOURCES = SourceCache()
