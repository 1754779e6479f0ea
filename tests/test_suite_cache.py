"""The loaded-suite cache: the same suite back, without datasets, and never a stale one."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bench.suites import load_suite
from bench.suites.cache import cache_root
from conftest import REPO


def write_multi_news(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


ROWS = [
    {"document": "The council approved a budget. ||||| Taxes will rise next year.", "summary": "– A budget passed. Taxes rise."},
    {"document": "A storm hit the coast on Monday. ||||| Thousands lost power.", "summary": "– A storm hit. Power was lost."},
]


def test_second_load_comes_from_the_cache_and_is_equal(tmp_path):
    data = write_multi_news(tmp_path / "mn.jsonl", ROWS)
    first = load_suite(str(data), "multi_news")
    entries = list((cache_root() / "suites").glob("*.json"))
    again = load_suite(str(data), "multi_news")
    assert again == first and again.fingerprint() == first.fingerprint()
    assert [c.content_hash() for c in again.clusters] == [c.content_hash() for c in first.clusters]
    assert list((cache_root() / "suites").glob("*.json")) == entries  # no new entry
    # the stored hashes are the real ones
    fresh = load_suite(str(data), "multi_news").limited(1)
    assert fresh.fingerprint() != first.fingerprint()


def test_changed_file_or_options_are_loaded_again(tmp_path):
    data = write_multi_news(tmp_path / "mn.jsonl", ROWS)
    first = load_suite(str(data), "multi_news")
    write_multi_news(data, ROWS[:1])
    assert len(load_suite(str(data), "multi_news").clusters) == 1
    write_multi_news(data, ROWS)
    assert load_suite(str(data), "multi_news") == first
    generic = load_suite(str(data), "generic", {"documents": "document", "reference": "summary"})
    assert generic.fingerprint() != first.fingerprint()


def test_cache_hit_does_not_import_datasets(tmp_path):
    data = write_multi_news(tmp_path / "mn.jsonl", ROWS)
    load_suite(str(data), "multi_news")
    code = ("import sys; from bench.suites import load_suite; "
            f"s = load_suite({str(data)!r}, 'multi_news'); print(len(s.clusters), 'datasets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(REPO)},
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["2", "False"]


def test_cache_off(tmp_path, monkeypatch):
    monkeypatch.setenv("SUMBENCH_CACHE_DIR", "off")
    data = write_multi_news(tmp_path / "mn.jsonl", ROWS)
    assert cache_root() is None
    assert len(load_suite(str(data), "multi_news").clusters) == 2
