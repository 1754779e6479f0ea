"""Runs: failures recorded (never scored), resumable after kill -9, tables."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from bench.cli import app
from bench.results import load_results
from bench.runner.store import read_jsonl
from conftest import FIXTURES, REPO, lines_in, make_suite, signal_midway

runner = CliRunner()
PLUGINS = str(FIXTURES / "plugins")


def _run(*args: str):
    result = runner.invoke(app, ["run", "-q", *args])
    return result


def _json_table(run_dir: Path) -> list[dict]:
    result = runner.invoke(app, ["table", str(run_dir), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_failure_is_recorded_not_scored(tiny_suite, tmp_path):
    out = tmp_path / "run"
    result = _run("--suite", str(tiny_suite), "--plugins", PLUGINS, "--system", "flaky", "--system", "lead",
                  "--metric", "rouge", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = {(r["system"], r["metric"]): r for r in _json_table(out)}
    flaky = rows[("flaky", "rouge1")]
    assert flaky["n"] == 1 and flaky["failures"] == 1 and flaky["mean"] is not None
    assert rows[("lead", "rouge1")]["n"] == 2 and rows[("lead", "rouge1")]["failures"] == 0
    failed = [r for r in read_jsonl(out / "summaries.jsonl") if r["status"] == "failed"]
    assert len(failed) == 1 and "boom on c1" in failed[0]["error"]
    scores = list(read_jsonl(out / "scores.jsonl"))
    assert not [s for s in scores if s["system"] == "flaky" and s["cluster"] == "c1"]
    assert "1 failed" in runner.invoke(app, ["table", str(out)]).stdout


def test_manifest_provenance(tiny_suite, tmp_path):
    out = tmp_path / "run"
    # lead fits the budget itself; flaky (whole first sentences) overshoots and is cut by the runner
    assert _run("--suite", str(tiny_suite), "--plugins", PLUGINS, "--system", "lead:n=1",
                "--system", "flaky:fail_on=none", "--out", str(out), "--words", "7").exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["suite"]["fingerprint"] and manifest["suite"]["clusters"] == 2
    assert manifest["systems"]["lead:n=1"]["params"]["n"] == 1
    rouge = manifest["metrics"]["rouge"]
    assert rouge["signature"]["stemming"].startswith("porter") and rouge["signature_hash"]
    assert manifest["environment"]["packages"]["rouge-score"]
    assert manifest["budget"] == {"words": 7, "bullets": None} and manifest["status"] == "complete"
    rec = next(r for r in read_jsonl(out / "summaries.jsonl") if r["system"].startswith("flaky"))
    assert rec["truncated"] and sum(len(b.split()) for b in rec["bullets"]) == 7 and rec["raw_bullets"]


def test_budget_mismatch_refused(tiny_suite, tmp_path):
    out = tmp_path / "run"
    assert _run("--suite", str(tiny_suite), "--out", str(out), "--words", "7").exit_code == 0
    result = _run("--suite", str(tiny_suite), "--out", str(out), "--words", "8")
    assert result.exit_code == 1 and "made with budget" in result.output


def test_rerun_recomputes_nothing(tiny_suite, tmp_path, monkeypatch):
    calls = tmp_path / "calls.txt"
    monkeypatch.setenv("SUMBENCH_TEST_CALLS", str(calls))
    args = ["--suite", str(tiny_suite), "--plugins", PLUGINS, "--system", "slowcount:delay=0", "--out", str(tmp_path / "r")]
    assert _run(*args).exit_code == 0
    first = _json_table(tmp_path / "r")
    scores_before = (tmp_path / "r" / "scores.jsonl").read_text()
    assert _run(*args).exit_code == 0
    assert calls.read_text().split() == ["c0", "c1"]
    assert (tmp_path / "r" / "scores.jsonl").read_text() == scores_before
    assert _json_table(tmp_path / "r") == first


def test_kill_midway_then_resume(tmp_path):
    suite = make_suite(tmp_path / "six", clusters=6)
    calls = tmp_path / "calls.txt"
    env = {**os.environ, "SUMBENCH_TEST_CALLS": str(calls), "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "bench", "run", "-q", "--suite", str(suite), "--plugins", PLUGINS,
           "--system", "slowcount:delay=0.4", "--out", str(tmp_path / "r")]
    proc = subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline and (not calls.exists() or len(calls.read_text().split()) < 2):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = calls.read_text().split()
    assert 2 <= len(done_before) < 6, "the run should have been killed midway"
    partial = load_results(tmp_path / "r")
    assert partial.manifest["status"] == "running"
    resumed = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    recorded = [r["cluster"] for r in read_jsonl(tmp_path / "r" / "summaries.jsonl")]
    # every cluster summarized exactly once across both runs (the killed one may
    # have been mid-cluster; that one alone may be computed twice, never recorded twice)
    assert sorted(recorded) == [f"c{i}" for i in range(6)]
    all_calls = calls.read_text().split()
    assert len(all_calls) - len(set(all_calls)) <= 1
    # identical table to an uninterrupted run
    fresh = subprocess.run([*cmd[:-1], str(tmp_path / "fresh")], env=env, cwd=tmp_path, capture_output=True, text=True,
                           timeout=120)
    assert fresh.returncode == 0, fresh.stderr
    strip = lambda rows: [{k: v for k, v in r.items()} for r in rows]  # noqa: E731
    assert strip(_json_table(tmp_path / "r")) == strip(_json_table(tmp_path / "fresh"))


def test_sigterm_stops_like_ctrl_c_and_the_rerun_finishes(tmp_path):
    """A scheduler's or container's stop (SIGTERM): exit 143 with one line, the manifest says interrupted,
    what was done is kept and the same command finishes the rest."""
    suite = make_suite(tmp_path / "six", clusters=6)
    calls = tmp_path / "calls.txt"
    env = {**os.environ, "SUMBENCH_TEST_CALLS": str(calls), "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "bench", "run", "-q", "--suite", str(suite), "--plugins", PLUGINS,
           "--system", "slowcount:delay=0.4", "--out", str(tmp_path / "r")]
    code, err = signal_midway(cmd, env, lambda: lines_in(calls) >= 2, signal.SIGTERM)
    assert code == 143, err
    assert err.strip().splitlines() == ["terminated (SIGTERM): work done so far is saved; run the same command to "
                                        "resume"]
    partial = load_results(tmp_path / "r")
    assert partial.manifest["status"] == "interrupted" and partial.manifest["finished"]
    kept = [r["cluster"] for r in read_jsonl(tmp_path / "r" / "summaries.jsonl")]
    assert 2 <= len(kept) < 6
    resumed = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert sorted(r["cluster"] for r in read_jsonl(tmp_path / "r" / "summaries.jsonl")) == [f"c{i}" for i in range(6)]
    assert load_results(tmp_path / "r").manifest["status"] == "complete"


def test_torn_last_line_is_repaired(tiny_suite, tmp_path):
    out = tmp_path / "r"
    assert _run("--suite", str(tiny_suite), "--out", str(out)).exit_code == 0
    path = out / "summaries.jsonl"
    data = path.read_bytes()
    path.write_bytes(data + data.splitlines(keepends=True)[0][:25])  # torn write
    assert _run("--suite", str(tiny_suite), "--out", str(out)).exit_code == 0
    lines = path.read_bytes().splitlines()
    assert all(json.loads(line) for line in lines)


def test_default_run_dir_is_stable(tiny_suite, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _run("--suite", str(tiny_suite)).exit_code == 0
    assert _run("--suite", str(tiny_suite)).exit_code == 0
    assert len(list((tmp_path / "results").iterdir())) == 1


def test_table_shows_the_current_summaries_after_code_changes(tiny_suite, tmp_path):
    """Same label, changed defaults, changed back: the table follows the code in use."""
    plugin = tmp_path / "plugins" / "echo.py"
    plugin.parent.mkdir()
    source = '''
from dataclasses import dataclass
from bench.plugins import System, system

@system("echo")
@dataclass
class Echo(System):
    """Says one word."""
    word: str = "{word}"

    def summarize(self, cluster, budget, references=()):
        return [f"{{self.word}} budget town {{cluster.id[-1]}}"]
'''
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "bench", "run", "-q", "--suite", str(tiny_suite), "--plugins", str(plugin.parent),
           "--system", "echo", "--metric", "rouge:types=rouge1", "--out", str(tmp_path / "r")]

    def run_with(word: str) -> list[dict]:
        plugin.write_text(source.format(word=word))
        done = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return _json_table(tmp_path / "r")

    first = run_with("approved")
    assert run_with("zebra") != first
    scores_before = (tmp_path / "r" / "scores.jsonl").read_text()
    assert run_with("approved") == first  # the earlier summaries are current again
    assert (tmp_path / "r" / "scores.jsonl").read_text() == scores_before  # and nothing was rescored


def test_rerun_retries_only_failures_that_may_not_repeat(tiny_suite, tmp_path, monkeypatch):
    """A deterministic system's unusable output is final; exceptions and nondeterministic systems are retried."""
    calls = tmp_path / "calls.txt"
    monkeypatch.setenv("SUMBENCH_TEST_CALLS", str(calls))
    out = tmp_path / "r"
    args = ["--suite", str(tiny_suite), "--plugins", PLUGINS, "--system", "emptyon", "--system", "emptyon-net",
            "--system", "emptyon:raise_instead=true", "--metric", "length", "--out", str(out)]
    assert _run(*args).exit_code == 0
    failed = {r["system"]: r for r in read_jsonl(out / "summaries.jsonl") if r["status"] == "failed"}
    assert failed["emptyon"]["error"] == "system returned no text" and failed["emptyon"]["retry"] is False
    assert "retry" not in failed["emptyon-net"] and "retry" not in failed["emptyon:raise_instead=true"]
    calls.write_text("")
    assert _run(*args).exit_code == 0
    assert sorted(calls.read_text().split("\n")[:-1]) == ["emptyon c1", "emptyon-net c1"]  # emptyon: not again
    calls.write_text("")
    assert _run(*args, "--no-retry-failed").exit_code == 0 and calls.read_text() == ""
    assert _run(*args, "--refresh").exit_code == 0 and len(calls.read_text().splitlines()) == 3 * 2


def test_deterministic_metric_failures_are_final(tmp_path):
    """rouge refuses CJK text with its default tokenizer: the same on every rerun, so not retried."""
    data = tmp_path / "cjk.jsonl"
    data.write_text(json.dumps({"id": "c1", "documents": ["東京で大きな地震が発生した。多くの建物が被害を受けた。"],
                                "reference": ["東京で地震。"]}, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "r"
    args = ["--suite", str(data), "--format", "generic", "--system", "lead", "--metric", "rouge", "--out", str(out)]
    assert _run(*args).exit_code in (0, 3)
    scores = list(read_jsonl(out / "scores.jsonl"))
    assert len(scores) == 1 and scores[0]["status"] == "failed" and scores[0]["retry"] is False
    assert "tokenizer=unicode" in scores[0]["error"]
    _run(*args)
    assert len(list(read_jsonl(out / "scores.jsonl"))) == 1  # not scored again


def test_rerun_with_nothing_to_do_reads_the_folder_once(tiny_suite, tmp_path, monkeypatch):
    from bench.runner import store

    out = tmp_path / "r"
    args = ["--suite", str(tiny_suite), "--metric", "rouge", "--out", str(out)]
    assert _run(*args).exit_code == 0
    reads = []
    real = store.read_jsonl
    monkeypatch.setattr(store, "read_jsonl", lambda path, *a, **k: reads.append(path.name) or real(path, *a, **k))
    result = runner.invoke(app, ["run", *args])
    assert result.exit_code == 0 and "lead" in result.stdout
    assert sorted(reads) == sorted(store.RECORD_FILES)  # the store's read serves the table too
    # a folder changed since (another process appended): read again, never the stale copy
    with store.RunStore(out):
        pass
    with (out / "scores.jsonl").open("a") as fh:
        fh.write(json.dumps({"key": "x", "summary_key": "y", "system": "lead", "cluster": "c1",
                             "metric": "rouge", "signature": "s", "status": "failed", "error": "e"}) + "\n")
    assert "x" in store.read_records(out)["scores.jsonl"]
