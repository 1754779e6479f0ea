"""Size limits of text preparation: a cluster too large to prepare fails early, with a reason.

Cleaning, sentence splitting, near-duplicate removal, the extractive systems and
the lexical metrics are linear in a cluster's words (``benchmarks/cluster_scale.py``:
a 10 MB article of 1.6M words completes every built-in system and metric in under
2 GB). Past these limits a cluster fails at once, before anything is allocated,
instead of after minutes with a MemoryError. Words are counted as budgets count
them (``bench.text.units``).
"""

from __future__ import annotations

import functools

from .units import count_words_upto

#: the most words one document may have (a 10 MB article has about 1.6M)
MAX_DOCUMENT_WORDS = 2_000_000
#: the most words all documents of a cluster may have together
MAX_CLUSTER_WORDS = 2_000_000
#: the most words a summary may have: past it, it is not a summary (Multi-News summaries have ~260), and
#: scoring it costs minutes (faithfulness, grounding and key points compare every sentence with the sources)
MAX_SUMMARY_WORDS = 10_000


def summary_too_long(words: int) -> str | None:
    """Why a summary of ``words`` words is refused, or None."""
    if words <= MAX_SUMMARY_WORDS:
        return None
    return (f"a summary of {words:,} words is not a summary (at most {MAX_SUMMARY_WORDS:,}: "
            "bench.text.limits.MAX_SUMMARY_WORDS); cut it, or give a budget (--words)")


class TooLarge(ValueError):
    """A document or cluster over the size limit of a system or metric."""


def check_size(cluster, who: str, max_document_words: int | None = None,
               max_cluster_words: int | None = None) -> None:
    """Raise :class:`TooLarge` naming the document, its size, the limit and ``who``."""
    doc_limit = MAX_DOCUMENT_WORDS if max_document_words is None else max_document_words
    cluster_limit = MAX_CLUSTER_WORDS if max_cluster_words is None else max_cluster_words
    problem = _problem(cluster, doc_limit, cluster_limit)
    if problem:
        raise TooLarge(problem.format(who=who))


@functools.lru_cache(maxsize=4)  # systems and metrics check the same cluster in turn
def _problem(cluster, doc_limit: int, cluster_limit: int) -> str | None:
    if sum(len(d.text) for d in cluster.documents) <= min(doc_limit, cluster_limit):
        return None  # a word has at least one character: nothing to count
    for doc in cluster.documents:
        if len(doc.text) > doc_limit and count_words_upto(doc.text, doc_limit) > doc_limit:
            return (
                f"document {doc.id!r} of {_size(doc.text)} exceeds the {doc_limit:,}-word limit of {{who}} "
                "(bench.text.limits.MAX_DOCUMENT_WORDS); split it into several documents"
            )
    if sum(len(d.text) for d in cluster.documents) > cluster_limit and _total(cluster, cluster_limit) > cluster_limit:
        return (
            f"cluster {cluster.id!r} of {len(cluster.documents):,} documents and over {cluster_limit:,} words "
            f"exceeds the {cluster_limit:,}-word limit of {{who}} (bench.text.limits.MAX_CLUSTER_WORDS); "
            "split it into several clusters"
        )
    return None


def _total(cluster, limit: int) -> int:
    total = 0
    for doc in cluster.documents:
        total += count_words_upto(doc.text, limit - total)
        if total > limit:
            break
    return total


def _size(text: str) -> str:
    n = count_words_upto(text)
    return f"{n / 1e6:.1f}M words" if n >= 1e6 else f"{n:,} words"
