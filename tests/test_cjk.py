"""Text written without spaces (Chinese, Japanese): word units, sentences, cleaning, oracle, CLI."""

import json

from typer.testing import CliRunner

from bench.budget import Budget, apply_budget
from bench.cli import app
from bench.model import Cluster, Document, Reference
from bench.plugins.discovery import discover
from bench.text.clean import classify_cluster
from bench.text.sentences import split_sentences
from bench.text.units import count_words, cut_words

ARTICLE_JA = (
    "東京で大きな地震\n\n"
    "東京で二十日朝、大きな地震が発生した。多くの建物が被害を受けた。\n\n"
    "政府は「緊急会議を開く。」と発表した。死者は報告されていない。\n\n"
    "ログイン\n"
)


def test_each_han_or_kana_character_is_a_word_and_latin_words_are_words():
    assert count_words("Tokyo quake hits") == 3
    assert count_words("地震が発生した。") == 7
    assert count_words("東京(Tokyo)で 2025年") == 6  # 東 京( Tokyo) で 2025 年
    assert cut_words("地震が発生した。", 3) == "地震が"
    assert cut_words("a  b c", 2) == "a  b"
    assert cut_words("a b", 5) == "a b" and cut_words("a b", 0) == ""


def test_budget_counts_and_cuts_han_kana():
    fitted = apply_budget(["東京で大きな地震が発生した。", "多くの建物"], Budget(words=10))
    assert fitted.bullets == ("東京で大きな地震が発",) and fitted.truncated


def test_sentences_split_on_ideographic_stops_keeping_quotes_whole():
    sents = split_sentences(ARTICLE_JA)
    assert "政府は「緊急会議を開く。」と発表した。" in sents
    assert sents[0] == "東京で大きな地震"  # the headline is its own sentence
    assert "多くの建物が被害を受けた。" in sents


def test_cleaner_keeps_japanese_article_lines():
    verdicts = classify_cluster([ARTICLE_JA, ARTICLE_JA.replace("二十日朝", "今朝")])[0]
    kept = [v.text for v in verdicts if v.keep]
    assert kept[1].startswith("東京で二十日朝") and kept[2].startswith("政府は")


def test_oracle_matches_cjk_references_with_unicode_tokens():
    cluster = Cluster("c", (Document("d", ARTICLE_JA),))
    ref = Reference("c", "t", ("政府は緊急会議を開くと発表した。",))
    oracle = discover().systems.create("oracle").instance
    assert oracle.summarize(cluster, Budget(bullets=1), (ref,)) == ["政府は「緊急会議を開く。」と発表した。"]


def test_cli_scores_cjk_with_unicode_rouge_and_refuses_default_rouge(tmp_path):
    data = tmp_path / "ja.jsonl"
    row = {"id": "q1", "documents": [ARTICLE_JA, "地震は朝に起きた。多くの建物が被害を受けた。"],
           "reference": ["東京で大きな地震が発生した。", "政府は緊急会議を開いた。"]}
    data.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "run"
    res = CliRunner().invoke(app, ["run", "-q", "--suite", str(data), "--format", "generic", "--words", "30",
                                   "--system", "lead", "--system", "lexrank", "--system", "oracle",
                                   "--metric", "rouge", "--metric", "rouge:tokenizer=unicode",
                                   "--out", str(out), "--table", "json"])
    # default rouge scored nothing at all: exit 3, with the reason on the last line
    assert res.exit_code == 3, res.output
    assert "metric rouge scored nothing" in res.output.strip().splitlines()[-1]
    rows = json.loads(res.output[res.output.index("["):res.output.rindex("]") + 1])
    failed = [r for r in rows if r["metric"] == "rouge/rouge1"]
    assert failed and all(r["failures"] == 1 and "tokenizer=unicode" in r["note"] for r in failed)
    summaries = [json.loads(line) for line in (out / "summaries.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {s["status"] for s in summaries} == {"ok"}
    assert all(sum(count_words(b) for b in s["bullets"]) <= 30 for s in summaries)
    scores = [json.loads(line) for line in (out / "scores.jsonl").read_text(encoding="utf-8").splitlines()]
    unicode_scores = [s for s in scores if "unicode" in s["metric"]]
    default_scores = [s for s in scores if "unicode" not in s["metric"]]
    assert unicode_scores and all(s["status"] == "ok" and s["values"]["rouge1"] > 0 for s in unicode_scores)
    assert default_scores and all(s["status"] == "failed" and "tokenizer=unicode" in s["error"]
                                  for s in default_scores)


def test_non_latin_share_counts_letters_only():
    from bench.text.units import non_latin_share

    assert non_latin_share("Tokyo quake, 2025!") == 0.0
    assert non_latin_share("Café Zürich") == 0.0  # accented Latin is Latin
    assert non_latin_share("東京 quake") == 2 / 7
    assert non_latin_share("Москва") == 1.0 and non_latin_share("2025 ...") == 0.0


def test_english_models_refuse_cjk_text_with_a_reason():
    """MiniLM (English) gives no number for Japanese text: a recorded failure naming the share and model."""
    import pytest

    from bench.metrics.bertscore import BertScore
    from bench.metrics.keypoints.keypoints import KeyPoints
    from bench.plugins import ItemFailure, MetricResult, ScoreItem

    if KeyPoints().unavailable_reason():
        pytest.skip(KeyPoints().unavailable_reason())
    cluster = Cluster("c", (Document("d", ARTICLE_JA),))
    ref = Reference("c", "ed", ("東京で大きな地震が発生した。", "死者は報告されていない。"))
    ja = ScoreItem("s", cluster, ("東京で地震が発生した。",), (ref,))
    en_ref = Reference("c", "ed", ("A strong earthquake hit Tokyo.",))
    en = ScoreItem("s", cluster, ("An earthquake struck Tokyo on Monday.",), (en_ref,))
    mixed = ScoreItem("s", cluster, ("An earthquake struck Tokyo (東京).",), (en_ref,))
    for metric in (KeyPoints(), BertScore(model="all-MiniLM-L6-v2")):
        out = metric.score([ja, en, mixed])
        assert isinstance(out[0], ItemFailure), metric.name
        assert "100% non-Latin" in out[0].reason and "all-MiniLM-L6-v2 is an English model" in out[0].reason
        assert isinstance(out[1], MetricResult) and isinstance(out[2], MetricResult)
        assert "English-only" in metric.signature()["language"]
    from bench.metrics.shared.embed import engine, resolve_device

    cached = engine(KeyPoints().resolved(), resolve_device("auto"))._cache
    assert "東京で地震が発生した。" not in cached and "東京で大きな地震が発生した。" not in cached  # refused first
