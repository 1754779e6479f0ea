"""The harness's ROUGE equals direct rouge_score calls on the same inputs."""

from __future__ import annotations

import pytest
from rouge_score import rouge_scorer

from bench.model import Cluster, Document, Reference
from bench.plugins import ItemFailure, ScoreItem
from bench.plugins.discovery import discover
from bench.suites import load_suite

TYPES = ["rouge1", "rouge2", "rougeL", "rougeLsum"]


def _item(bullets, refs):
    cluster = Cluster("c", (Document("d", "text"),))
    return ScoreItem("s", cluster, tuple(bullets), tuple(Reference("c", f"a{i}", tuple(r)) for i, r in enumerate(refs)))


def test_equals_rouge_score_on_bundled_suite():
    suite = load_suite()
    cluster = suite.clusters[0]
    refs = suite.references_for(cluster.id)
    summary = ["Japan will tell Trump it plans to build up its defense.", "Spending doubles to 2% of GDP by 2027."]
    metric = discover().metrics.create("rouge").instance
    [result] = metric.score([ScoreItem("s", cluster, tuple(summary), refs)])
    direct = rouge_scorer.RougeScorer(TYPES, use_stemmer=True).score_multi(
        ["\n".join(r.bullets) for r in refs], "\n".join(summary)
    )
    for t in TYPES:
        assert result.values[t] == pytest.approx(direct[t].fmeasure, abs=1e-12)
        assert result.values[f"{t}_precision"] == pytest.approx(direct[t].precision, abs=1e-12)
        assert result.values[f"{t}_recall"] == pytest.approx(direct[t].recall, abs=1e-12)


def test_hand_checkable_unigram():
    metric = discover().metrics.create("rouge:types=rouge1,stemmer=false").instance
    [r] = metric.score([_item(["the cat sat"], [["the cat ran away"]])])
    # 2 overlapping unigrams: P = 2/3, R = 2/4
    assert r.values["rouge1_precision"] == pytest.approx(2 / 3)
    assert r.values["rouge1_recall"] == pytest.approx(0.5)
    assert r.values["rouge1"] == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))


def test_multi_reference_max_and_mean():
    refs = [["the cat sat"], ["a dog barked loudly"]]
    mx = discover().metrics.create("rouge:types=rouge1").instance.score([_item(["the cat sat"], refs)])[0]
    mean = discover().metrics.create("rouge:types=rouge1,multi_ref=mean").instance.score([_item(["the cat sat"], refs)])[0]
    assert mx.values["rouge1"] == pytest.approx(1.0)
    assert mean.values["rouge1"] == pytest.approx(0.5)


def test_rougelsum_uses_bullet_lines():
    metric = discover().metrics.create("rouge:types=rougeLsum,stemmer=false").instance
    [r] = metric.score([_item(["b c", "a"], [["a", "b c"]])])
    direct = rouge_scorer.RougeScorer(["rougeLsum"]).score("a\nb c", "b c\na")
    assert r.values["rougeLsum"] == pytest.approx(direct["rougeLsum"].fmeasure)
    assert r.values["rougeLsum"] == pytest.approx(1.0)


def test_cjk_is_refused_by_default_and_scored_with_unicode_tokenizer():
    item = _item(["日本は防衛力を強化する"], [["日本は防衛費を増やす"]])
    default = discover().metrics.create("rouge").instance.score([item])[0]
    assert isinstance(default, ItemFailure) and "tokenizer=unicode" in default.reason
    uni = discover().metrics.create("rouge:tokenizer=unicode").instance.score([item])[0]
    assert 0.0 < uni.values["rouge1"] < 1.0


def test_signature_records_choices():
    sig = discover().metrics.create("rouge:stemmer=false,multi_ref=mean").instance.signature()
    assert sig["multi_reference"] == "mean" and sig["stemming"] == "none"
    engine = sig["params"]["engine"]  # auto resolved to the engine used
    assert engine in ("rouge-score", "rouge-score-rs") and sig["versions"][engine]
