"""Worker processes: the same records as one process, one writer, kill -9 and resume."""

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
from bench.runner.store import RunLock, read_jsonl
from conftest import FIXTURES, REPO, make_suite

runner = CliRunner()
PLUGINS = str(FIXTURES / "plugins")
TIMINGS = ("created", "seconds")


def records(run_dir: Path, name: str) -> list[dict]:
    """Every record in file order, without its timings."""
    return [{k: v for k, v in r.items() if k not in TIMINGS} for r in read_jsonl(run_dir / name)]


def table(run_dir: Path) -> str:
    result = runner.invoke(app, ["table", str(run_dir), "--format", "json"])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_workers_write_the_same_records_as_one_process(tmp_path):
    suite = make_suite(tmp_path / "suite", clusters=17, docs=3)  # 3 system units, 2 units per metric
    args = ["run", "-q", "--suite", str(suite), "--plugins", PLUGINS, "--system", "flaky", "--system", "lead",
            "--system", "textrank", "--system", "random", "--metric", "rouge", "--metric", "extractiveness",
            "--metric", "length", "--words", "30"]
    one = runner.invoke(app, [*args, "--workers", "1", "--out", str(tmp_path / "one")])
    assert one.exit_code == 0, one.output
    two = runner.invoke(app, [*args, "--workers", "2", "--out", str(tmp_path / "two")])
    assert two.exit_code == 0, two.output
    for name in ("summaries.jsonl", "scores.jsonl"):
        assert records(tmp_path / "one", name) == records(tmp_path / "two", name)  # same order too
    assert table(tmp_path / "one") == table(tmp_path / "two")
    assert one.stdout == two.stdout
    failed = [r for r in records(tmp_path / "two", "summaries.jsonl") if r["status"] == "failed"]
    assert [r["error"] for r in failed] == ["RuntimeError: boom on c1"]  # a plugin's failure crosses the process boundary
    invocation = json.loads((tmp_path / "two" / "manifest.json").read_text())["invocations"][-1]
    assert invocation["executor"] == "processes" and invocation["workers"] == 2
    assert json.loads((tmp_path / "one" / "manifest.json").read_text())["invocations"][-1]["executor"] == "local"


def test_kill_midway_with_workers_then_resume(tmp_path):
    suite = make_suite(tmp_path / "many", clusters=24)  # three units of 8 clusters
    calls = tmp_path / "calls.txt"
    env = {**os.environ, "SUMBENCH_TEST_CALLS": str(calls), "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "bench", "run", "-q", "--suite", str(suite), "--plugins", PLUGINS,
           "--system", "slowcount:delay=0.25", "--workers", "2", "--out", str(tmp_path / "r")]
    proc = subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    summaries = tmp_path / "r" / "summaries.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline and (not summaries.exists() or not summaries.read_bytes()):
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    written = summaries.read_bytes()
    assert 1 <= len(written.splitlines()) < 24, "the run should have been killed midway"
    time.sleep(1.5)  # workers may finish what they held, but only the parent ever writes
    assert summaries.read_bytes() == written
    deadline = time.time() + 30
    while processes_with(calls) and time.time() < deadline:
        time.sleep(0.2)
    assert not processes_with(calls), "workers outlived the killed main process"
    resumed = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert resumed.returncode == 0, resumed.stderr
    recorded = [r["cluster"] for r in read_jsonl(summaries)]
    assert sorted(recorded) == sorted(f"c{i}" for i in range(24))  # every cluster recorded exactly once
    fresh = subprocess.run([*cmd[:-1], str(tmp_path / "fresh")], env=env, cwd=tmp_path, capture_output=True,
                           text=True, timeout=180)
    assert fresh.returncode == 0, fresh.stderr
    assert table(tmp_path / "r") == table(tmp_path / "fresh")


def processes_with(marker: Path) -> list[int]:
    """Live processes whose environment names ``marker`` (Linux /proc; [] elsewhere)."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if str(marker).encode() in (proc / "environ").read_bytes() and \
                    (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                found.append(int(proc.name))
        except (OSError, IndexError):
            continue
    return found


def test_busy_run_folder_is_refused_before_the_suite_is_read(tmp_path):
    out = tmp_path / "busy"
    with RunLock(out):
        # the suite does not exist: refusing with "in use" shows the lock came first
        result = runner.invoke(app, ["run", "-q", "--suite", str(tmp_path / "missing.jsonl"), "--format",
                                     "multi_news", "--out", str(out)])
    assert result.exit_code == 1 and "in use by another sumbench process" in result.output
    result = runner.invoke(app, ["run", "-q", "--suite", str(tmp_path / "missing.jsonl"), "--format",
                                 "multi_news", "--out", str(out)])
    assert result.exit_code == 1 and "file not found" in result.output  # free again: now the suite is read
    assert not out.exists()  # and a run that never started leaves no folder behind


def test_ray_address_needs_ray_executor(tiny_suite, tmp_path):
    result = runner.invoke(app, ["run", "-q", "--suite", str(tiny_suite), "--ray-address", "auto",
                                 "--out", str(tmp_path / "r")])
    assert result.exit_code == 2 and "--ray-address needs --executor ray" in result.output  # a bad command line
