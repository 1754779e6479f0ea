"""The SQLite response cache: keys, WAL, threads, persistence."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor

from bench.llm.cache import ResponseCache, cache_key

BODY = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "temperature": 0.0}


def test_key_depends_on_endpoint_and_request_only():
    base = cache_key("http://h/v1", BODY)
    assert base == cache_key("http://h/v1/", dict(reversed(list(BODY.items()))))
    assert base != cache_key("http://other/v1", BODY)
    assert base != cache_key("http://h/v1", {**BODY, "temperature": 0.7})
    assert base != cache_key("http://h/v1", {**BODY, "model": "m2"})


def test_roundtrip_persistence_and_wal(tmp_path):
    path = tmp_path / "c" / "llm.sqlite3"
    cache = ResponseCache(path)
    cache.put("k", "http://h/v1", "m", {"content": "- a", "usage": {"prompt_tokens": 3}})
    cache.close()
    again = ResponseCache(path)
    assert again.get("k") == {"content": "- a", "usage": {"prompt_tokens": 3}} and again.get("nope") is None
    again.close()
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_answers_of_one_endpoint_and_model(tmp_path):
    cache = ResponseCache(tmp_path / "llm.sqlite3")
    cache.put("a", "http://h/v1/", "m", {"content": "1", "latency_s": 2.0})
    cache.put("b", "http://h/v1", "m", {"content": "2"})
    cache.put("c", "http://h/v1", "other", {"content": "3"})
    cache.put("d", "http://elsewhere/v1", "m", {"content": "4"})
    assert sorted(a["content"] for a in cache.answers("http://h/v1/", "m")) == ["1", "2"]
    assert cache.answers("http://h/v1", "none") == []
    cache.close()


def test_many_threads_write_and_read(tmp_path):
    cache = ResponseCache(tmp_path / "llm.sqlite3")

    def work(i: int) -> dict | None:
        cache.put(f"k{i}", "e", "m", {"content": str(i)})
        return cache.get(f"k{i}")

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(200)))
    assert [r["content"] for r in results] == [str(i) for i in range(200)]
    assert len(cache) == 200
    cache.close()
