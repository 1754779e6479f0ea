"""End to end through the ``sumbench`` CLI: llm systems, presets, cache, failures, key hygiene."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bench.cli import app
from bench.runner.store import read_jsonl
from conftest import write
from tests.llm_server import FakeChatServer, chat_server  # noqa: F401 (fixture)

runner = CliRunner()
FAST = "backoff_base=0.01,backoff_max=0.02,retry_after_max=0.05,timeout=2,max_retries=1"


def news_suite(root: Path, markers: dict[str, str] | None = None) -> Path:
    """Two clusters of two articles; ``markers`` puts a fault marker in a cluster's text."""
    markers = markers or {}
    write(root / "suite.toml", 'name = "news"\ndescription = "llm e2e"\n[defaults]\nwords = 60\nbullets = 4\n')
    for c in ("quake", "vote"):
        write(root / c / "cluster.toml", f'title = "The {c} story"\n')
        for d, outlet in enumerate(("Reuters", "AP")):
            write(root / c / "documents" / f"d{d}.txt",
                  f'+++\noutlet = "{outlet}"\ntitle = "{c} headline"\n+++\n'
                  f"{outlet} says the {c} affected {d + 3} towns on Monday. {markers.get(c, '')} Officials promised aid.\n")
        write(root / c / "references" / "editor.md",
              f'+++\nauthor = "editor"\n+++\n- The {c} affected several towns on Monday.\n- Officials promised aid.\n')
    return root


def sumbench(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def llm_spec(server: FakeChatServer, extra: str = "") -> str:
    return f"llm:model=test-model,base_url={server.base_url},{FAST}" + (f",{extra}" if extra else "")


def summaries(run_dir: Path) -> dict[str, dict]:
    return {r["cluster"]: r for r in read_jsonl(run_dir / "summaries.jsonl")}


def manifest(run_dir: Path) -> dict:
    return json.loads((run_dir / "manifest.json").read_text())


def test_run_score_rerun_and_refresh(chat_server, tmp_path):
    suite, out = news_suite(tmp_path / "suite"), tmp_path / "run"
    args = ["run", "-q", "--suite", str(suite), "--system", llm_spec(chat_server), "--metric", "rouge", "--out", str(out)]
    sumbench(*args)
    assert chat_server.count == 2
    recs = summaries(out)
    assert {r["status"] for r in recs.values()} == {"ok"}
    assert recs["quake"]["bullets"][0] == "Reuters: Reuters says the quake affected 3 towns on Monday."
    assert recs["quake"]["meta"]["model"] == "test-model-2024-07-18"
    totals = next(iter(manifest(out)["systems"].values()))["totals"]
    assert totals["requests_sent"] == 2 and totals["clusters_ok"] == 2 and totals["failures"] == 0
    assert len([s for s in read_jsonl(out / "scores.jsonl") if s["status"] == "ok"]) == 2

    sumbench(*args)  # the same command again: nothing is asked
    assert chat_server.count == 2
    sumbench(*args, "--refresh")  # recompute and bypass the response cache
    assert chat_server.count == 4


def test_response_cache_shared_across_run_dirs(chat_server, tmp_path):
    suite, cache = news_suite(tmp_path / "suite"), tmp_path / "llm-cache"
    base = ["run", "-q", "--suite", str(suite), "--system", llm_spec(chat_server), "--metric", "rouge",
            "--cache-dir", str(cache)]
    sumbench(*base, "--out", str(tmp_path / "a"))
    assert chat_server.count == 2
    sumbench(*base, "--out", str(tmp_path / "b"))  # a fresh run dir: answers come from the cache
    assert chat_server.count == 2
    recs = summaries(tmp_path / "b")
    assert all(r["meta"]["cached"] for r in recs.values())
    totals = next(iter(manifest(tmp_path / "b")["systems"].values()))["totals"]
    assert totals["cache_hits"] == 2 and totals["requests_sent"] == 0


def test_failed_cluster_recorded_with_reason_never_scored(chat_server, tmp_path):
    suite, out = news_suite(tmp_path / "suite", {"vote": "[[fault:500]]"}), tmp_path / "run"
    sumbench("run", "-q", "--suite", str(suite), "--system", llm_spec(chat_server), "--metric", "rouge", "--out", str(out))
    recs = summaries(out)
    assert recs["quake"]["status"] == "ok"
    assert recs["vote"]["status"] == "failed" and recs["vote"]["error"] == "LLMFailure: HTTP 500 after 2 attempts: internal error"
    assert {s["cluster"] for s in read_jsonl(out / "scores.jsonl")} == {"quake"}
    assert "1 failed" in sumbench("table", str(out)).stdout


def test_totals_add_up_across_resumes_and_a_system_with_nothing_is_not_ok(chat_server, tmp_path):
    """A failed cluster is retried on the rerun: the manifest's totals count both invocations."""
    suite, out = news_suite(tmp_path / "suite", {"vote": "[[fault:500:2]]"}), tmp_path / "run"
    args = ["run", "-q", "--suite", str(suite), "--system", llm_spec(chat_server), "--metric", "rouge", "--out", str(out)]
    sumbench(*args)
    first = next(iter(manifest(out)["systems"].values()))["totals"]
    assert first["requests_sent"] == 3 and first["clusters_ok"] == 1 and first["failures"] == 1
    sumbench(*args)  # vote again: it answers now
    entry = next(iter(manifest(out)["systems"].values()))
    assert entry["totals_last"]["requests_sent"] == 1 and entry["totals_last"]["clusters_ok"] == 1
    totals = entry["totals"]
    assert totals["requests_sent"] == 4 == chat_server.count and totals["clusters_ok"] == 2
    assert totals["failures"] == 1 and totals["retries"] == 1 and totals["concurrency"] == 1
    assert totals["prompt_tokens"] == first["prompt_tokens"] + entry["totals_last"]["prompt_tokens"]

    suite2, out2 = news_suite(tmp_path / "suite2", {"vote": "[[fault:500]]", "quake": "[[fault:500]]"}), tmp_path / "r2"
    result = runner.invoke(app, ["run", "-q", "--suite", str(suite2), "--system", llm_spec(chat_server),
                                 "--metric", "rouge", "--out", str(out2)])
    assert result.exit_code == 3, result.output
    entry = next(iter(manifest(out2)["systems"].values()))
    assert entry["status"] == "failed"
    assert entry["reason"] == "no summary for any of 2 clusters (first error: LLMFailure: HTTP 500 after 2 attempts: internal error)"
    assert "Traceback" not in sumbench("table", str(out2)).stdout


def test_an_answer_cut_to_the_word_budget_is_a_truncated_record(tmp_path):
    suite, out = news_suite(tmp_path / "suite"), tmp_path / "run"
    with FakeChatServer(answer=lambda body: "- " + " ".join(f"w{i}" for i in range(50)) + "\n- second point here.") as server:
        sumbench("run", "-q", "--suite", str(suite), "--system", llm_spec(server), "--out", str(out), "--words", "20")
    rec = summaries(out)["quake"]
    assert rec["truncated"] is True and rec["bullets"] == [" ".join(f"w{i}" for i in range(20))]
    assert rec["meta"]["cut_to_budget"] is True and len(rec["meta"]["answer_bullets"]) == 2


def test_request_cap_through_cli(chat_server, tmp_path):
    suite, out = news_suite(tmp_path / "suite"), tmp_path / "run"
    sumbench("run", "-q", "--suite", str(suite), "--system", llm_spec(chat_server, "max_requests=1"),
             "--metric", "rouge", "--out", str(out), "--workers", "1")
    statuses = sorted(r["status"] for r in summaries(out).values())
    assert statuses == ["failed", "ok"] and chat_server.count == 1
    failed = next(r for r in summaries(out).values() if r["status"] == "failed")
    assert "request cap reached: max_requests=1" in failed["error"]


def test_named_preset_from_config_runs_and_is_listed(chat_server, tmp_path):
    presets = tmp_path / "presets"
    write(presets / "mine.toml", f'[local-keypoints]\nsystem = "llm"\ndoc = "Test server, key-points prompt"\n'
                                 f'model = "preset-model"\nbase_url = "{chat_server.base_url}"\nbackoff_base = 0.01\n')
    listing = sumbench("list", "systems", "--plugins", str(presets)).stdout
    assert "local-keypoints  [preset of llm]  Test server, key-points prompt" in listing
    assert "gpt-4o-mini-keypoints  [preset of llm]" in listing  # shipped in systems/llm.toml
    out = tmp_path / "run"
    sumbench("run", "-q", "--suite", str(news_suite(tmp_path / "suite")), "--plugins", str(presets),
             "--system", "local-keypoints", "--metric", "rouge", "--out", str(out))
    recs = summaries(out)
    assert {r["status"] for r in recs.values()} == {"ok"} and recs["vote"]["system"] == "local-keypoints"
    assert chat_server.requests[0]["model"] == "preset-model"


def test_missing_key_skips_system_with_notice(tmp_path, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    out = tmp_path / "run"
    result = runner.invoke(app, ["run", "-q", "--suite", str(news_suite(tmp_path / "suite")), "--system",
                                 "gpt-4o-mini-keypoints", "--system", "lead", "--metric", "rouge", "--out", str(out)])
    assert "OPENAI_API_KEY is not set" in result.output and "Traceback" not in result.output
    # the run completes, but a requested system produced nothing: exit 3, the reason on the last line
    assert result.exit_code == 3
    assert "gpt-4o-mini-keypoints was skipped" in result.output.strip().splitlines()[-1]
    entry = manifest(out)["systems"]["gpt-4o-mini-keypoints"]
    assert entry["status"] == "skipped" and "OPENAI_API_KEY" in entry["reason"]
    assert {r["system"] for r in summaries(out).values()} == {"lead"}


def test_api_key_in_no_file_of_run_or_cache(chat_server, tmp_path, monkeypatch):
    key = "sk-e2e-UNIQUE-4b1d9f0c2a7e"
    monkeypatch.setenv("SUMBENCH_E2E_KEY", key)
    suite, out, cache = news_suite(tmp_path / "suite", {"vote": "[[fault:error401]]"}), tmp_path / "run", tmp_path / "cache"
    sumbench("run", "-q", "--suite", str(suite), "--system", llm_spec(chat_server, "api_key_env=SUMBENCH_E2E_KEY"),
             "--metric", "rouge", "--out", str(out), "--cache-dir", str(cache))
    assert chat_server.auth_headers[0] == f"Bearer {key}"
    vote = summaries(out)["vote"]  # the server echoed the key in its 401 message
    assert vote["status"] == "failed" and "Bearer [REDACTED]" in vote["error"]
    files = [p for p in [*out.rglob("*"), *cache.rglob("*")] if p.is_file()]
    assert len(files) >= 4
    for path in files:
        assert key.encode() not in path.read_bytes(), path


def test_ctrl_c_lets_requests_in_flight_end_says_so_and_the_rerun_does_not_ask_them_again(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    suite, out = news_suite(tmp_path / "suite"), tmp_path / "run"
    with FakeChatServer(delay_s=3.0) as server:
        cmd = [sys.executable, "-m", "bench", "run", "-q", "--suite", str(suite), "--system",
               llm_spec(server, "concurrency=2").replace("timeout=2", "timeout=30"), "--metric", "rouge",
               "--out", str(out)]
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        while time.time() < deadline and server.in_flight < 2:
            time.sleep(0.05)
        assert server.in_flight == 2, "both clusters' requests should be in flight"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err
        assert "warning: waiting for 2 requests in flight to end (their answers are cached);\n    Ctrl-C again stops " \
            "now" in err and max(len(line) for line in err.splitlines()) <= 80
        assert err.strip().splitlines()[-1].startswith("interrupted: work done so far is saved")
        assert server.count == 2
        assert manifest(out)["status"] == "interrupted"
        rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
        assert rerun.returncode == 0, rerun.stderr
        assert server.count == 2  # the answers that ended after Ctrl-C came from the cache
        assert {r["status"] for r in summaries(out).values()} == {"ok"}


def test_request_pool_says_nothing_when_nothing_is_in_flight_and_one_request_in_the_singular(caplog):
    import threading

    import pytest

    from bench.llm.pool import RequestPool

    started, release = threading.Event(), threading.Event()

    def request():
        started.set()
        release.wait(5)
        return "answer"

    with pytest.raises(KeyboardInterrupt), caplog.at_level("WARNING"):
        with RequestPool(1, "t") as pool:
            first, queued = pool.submit(request), pool.submit(request)
            started.wait(5)
            threading.Timer(0.2, release.set).start()
            raise KeyboardInterrupt
    assert first.result() == "answer" and queued.cancelled()  # in flight: ended; queued: never sent
    assert [r.getMessage() for r in caplog.records] == [
        "waiting for 1 request in flight to end (its answer is cached);\n    Ctrl-C again stops now"]
    caplog.clear()
    with pytest.raises(KeyboardInterrupt), caplog.at_level("WARNING"):
        with RequestPool(1, "t"):
            raise KeyboardInterrupt
    assert not caplog.records


def test_a_second_ctrl_c_stops_at_once_without_waiting_for_requests_in_flight(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    suite, out = news_suite(tmp_path / "suite"), tmp_path / "run"
    with FakeChatServer(delay_s=30.0) as server:
        cmd = [sys.executable, "-m", "bench", "run", "-q", "--suite", str(suite), "--system",
               llm_spec(server, "concurrency=2").replace("timeout=2", "timeout=60"), "--metric", "rouge",
               "--out", str(out)]
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        while time.time() < deadline and server.in_flight < 2:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        time.sleep(1.0)  # the run now waits for the two requests (30 s each)
        proc.send_signal(signal.SIGINT)
        started = time.time()
        _, err = proc.communicate(timeout=60)
        assert time.time() - started < 10, "the second Ctrl-C must not wait for the requests in flight"
        assert proc.returncode == 130, err
        assert "Ctrl-C again stops now" in err and manifest(out)["status"] == "interrupted"


def test_request_pool_sends_nothing_more_once_its_caller_fails():
    import threading

    import pytest

    from bench.llm.pool import RequestPool

    started, release, ran = threading.Event(), threading.Event(), []

    def request(n):
        started.set()
        release.wait(5)
        ran.append(n)

    with pytest.raises(SystemExit):  # e.g. a SIGTERM handler's sys.exit
        with RequestPool(1, "t") as pool:
            futures = [pool.submit(request, n) for n in range(5)]
            started.wait(5)
            threading.Timer(0.2, release.set).start()  # the first ends after the pool has been left
            raise SystemExit(143)
    assert ran == [0] and all(f.cancelled() for f in futures[1:])
