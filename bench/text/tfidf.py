"""TF-IDF and count vectors of short texts, equal to scikit-learn's vectorizers.

The same values as ``TfidfVectorizer`` / ``CountVectorizer`` with the options
sumbench uses (lowercase, a token pattern, English stop words, word n-grams,
``sublinear_tf``, ``binary``, smooth idf, L2 rows; tests/test_tfidf.py checks
them against scikit-learn), built on numpy and scipy.sparse only: importing
scikit-learn costs about a second per process (scipy.stats ...), which every
run, worker process and rerun paid before its first cleaned cluster.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Callable, Iterable, Sequence

from ._stop_words import ENGLISH_STOP_WORDS


class EmptyVocabulary(ValueError):
    """No text has a token that is not a stop word (scikit-learn raises ValueError too)."""


class Vectorizer:
    """Fit a vocabulary (sorted terms, as scikit-learn) and idf on texts; rows are CSR matrices."""

    def __init__(self, token_pattern: str, ngram_range: tuple[int, int] = (1, 1), sublinear_tf: bool = False,
                 binary: bool = False, idf: bool = True) -> None:
        self.token_pattern = re.compile(token_pattern)
        self.ngram_range = ngram_range
        self.sublinear_tf = sublinear_tf
        self.binary = binary
        self.use_idf = idf
        self.vocabulary: dict[str, int] = {}
        self.idf = None

    # -- analysis ---------------------------------------------------------
    def analyzer(self) -> Callable[[str], list[str]]:
        """Text -> terms: lowercase, tokens, stop words dropped, then n-grams (unigrams first)."""
        find = self.token_pattern.findall
        lo, hi = self.ngram_range

        def analyze(text: str) -> list[str]:
            tokens = [t for t in find(text.lower()) if t not in ENGLISH_STOP_WORDS]
            if hi == 1:
                return tokens
            terms = list(tokens) if lo == 1 else []
            for n in range(max(lo, 2), min(hi, len(tokens)) + 1):
                terms.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
            return terms

        return analyze

    # -- fitting ----------------------------------------------------------
    def fit(self, texts: Iterable[str]) -> "Vectorizer":
        self._fit_counts(texts)
        return self

    def fit_counts(self, texts: Iterable[str]):
        """Fit, and return the texts' count rows (as ``counts`` would, except that each
        row's indices stay in first-seen order: ``sort_indices`` after resetting
        ``has_sorted_indices`` gives ``counts``' rows)."""
        return self._fit_counts(texts)

    def fit_transform(self, texts: Sequence[str]):
        """TF-IDF rows of ``texts`` (raw counts, or 0/1 when binary, if idf=False)."""
        return self.weigh(self._fit_counts(texts))

    def _fit_counts(self, texts: Iterable[str]):
        import numpy as np

        vocab: dict[str, int] = {}
        rows = self._rows(texts, lambda term: vocab.setdefault(term, len(vocab)))
        if not vocab:
            raise EmptyVocabulary("empty vocabulary; perhaps the documents only contain stop words")
        order = sorted(vocab)  # scikit-learn numbers features alphabetically
        new_index = np.empty(len(vocab), dtype=np.int32)
        for i, term in enumerate(order):
            new_index[vocab[term]] = i
        self.vocabulary = {term: i for i, term in enumerate(order)}
        counts = self._matrix(rows, remap=new_index)
        if self.use_idf:
            df = np.bincount(counts.indices, minlength=len(order)).astype(np.float64)
            df += 1.0  # smooth idf: as if one more text held every term once
            idf = np.full_like(df, fill_value=counts.shape[0] + 1, dtype=np.float64)
            idf /= df
            np.log(idf, out=idf)
            idf += 1.0
            self.idf = idf
        return counts

    # -- transforming -----------------------------------------------------
    def counts(self, texts: Iterable[str]):
        """Term counts of ``texts`` over the fitted vocabulary (other terms ignored)."""
        vocab = self.vocabulary
        return self._matrix(self._rows(texts, vocab.get))

    def transform(self, texts: Iterable[str]):
        return self.weigh(self.counts(texts))

    def weigh(self, counts):
        """Count rows -> what ``fit_transform`` gives: 0/1 when binary; sublinear tf, idf and L2 rows."""
        import numpy as np

        # astype would also sort each row's indices (scipy), changing the order of later sums
        m = counts.copy() if counts.dtype == np.float64 or not self.use_idf else counts.astype(np.float64)
        if self.binary:
            m.data.fill(1)
        if not self.use_idf:
            return m
        if self.sublinear_tf:
            np.log(m.data, m.data)
            m.data += 1.0
        m.data *= self.idf[m.indices]
        _l2_rows(m)
        return m

    def _rows(self, texts: Iterable[str], index: Callable[[str], int | None]):
        analyze = self.analyzer()
        indices: list[int] = []
        values: list[int] = []
        indptr = [0]
        for text in texts:
            for term, n in Counter(analyze(text)).items():  # terms in first-seen order
                j = index(term)
                if j is not None:
                    indices.append(j)
                    values.append(n)
            indptr.append(len(indices))
        return indices, values, indptr

    def _matrix(self, rows, remap=None):
        """CSR counts; ``remap`` (fitting): first-seen term numbers -> sorted ones, applied after
        sorting the row indices, as scikit-learn does (rows then stay in first-seen order,
        which fixes the order of every later sparse sum)."""
        import numpy as np
        from scipy.sparse import csr_matrix

        indices, values, indptr = rows
        dtype = np.float64 if self.use_idf else np.int64  # scikit-learn: TfidfVectorizer counts in float64
        m = csr_matrix((np.asarray(values, dtype=dtype), np.asarray(indices, dtype=np.int32),
                        np.asarray(indptr, dtype=np.int32)), shape=(len(indptr) - 1, len(self.vocabulary)))
        m.sort_indices()
        if remap is not None:
            m.indices = remap.take(m.indices, mode="clip")
        if self.binary and not self.use_idf:
            m.data.fill(1)
        return m


def _l2_rows(m) -> None:
    """Divide each CSR row by its Euclidean norm in place (rows of zeros stay zero), as scikit-learn."""
    import numpy as np

    for i in range(m.shape[0]):
        start, end = m.indptr[i], m.indptr[i + 1]
        if start == end:
            continue
        row = m.data[start:end]
        total = 0.0
        for v in row.tolist():  # sequential sum of squares: the same rounding as scikit-learn's loop
            total += v * v
        if total != 0.0:
            row /= np.sqrt(total)
