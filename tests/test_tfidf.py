"""bench.text.tfidf gives scikit-learn's TfidfVectorizer / CountVectorizer values, without importing it."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from bench.suites import load_suite
from bench.text.sentences import split_sentences
from bench.text.tfidf import EmptyVocabulary, Vectorizer
from bench.text.units import _TOKEN_PATTERN
from conftest import FIXTURES, REPO, SHARED_DATA

sk = pytest.importorskip("sklearn.feature_extraction.text")

EDGE = ["", "the and of", "Tokyo tokyo TOKYO quake", "東京で大きな地震が発生した。", "x y z 42 4.2 co-op",
        "Déjà vu: naïve café's menu", "a", "repeat repeat repeat repeat word", "A bigram bigram test test"]


def corpora() -> list[list[str]]:
    """Sentences of real news clusters (the shared dev file when present), each cluster a corpus, plus edge cases."""
    suite = load_suite(str(SHARED_DATA), fmt="multi_news") if SHARED_DATA.is_file() else None
    clusters = list(suite.clusters[:12]) if suite else []
    clusters += list(load_suite(str(FIXTURES / "multi_news_small.jsonl"), fmt="multi_news").clusters)
    clusters += list(load_suite(str(REPO / "references" / "seed-news")).clusters)
    out = [[s for d in c.documents for s in split_sentences(d.text)] for c in clusters]
    return [c + EDGE for c in out if c] + [EDGE]


OPTIONS = [dict(sublinear_tf=True), dict(ngram_range=(1, 2), sublinear_tf=True), dict(), dict(binary=True)]


def same(ours, theirs) -> None:
    assert ours.shape == theirs.shape
    assert (ours.indptr == theirs.indptr).all() and (ours.indices == theirs.indices).all()
    assert np.array_equal(ours.data, theirs.data)  # bit for bit


@pytest.mark.parametrize("options", OPTIONS, ids=str)
def test_tfidf_rows_equal_scikit_learns(options):
    for texts in corpora():
        ours = Vectorizer(_TOKEN_PATTERN, **options)
        theirs = sk.TfidfVectorizer(stop_words="english", token_pattern=_TOKEN_PATTERN, **options)
        same(ours.fit_transform(texts), theirs.fit_transform(texts))
        assert ours.vocabulary == theirs.vocabulary_
        np.testing.assert_array_equal(ours.idf, theirs.idf_)
        other = texts[::-1][:7] + ["unseen words only zzzz", ""]
        same(ours.transform(other), theirs.transform(other))
        assert ours.analyzer()(texts[0]) == theirs.build_analyzer()(texts[0])


def test_counts_equal_count_vectorizer():
    for texts in corpora():
        for binary in (False, True):
            ours = Vectorizer(_TOKEN_PATTERN, idf=False, binary=binary).fit_transform(texts)
            theirs = sk.CountVectorizer(stop_words="english", token_pattern=_TOKEN_PATTERN,
                                        binary=binary).fit_transform(texts)
            same(ours, theirs)
            assert ours.dtype == theirs.dtype


def test_stop_words_are_scikit_learns():
    from bench.text._stop_words import ENGLISH_STOP_WORDS

    assert ENGLISH_STOP_WORDS == sk.ENGLISH_STOP_WORDS


def test_only_stop_words_is_an_empty_vocabulary():
    with pytest.raises(EmptyVocabulary, match="empty vocabulary"):
        Vectorizer(_TOKEN_PATTERN).fit_transform(["the and of", "", "a"])
    assert issubclass(EmptyVocabulary, ValueError)


def test_cleaning_and_ranking_import_no_scikit_learn():
    code = ("import sys; from bench.suites import load_suite; from bench.budget import Budget; "
            "from bench.plugins.discovery import discover; "
            "s = load_suite('references/seed-news'); reg = discover().systems; "
            "[reg.create(n).instance.summarize(s.clusters[0], Budget(words=60)) for n in "
            "('lead', 'lexrank', 'textrank', 'centroid', 'mmr', 'random')]; "
            "print('sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
