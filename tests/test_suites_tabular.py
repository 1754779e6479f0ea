"""Data-file suites through datasets.load_dataset: multi_news and generic schemas."""

from __future__ import annotations

import json

import pytest

from bench.errors import SuiteError
from bench.suites import load_suite
from conftest import FIXTURES, SHARED_DATA


def test_multi_news_schema():
    suite = load_suite(str(FIXTURES / "multi_news_small.jsonl"), "multi_news")
    assert [c.id for c in suite.clusters] == ["00000", "00001", "00002"]
    first = suite.clusters[0]
    assert len(first.documents) == 3  # split on |||||
    assert first.documents[1].text.startswith("The city of Avon")
    ref = suite.references_for("00000")[0]
    # leading "– " stripped; sentences become bullets
    assert ref.bullets == (
        "The city of Avon opened a new $40 million bridge on Friday.",
        "It took three years to build, and officials expect traffic to ease.",
    )
    # an empty article is kept (a warning), not a crash
    assert suite.clusters[2].documents[1].text == ""


def test_generic_schema_csv_with_column_mapping():
    suite = load_suite(
        str(FIXTURES / "generic_small.csv"),
        "generic",
        {"id": "cid", "documents": "articles", "reference": "highlights", "title": "headline"},
    )
    assert [c.id for c in suite.clusters] == ["avon", "brill"]
    assert suite.clusters[0].title == "Avon bridge opens"
    assert suite.references_for("avon")[0].bullets == ("Avon opened a $40 million bridge.", "Drivers crossed it on Friday.")
    assert suite.references_for("brill")[0].bullets == ("A storm cut power in Brill.", "Service returns Tuesday.")


def test_generic_jsonl_and_parquet_lists(tmp_path):
    rows = [{"id": "a", "documents": ["Doc one text.", "Doc two text."], "reference": ["Key point."]}]
    jsonl = tmp_path / "g.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    s1 = load_suite(str(jsonl), "generic")
    import datasets

    parquet = tmp_path / "g.parquet"
    datasets.Dataset.from_list(rows).to_parquet(str(parquet))
    s2 = load_suite(str(parquet), "generic")
    assert s1.fingerprint() == s2.fingerprint()
    assert s1.clusters[0].documents[1].text == "Doc two text."


def test_missing_field_names_line_and_field(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"document": "a", "summary": "– b."}) + "\n" + json.dumps({"document": "a"}) + "\n")
    with pytest.raises(SuiteError) as info:
        load_suite(str(bad), "multi_news")
    assert f"{bad}:2: summary" in str(info.value) and "missing field 'summary'" in str(info.value)


def test_malformed_jsonl_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"document": "a", "summary": "b"}\n{not json\n')
    with pytest.raises(SuiteError) as info:
        load_suite(str(bad), "multi_news")
    assert f"{bad}:2: not valid JSON" in str(info.value)  # the line, before datasets sees the file


def test_data_file_needs_format():
    with pytest.raises(SuiteError, match="needs --format"):
        load_suite(str(FIXTURES / "multi_news_small.jsonl"))


def test_unknown_column_role():
    with pytest.raises(SuiteError, match="unknown column role 'doc'"):
        load_suite(str(FIXTURES / "generic_small.csv"), "generic", {"doc": "articles"})


def test_hub_offline_is_a_clear_error():
    with pytest.raises(SuiteError) as info:
        load_suite("hf:definitely-not-a-dataset-xyz", "multi_news")
    assert "cannot load" in str(info.value) and "hub" in str(info.value)


@pytest.mark.skipif(not SHARED_DATA.exists(), reason="shared Multi-News dev data not present")
def test_multi_news_dev50():
    suite = load_suite(str(SHARED_DATA), "multi_news")
    assert len(suite.clusters) == 50
    assert all(r.bullets and not r.bullets[0].startswith("–") for r in suite.references)
