"""The linear-cost text preparation equals the dense computations it replaced.

Each block/sparse algorithm is checked against the plain dense formula (kept
here as the reference) on real dev clusters when present, and on synthetic
near-duplicate text otherwise.
"""

from __future__ import annotations

import random

import pytest

from bench.text.bullets import normalized
from conftest import SHARED_DATA

BASE = (
    "The council approved a new budget on Monday after a long debate. "
    "Officials said taxes will rise by two percent next year. "
    "Residents protested outside the hall, calling the plan unfair to pensioners. "
    "The mayor promised a review of the spending plan in the spring. "
    "Opposition members voted against the measure, citing rising debt. "
    "Schools and roads will receive most of the additional money. "
    "Police estimated that about three hundred people joined the protest. "
    "A spokesman for the union welcomed the decision but asked for more teachers."
).split(". ")
FILLER = "river market station garden harbor bridge winter museum airport festival council tower".split()


def synthetic_sentences(n: int, seed: int = 3) -> list[str]:
    """Sentences with exact copies, case/spacing variants and word-level edits."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        words = rng.choice(BASE).rstrip(".").split()
        for _ in range(rng.choice([0, 0, 1, 2, 4, 8])):
            words[rng.randrange(len(words))] = rng.choice(FILLER)
        s = " ".join(words) + "."
        out.append(s.upper() if rng.random() < 0.05 else s)
    return out


def real_clusters(k: int = 50):
    if not SHARED_DATA.exists():
        return []
    from bench.suites import load_suite

    return list(load_suite(str(SHARED_DATA), fmt="multi_news").clusters[:k])


def dense_unique(sentences, threshold):
    from bench.text.dedup import similarity_matrix

    sim = similarity_matrix(sentences)
    keep, seen = [], set()
    for i, s in enumerate(sentences):
        norm = normalized(s)
        if norm in seen or any(sim[i, j] >= threshold for j in keep):
            continue
        seen.add(norm)
        keep.append(i)
    return keep


@pytest.mark.parametrize("threshold", [0.3, 0.6, 0.9, 1.0])
def test_dedup_equals_dense_on_synthetic_near_duplicates(threshold):
    from bench.text.dedup import unique_indices

    sents = synthetic_sentences(600)
    keep = unique_indices(sents, threshold)
    assert keep == dense_unique(sents, threshold)
    assert 0 < len(keep) < len(sents)


def test_dedup_equals_dense_on_real_clusters():
    from bench.text.candidates import document_sentences
    from bench.text.dedup import unique_indices

    for cluster in real_clusters(20):
        sents = [s for doc in document_sentences(cluster) for s in doc]
        assert unique_indices(sents) == dense_unique(sents, 0.6), cluster.id


def test_dedup_edge_cases():
    from bench.text.dedup import unique_indices

    assert unique_indices([]) == []
    assert unique_indices(["the of and", "to be or", "The  of AND"]) == [0, 1]  # stop words only
    assert unique_indices(["Same text here.", "Same text here.", "other words entirely"]) == [0, 2]


def _graphs():
    """Similarity matrices of real clusters' candidates, or of synthetic sentences."""
    from bench.text.candidates import prepare
    from bench.text.rank import cosine, tfidf
    from systems.textrank import overlap_similarity

    texts = [[c.text for c in prepare(cl)] for cl in real_clusters(15)] or [synthetic_sentences(120, s) for s in range(3)]
    texts.append(["only one sentence here"])
    texts.append(["the of and", "to be or not", "a real word"])  # isolated nodes (dangling)
    return [sim for t in texts for sim in (cosine(tfidf(t)), overlap_similarity(t))]


def test_pagerank_equals_networkx_bit_for_bit():
    import networkx as nx
    import numpy as np
    from scipy.sparse import csr_matrix

    from bench.text.rank import pagerank

    for sim in _graphs():
        w = sim.toarray()
        np.fill_diagonal(w, 0.0)
        graph = nx.from_scipy_sparse_array(csr_matrix(w))
        graph.add_nodes_from(range(w.shape[0]))
        ref = nx.pagerank(graph, alpha=0.85, weight="weight", max_iter=200, tol=1e-8)
        assert pagerank(sim) == [ref[i] for i in range(w.shape[0])]


def test_mmr_similarity_rows_equal_dense_rows():
    import numpy as np

    from bench.text.rank import cosine_row, tfidf

    sents = synthetic_sentences(300)
    rows = tfidf(sents)
    dense = (rows @ rows.T).toarray()
    rows_t = rows.T.tocsr()
    for i in (0, 7, 150, 299):
        assert np.array_equal(cosine_row(rows, rows_t, i), dense[i])


def test_graph_size_rule():
    from systems._extractive import graph_pool

    sents = synthetic_sentences(50)
    assert graph_pool(sents) == (list(range(50)), [])
    pool, rest = graph_pool(sents, cap=20)
    assert len(pool) == 20 and pool == sorted(pool) and sorted(pool + rest) == list(range(50))


def _greedy_by_merging(cands, tokens, ref_tokens, budget):
    """The oracle's greedy step as first written (merged Counters each time): the reference."""
    from collections import Counter

    from bench.budget import count_words
    from systems.oracle import _f1, _ngrams

    ref = [_ngrams(ref_tokens, 1), _ngrams(ref_tokens, 2)]
    ref_size = [sum(r.values()) for r in ref]
    grams = [[_ngrams(t, 1), _ngrams(t, 2)] for t in tokens]
    chosen, summ, used, score = [], [Counter(), Counter()], 0, 0.0
    while True:
        best_i, best_score = None, score
        for i, g in enumerate(grams):
            n = count_words(cands[i].text)
            if i in chosen or (budget.words is not None and used + n > budget.words):
                continue
            s = 0.0
            for k in (0, 1):
                merged = summ[k] + g[k]
                s += _f1(sum((merged & ref[k]).values()), sum(merged.values()), ref_size[k]) / 2
            if s > best_score:
                best_i, best_score = i, s
        if best_i is None:
            break
        chosen.append(best_i)
        summ = [summ[0] + grams[best_i][0], summ[1] + grams[best_i][1]]
        used += count_words(cands[best_i].text)
        score = best_score
        if budget.words is None and len(chosen) >= (budget.bullets or 5):
            break
    return [cands[i].text for i in chosen], score


@pytest.mark.parametrize("words", [30, 100, None])
def test_oracle_greedy_equals_merging_counters(words):
    from bench.budget import Budget
    from bench.text.candidates import Candidate
    from systems.oracle import _greedy, _tokenizer

    tok = _tokenizer(False).tokenize
    sents = synthetic_sentences(200, seed=words or 0)
    cands = [Candidate(s, 0, i) for i, s in enumerate(sents)]
    tokens = [tok(s) for s in sents]
    budget = Budget(words=words) if words else Budget(bullets=4)
    for ref in (BASE[1] + " " + BASE[4], BASE[0], "nothing in common zzz"):
        assert _greedy(cands, tokens, tok(ref), budget) == _greedy_by_merging(cands, tokens, tok(ref), budget)


def _fragments_by_scanning(docs, summary):
    """Newsroom's greedy fragments, scanning every position of each token: the reference."""
    out, i = [], 0
    while i < len(summary):
        best = 0
        for doc in docs:
            for j, tok in enumerate(doc):
                if tok != summary[i]:
                    continue
                k = 0
                while i + k < len(summary) and j + k < len(doc) and summary[i + k] == doc[j + k]:
                    k += 1
                best = max(best, k)
        if best:
            out.append(summary[i : i + best])
        i += max(best, 1)
    return out


def test_extractive_fragments_equal_scanning():
    from bench.metrics.shared.lexical import words
    from bench.metrics.extractiveness import _Source

    rng = random.Random(2)
    docs = [words(" ".join(synthetic_sentences(40, seed=d))) for d in range(3)]
    source = _Source(list(docs))
    summaries = [words(" ".join(synthetic_sentences(5, seed=s))) for s in range(10, 30)]
    summaries += [[], ["zzz"], docs[0][:50], docs[1][-7:] + docs[2][:9], [rng.choice(docs[0]) for _ in range(30)]]
    for summ in summaries:
        assert source.fragments(summ) == _fragments_by_scanning(docs, summ)


def test_cleaner_context_similarity_equals_dense_formula():
    """Incremental context cosines = the dense cumulative-sum formula they replaced."""
    import numpy as np

    from bench.text.clean import _context_sims
    from bench.text.units import vectorizer

    paras = [" ".join(synthetic_sentences(4, seed=s)) for s in range(40)] + ["the of and", "river river"]
    vec = vectorizer(sublinear_tf=True).fit(paras)
    rows = vec.transform(paras)
    rest = vec.transform([" ".join(synthetic_sentences(30, seed=99))])
    dense, r = rows.toarray(), rest.toarray()[0]
    above = np.cumsum(dense, axis=0) - dense
    norms = np.linalg.norm(above, axis=1, keepdims=True)
    ctx = np.divide(above, norms, out=np.zeros_like(above), where=norms > 0) + r
    den = np.linalg.norm(dense, axis=1) * np.linalg.norm(ctx, axis=1)
    want = [float(n / d) if d > 0 else 0.0 for n, d in zip((dense * ctx).sum(axis=1), den)]
    assert _context_sims(rows, r, float(r @ r)) == pytest.approx(want, abs=1e-12)


def test_sentences_found_in_the_text_equal_pysbd_segment():
    """pysbd's sentences located with str.find = its own segment (a regex per sentence)."""
    import pysbd

    from bench.text.sentences import _segment, paragraphs

    reference = pysbd.Segmenter(language="en", clean=False)
    texts = [d.text for c in real_clusters(20) for d in c.documents] or [" ".join(synthetic_sentences(60))]
    rng = random.Random(4)
    alphabet = ["a", "bc", " ", "  ", ".", "...", "?", "!", "Mr.", "U.S.", "3.5", '"', "\u00a0", "A", "\n", "(x)"]
    fuzz = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(2000)]
    for text in [p for t in texts for p in paragraphs(t)] + fuzz + [""]:
        assert _segment(text, "en") == reference.segment(text), text


def test_cleaner_rest_row_equals_the_row_over_the_vocabulary():
    """A document's rest-of-cluster row, computed over its own terms, equals the row
    over the whole vocabulary (``vec.transform`` of the title and the other
    documents' paragraphs) at those terms, with norm 1."""
    import numpy as np
    from scipy.sparse import csr_matrix

    from bench.suites import load_suite
    from bench.text.clean import ClusterCleaning

    texts = [[d.text for d in c.documents] for c in real_clusters(8) + list(load_suite("seed-news").clusters)]
    # without the shared data (a clean clone): made-up documents besides the seed cluster's four
    texts.append(["\n\n".join(" ".join(synthetic_sentences(6, seed=d * 10 + p)) for p in range(3)) for d in range(4)])
    checked = 0
    for docs in texts:
        cleaning = ClusterCleaning(docs, ["A title about the story"] * 2)
        for d in range(len(docs)):
            own = cleaning._counts[d]
            if not own.shape[0]:
                continue
            row = cleaning._total - np.asarray(own.sum(axis=0)).ravel()
            row += cleaning._title_counts(d).toarray().ravel()
            dense = cleaning._vec.weigh(csr_matrix(row[None, :])).toarray().ravel()
            cols = np.unique(own.indices)
            values, norm = cleaning._rest(d, cols)
            assert values == pytest.approx(dense[cols], rel=1e-12, abs=1e-15)
            assert norm == pytest.approx(float(dense @ dense), abs=1e-12)
            checked += 1
    assert checked >= 5


def test_cleaning_a_document_allocates_nothing_the_size_of_the_vocabulary():
    """The last document's drift and headline passes cost its own terms: a cluster
    with a vocabulary of 200,000 terms allocates no row over them per document
    (it did: three dense rows per document, a time quadratic in the cluster)."""
    import tracemalloc

    from bench.text.clean import ClusterCleaning

    rng = random.Random(5)
    words = [f"w{i:06d}x" for i in range(200_000)]
    rng.shuffle(words)
    others = [" ".join(words[i : i + 100]) + "." for i in range(0, len(words), 100)]
    small = "\n\n".join(" ".join(synthetic_sentences(3, seed=s)) for s in range(6))
    cleaning = ClusterCleaning(["\n".join(others[:1000]), "\n".join(others[1000:]), small])
    cleaning.verdicts(0)  # once per cluster: the headline vocabulary
    tracemalloc.start()
    try:
        cleaning.verdicts(2)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 200_000 * 8 / 4, peak  # a quarter of one float row over the vocabulary


def test_word_count_up_to_a_limit_equals_counting_every_unit():
    from bench.text import units

    rng = random.Random(6)
    alphabet = [" ", "a", "bc", "。", "中", "カ", "\n", "\u3000", "\u00a0", ",", "!", "ab-c", "\x1c", "é", "\t"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(1500)]
    texts += [d.text for c in real_clusters(5) for d in c.documents]
    for piece in (1, 3, 1 << 16):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(units, "_PIECE_CHARS", piece)
            for text in texts:
                n = units.count_words(text)
                assert units.count_words_upto(text) == n
                for limit in (0, n // 2, n, n + 1):
                    assert (units.count_words_upto(text, limit) > limit) == (n > limit)
