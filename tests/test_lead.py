"""``lead`` reads a cluster lazily: a document is cleaned and split only when it is
reached, and only as far as its first sentences, with the same summaries as
cleaning and splitting every document first (lead as it was)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench.budget import Budget
from bench.model import Cluster, Document
from bench.plugins.discovery import discover
from bench.suites import load_suite
from bench.text import candidates, clean
from conftest import SHARED_DATA

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from cluster_scale import lead_as_before  # noqa: E402

REG = discover().systems
SPECS = [f"lead:n={n},per_doc={p}" for n in (1, 3, 5) for p in ("true", "false")] + ["lead:clean=false"]
SUITES = {
    "seed-news": lambda: load_suite("seed-news"),
    "multi_news_dev50": lambda: load_suite(str(SHARED_DATA), fmt="multi_news"),
}


@pytest.mark.parametrize("name", [
    "seed-news",
    pytest.param("multi_news_dev50", marks=pytest.mark.skipif(not SHARED_DATA.exists(),
                                                              reason=f"shared data absent ({SHARED_DATA})")),
])
def test_lead_writes_what_it_wrote_when_it_read_everything(name):
    suite = SUITES[name]()
    for spec in SPECS:
        lead = REG.create(spec).instance
        for budget in (Budget(), Budget(words=40), Budget(bullets=2)):
            for cluster in suite.clusters:
                expected = lead_as_before(cluster, budget, lead.n, lead.per_doc, lead.clean)
                assert lead.summarize(cluster, budget) == expected, (name, spec, budget, cluster.id)


def _big_cluster(size: int = 200) -> Cluster:
    """The seed cluster's documents again and again, each copy's sentences made its own
    (a number after each "the"), so that no copy's first sentence was seen before."""
    base = load_suite("seed-news").clusters[0].documents
    docs = [Document(f"d{i}", base[i % len(base)].text.replace(" the ", f" the {i} "), title=base[i % len(base)].title)
            for i in range(size)]
    return Cluster("big", tuple(docs))


@pytest.fixture
def reading(monkeypatch):
    """How many documents were cleaned and how many characters were split into sentences."""
    seen = {"cleaned": 0, "split": 0}
    shape_pass, split = clean._shape_pass, candidates.split_sentences

    def counted_shape_pass(*args):  # once per cleaned document
        seen["cleaned"] += 1
        return shape_pass(*args)

    def counted_split(text, *args):
        seen["split"] += len(text)
        return split(text, *args)

    monkeypatch.setattr(clean, "_shape_pass", counted_shape_pass)
    monkeypatch.setattr(candidates, "split_sentences", counted_split)
    clean._clean_cached.cache_clear()
    yield seen
    clean._clean_cached.cache_clear()


def test_lead_cleans_and_splits_only_the_documents_it_reads(reading):
    cluster = _big_cluster()
    first = len(cluster.documents[0].text)
    out = REG.create("lead:n=3").instance.summarize(cluster, Budget())
    assert len(out) == 3
    assert reading["cleaned"] <= 2, reading  # the first document holds 3 sentences; was: all 200
    assert reading["split"] <= 2 * first, reading


def test_lead_per_document_splits_only_each_documents_first_paragraphs(reading):
    cluster = _big_cluster()
    total = sum(len(d.text) for d in cluster.documents)
    out = REG.create("lead:n=1,per_doc=true").instance.summarize(cluster, Budget())
    assert len(out) == len(cluster.documents)
    assert reading["cleaned"] == len(cluster.documents)  # each document is read
    assert reading["split"] < total / 4, reading  # ... up to its first sentence (was: all of it)


@pytest.mark.parametrize("budget", [Budget(words=40), Budget(bullets=4)])
def test_lead_per_document_stops_reading_once_the_budget_is_full(reading, budget):
    cluster = _big_cluster()
    expected = lead_as_before(cluster, budget, 3, True)
    clean._clean_cached.cache_clear()  # lead starts from nothing cleaned
    reading["cleaned"] = 0
    assert REG.create("lead:n=3,per_doc=true").instance.summarize(cluster, budget) == expected
    assert reading["cleaned"] <= 2, reading  # the first two documents fill it; was: all 200
