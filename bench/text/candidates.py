"""Shared candidate preparation for extractive systems: clean, split, dedup, filter.

The budget filler that turns their ranking into bullets is ``bench.budget.fill_budget``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Iterator

from .clean import cluster_cleaning
from .dedup import DUPLICATE_THRESHOLD, unique_indices
from .sentences import paragraphs, split_sentences
from .units import count_words

MIN_WORDS = 5  # shorter: datelines, fragments, captions
MAX_WORDS = 80  # longer: run-on lists and mis-split paragraphs


@dataclass(frozen=True)
class Candidate:
    """A sentence that may be extracted, with where it came from."""

    text: str
    doc: int  # index of the document in the cluster
    position: int  # index of the sentence within its (cleaned) document

    @property
    def words(self) -> int:
        return count_words(self.text)


def document_sentences(cluster, clean: bool = True) -> list[list[str]]:
    """Sentences of each document, after cleaning when ``clean``."""
    return [list(sentences) for sentences in iter_document_sentences(cluster, clean)]


def iter_document_sentences(cluster, clean: bool = True) -> Iterator[Iterator[str]]:
    """``document_sentences`` made as they are read: a document is cleaned (with the
    cluster's statistics) when it is reached and split a paragraph at a time, so a
    reader of the first sentences (``lead``) pays for little more than those."""
    cleaning = cluster_cleaning(cluster) if clean else None
    for d, doc in enumerate(cluster.documents):
        text = cleaning.text(d) if cleaning is not None else doc.text
        # split_sentences never crosses a paragraph: splitting each paragraph alone is the same
        yield (s for para in paragraphs(text) for s in split_sentences(para))


@functools.lru_cache(maxsize=128)
def prepare(
    cluster,
    clean: bool = True,
    min_words: int = MIN_WORDS,
    max_words: int = MAX_WORDS,
    threshold: float = DUPLICATE_THRESHOLD,
) -> tuple[Candidate, ...]:
    """Candidates in document order: cleaned, split, length-filtered, near-duplicates removed.

    Of a group of near-duplicates the earliest (document order) is kept, so no
    system can pick the same fact twice.
    """
    if min_words < 1 or max_words < min_words:
        raise ValueError(f"need 1 <= min_words <= max_words, got {min_words}, {max_words}")
    every = [Candidate(s, d, i) for d, ss in enumerate(document_sentences(cluster, clean)) for i, s in enumerate(ss)]
    pool = [c for c in every if min_words <= c.words <= max_words] or every  # tiny inputs: keep all
    keep = unique_indices([c.text for c in pool], threshold)
    return tuple(pool[i] for i in keep)
