"""A window learnt from a server's refusal is kept in the cache folder: a later run (or a resume)
starts with it, sends no refused request, and its records say the window was learnt."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bench.cli import app
from bench.llm.windows import FILE, LearntWindows
from bench.runner.store import read_jsonl
from conftest import write
from tests.llm_server import FakeChatServer

runner = CliRunner()
WINDOW = 700
FAST = "backoff_base=0.01,backoff_max=0.02,timeout=5,max_retries=1,max_tokens=100"


def long_suite(root: Path, names: list[str]) -> Path:
    """Clusters of three ~1,000-token articles: far longer than the server's window."""
    write(root / "suite.toml", 'name = "long"\ndescription = "learnt window"\n[defaults]\nwords = 60\n')
    for c in names:
        for d, outlet in enumerate(("Reuters", "AP", "BBC")):
            body = " ".join(f"Crews in {c} cleared road {k} on day {d + 1} after the storm." for k in range(80))
            write(root / c / "documents" / f"d{d}.txt", f'+++\noutlet = "{outlet}"\n+++\nA storm hit {c}. {body}\n')
        write(root / c / "references" / "editor.md", f'+++\nauthor = "editor"\n+++\n- A storm hit {c}.\n')
    return root


def run(suite: Path, out: Path, server: FakeChatServer, *extra: str) -> None:
    spec = f"llm:model=m,base_url={server.base_url},{FAST}"
    result = runner.invoke(app, ["run", "-q", "--suite", str(suite), "--system", spec, "--metric", "rouge",
                                 "--out", str(out), *extra])
    assert result.exit_code == 0, result.output


def records(out: Path) -> dict[str, dict]:
    return {r["cluster"]: r for r in read_jsonl(out / "summaries.jsonl")}


def test_a_learnt_window_is_kept_and_a_later_run_starts_with_it(tmp_path):
    cache = tmp_path / "cache"
    with FakeChatServer(window=WINDOW) as server:
        run(long_suite(tmp_path / "s1", ["alpha", "beta"]), tmp_path / "r1", server, "--cache-dir", str(cache))
        refused = [b for b in server.requests if sum(len(m["content"]) for m in b["messages"]) // 4 + 100 > WINDOW]
        assert len(refused) == 1 and server.count == 3  # one refusal, then each cluster fitted to the window
        first = records(tmp_path / "r1")
        assert all(r["status"] == "ok" for r in first.values())
        assert {r["meta"]["prompt"]["context_tokens"] for r in first.values()} == {WINDOW}
        refused_one = next(r for r in first.values() if len(r["meta"]["requests"]) == 2)
        assert "maximum context length is 700 tokens" in refused_one["meta"]["requests"][0]["error"]
        kept = json.loads((cache / FILE).read_text())
        assert kept[f"{server.base_url} m"]["tokens"] == WINDOW

        # another run on the same cache folder: new clusters, no refusal, the window named as learnt
        run(long_suite(tmp_path / "s2", ["gamma", "delta"]), tmp_path / "r2", server, "--cache-dir", str(cache))
        assert server.count == 5  # one request each
        second = records(tmp_path / "r2")
        for rec in second.values():
            assert rec["status"] == "ok" and len(rec["meta"]["requests"]) == 1
            assert rec["meta"]["prompt"]["context_tokens"] == WINDOW
            assert rec["meta"]["prompt"]["context_source"].startswith(f"learnt ({FILE}")
        totals = json.loads((tmp_path / "r2" / "manifest.json").read_text())["systems"]
        assert next(iter(totals.values()))["totals"]["context_source"].startswith("learnt")


def test_a_resume_in_the_run_folder_starts_with_the_learnt_window(tmp_path):
    """The first invocation learns the window on alpha, then its request cap fails beta; the rerun of the
    same command asks beta once, fitted at once."""
    suite, out = long_suite(tmp_path / "s", ["alpha", "beta"]), tmp_path / "r"
    with FakeChatServer(window=WINDOW) as server:
        spec = f"llm:model=m,base_url={server.base_url},{FAST},max_requests=2"
        args = ["run", "-q", "--suite", str(suite), "--system", spec, "--metric", "rouge", "--out", str(out)]
        assert runner.invoke(app, args).exit_code == 0
        assert server.count == 2 and records(out)["beta"]["status"] == "failed"
        assert "request cap reached" in records(out)["beta"]["error"]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert server.count == 3  # beta: one request, fitted to the learnt window
        beta = records(out)["beta"]
        assert beta["status"] == "ok" and beta["meta"]["prompt"]["context_source"].startswith("learnt")


def test_a_smaller_window_given_wins_and_refresh_forgets_the_learnt_one(tmp_path):
    with FakeChatServer(window=WINDOW) as server:
        run(long_suite(tmp_path / "s1", ["alpha"]), tmp_path / "r1", server)
        assert server.count == 2
        cache = tmp_path / "r1" / "cache"
        run(long_suite(tmp_path / "s2", ["beta"]), tmp_path / "r2", server, "--cache-dir", str(cache), "--refresh")
        assert server.count == 4  # --refresh: learnt from the server again (refused, then fitted)
        spec = f"llm:model=m,base_url={server.base_url},{FAST},context_tokens=600"
        result = runner.invoke(app, ["run", "-q", "--suite", str(long_suite(tmp_path / "s3", ["gamma"])), "--system",
                                     spec, "--out", str(tmp_path / "r3"), "--cache-dir", str(cache)])
        assert result.exit_code == 0, result.output
        (rec,) = records(tmp_path / "r3").values()
        assert rec["meta"]["prompt"]["context_tokens"] == 600 and rec["meta"]["prompt"]["context_source"] == "context_tokens="


def test_the_windows_file_is_a_cache_bad_entries_are_ignored(tmp_path):
    path = tmp_path / FILE
    windows = LearntWindows(path)
    assert windows.get("http://h/v1", "m") is None  # no file yet
    path.write_text("not json")
    assert windows.get("http://h/v1", "m") is None
    windows.put("http://h/v1/", "m", 4096, "maximum context length is 4096 tokens")
    assert windows.get("http://h/v1", "m").tokens == 4096
    windows.put("http://h/v1", "m", 8192, "a larger one")  # the smaller window kept stays
    assert windows.get("http://h/v1", "m").tokens == 4096 and windows.get("http://h/v1", "other") is None
    path.write_text(json.dumps({"http://h/v1 m": {"tokens": "4096"}, "http://h/v1 n": {"tokens": True}}))
    assert windows.get("http://h/v1", "m") is None and windows.get("http://h/v1", "n") is None


def test_faithfulness_llm_keeps_the_learnt_window_and_records_each_request(tmp_path):
    from tests.metrics.test_faithfulness_llm import checker

    cache = tmp_path / "cache"
    with FakeChatServer(window=WINDOW, answer=checker) as server:
        def judge(suite: Path, out: Path) -> list[dict]:
            spec = f"faithfulness-llm:model=m,base_url={server.base_url},{FAST}"
            result = runner.invoke(app, ["run", "-q", "--suite", str(suite), "--system", "lead", "--metric", spec,
                                         "--out", str(out), "--cache-dir", str(cache)])
            assert result.exit_code == 0, result.output
            return [r for r in read_jsonl(out / "scores.jsonl") if r["metric"].startswith("faithfulness-llm")]

        first = judge(long_suite(tmp_path / "s1", ["alpha"]), tmp_path / "r1")
        assert json.loads((cache / FILE).read_text())[f"{server.base_url} m"]["tokens"] == WINDOW
        sent = server.count
        second = judge(long_suite(tmp_path / "s2", ["beta"]), tmp_path / "r2")
        fitted = server.requests[sent:]
        assert fitted and all(sum(len(m["content"]) for m in b["messages"]) // 4 + 100 <= WINDOW for b in fitted)
    assert first[0]["status"] == "ok" and second[0]["status"] == "ok"
    requests = second[0]["details"]["requests"]
    assert len(requests) == len(fitted) and all(r["seconds"] >= 0 and r["cached"] is False for r in requests)
    totals = json.loads((tmp_path / "r2" / "manifest.json").read_text())["metrics"]
    assert next(iter(totals.values()))["totals"]["context_source"].startswith(f"learnt ({FILE}")
