"""Suite folders: loading the bundled suite and one clear message per bad case."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from bench.errors import SuiteError
from bench.suites import load_suite
from conftest import make_suite, write


def test_bundled_suite_loads_as_scraped():
    suite = load_suite("seed-news")
    assert [c.id for c in suite.clusters] == ["japan-defense-trump-visit"]
    cluster = suite.clusters[0]
    assert [d.id for d in cluster.documents] == ["001", "002", "003", "004"]
    assert cluster.documents[0].source == "National Times"
    assert cluster.documents[3].title.startswith("Japan has no choice")
    # kept as scraped: noise included, cleaning is the systems' job
    assert "Latest News" in cluster.documents[0].text
    authors = sorted(r.author for r in suite.references)
    assert authors == ["aggregator", "sumbench-team"]
    agg = [r for r in suite.references if r.author == "aggregator"][0]
    assert len(agg.bullets) == 5 and agg.bullets[0].startswith("Next week, Japan will tell")
    # the aggregator page (seed 000) is a reference, never a document
    assert all("28 Articles" not in d.text for d in cluster.documents)


def test_fingerprint_is_content_based(tiny_suite, tmp_path):
    a = load_suite(str(tiny_suite))
    copy = shutil.copytree(tiny_suite, tmp_path / "copy")
    assert load_suite(str(copy)).fingerprint() == a.fingerprint()
    doc = copy / "c0" / "documents" / "d0.txt"
    doc.write_text(doc.read_text() + "\nOne more line.\n")
    assert load_suite(str(copy)).fingerprint() != a.fingerprint()


def _error(path: Path) -> str:
    with pytest.raises(SuiteError) as info:
        load_suite(str(path))
    message = str(info.value)
    assert "\n" not in message
    return message


def test_duplicate_cluster_id(tiny_suite):
    write(tiny_suite / "c1" / "cluster.toml", 'id = "c0"\n')
    msg = _error(tiny_suite)
    assert "duplicate cluster id 'c0'" in msg and "c1/cluster.toml: id" in msg


def test_cluster_without_reference(tiny_suite):
    shutil.rmtree(tiny_suite / "c1" / "references")
    msg = _error(tiny_suite)
    assert "cluster 'c1' has no reference" in msg and msg.startswith(str(tiny_suite / "c1"))


def test_reference_for_unknown_cluster(tiny_suite):
    write(tiny_suite / "c0" / "references" / "other.md", '+++\ncluster = "nope"\n+++\n- A bullet.\n')
    msg = _error(tiny_suite)
    assert "unknown cluster 'nope'" in msg and "other.md: cluster" in msg


def test_empty_bullet_list(tiny_suite):
    write(tiny_suite / "c0" / "references" / "editor.md", '+++\nauthor = "editor"\n+++\n\n')
    msg = _error(tiny_suite)
    assert "reference has no bullets" in msg and "editor.md" in msg


def test_non_bullet_line_names_line_number(tiny_suite):
    write(tiny_suite / "c0" / "references" / "editor.md", '+++\nauthor = "editor"\n+++\n- ok\nnot a bullet\n')
    msg = _error(tiny_suite)
    assert "editor.md:5" in msg and "expected a Markdown bullet" in msg


def test_unreadable_file(tiny_suite):
    (tiny_suite / "c0" / "documents" / "d0.txt").write_bytes(b"\xff\xfe bad bytes")
    msg = _error(tiny_suite)
    assert "not valid UTF-8" in msg and "d0.txt" in msg


def test_bad_toml_header(tiny_suite):
    write(tiny_suite / "c0" / "documents" / "d0.txt", "+++\noutlet = \n+++\ntext\n")
    assert "invalid TOML header" in _error(tiny_suite)


def test_unknown_header_field(tiny_suite):
    write(tiny_suite / "c0" / "documents" / "d0.txt", '+++\nsource = "x"\n+++\ntext\n')
    msg = _error(tiny_suite)
    assert "unknown field 'source'" in msg and "d0.txt: source" in msg


def test_empty_document_is_a_warning(tiny_suite, caplog):
    write(tiny_suite / "c0" / "documents" / "d0.txt", '+++\noutlet = "X"\n+++\n\n')
    with caplog.at_level(logging.WARNING):
        suite = load_suite(str(tiny_suite))
    assert suite.clusters[0].documents[0].text == ""
    assert any("empty" in r.getMessage() for r in caplog.records)


def test_unknown_suite_suggests(tmp_path):
    with pytest.raises(SuiteError) as info:
        load_suite("seed-nwes")
    assert "Did you mean: seed-news?" in str(info.value)
