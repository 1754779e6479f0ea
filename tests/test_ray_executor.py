"""--executor ray against a real local Ray instance (not a mock): same records as a local run, resume unchanged."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bench.cli import app
from conftest import FIXTURES, make_suite
from test_executors import records, table

ray = pytest.importorskip("ray", reason="Ray not installed (pip install 'sumbench[ray]')")

runner = CliRunner()
PLUGINS = str(FIXTURES / "plugins")


@pytest.fixture(scope="module")
def calls_on_ray(tmp_path_factory):
    """A local Ray instance whose workers append to this file (slowcount counts computations)."""
    calls = tmp_path_factory.mktemp("ray") / "calls.txt"
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"SUMBENCH_TEST_CALLS": str(calls)}})
    yield calls
    ray.shutdown()


@pytest.mark.slow
def test_ray_run_equals_local_run_and_resumes(calls_on_ray, tmp_path, monkeypatch):
    calls = calls_on_ray
    monkeypatch.setenv("SUMBENCH_TEST_CALLS", str(calls))  # for the local run
    suite = make_suite(tmp_path / "suite", clusters=25, docs=3)  # several units of each kind
    args = ["run", "-q", "--suite", str(suite), "--plugins", PLUGINS, "--system", "flaky", "--system", "textrank",
            "--system", "slowcount:delay=0", "--metric", "rouge", "--metric", "extractiveness", "--words", "30"]
    local = runner.invoke(app, [*args, "--executor", "local", "--out", str(tmp_path / "local")])
    assert local.exit_code == 0, local.output
    on_ray = runner.invoke(app, [*args, "--executor", "ray", "--workers", "2", "--out", str(tmp_path / "ray")])
    assert on_ray.exit_code == 0, on_ray.output
    for name in ("summaries.jsonl", "scores.jsonl"):
        assert records(tmp_path / "local", name) == records(tmp_path / "ray", name)
    assert table(tmp_path / "local") == table(tmp_path / "ray")
    assert on_ray.stdout == local.stdout

    # resume on Ray (keeping flaky's failure): nothing recomputed, nothing appended
    before = {n: (tmp_path / "ray" / n).read_bytes() for n in ("summaries.jsonl", "scores.jsonl")}
    calls_before = calls.read_text()
    again = runner.invoke(app, [*args, "--executor", "ray", "--workers", "2", "--no-retry-failed",
                                "--out", str(tmp_path / "ray")])
    assert again.exit_code == 0, again.output
    assert {n: (tmp_path / "ray" / n).read_bytes() for n in before} == before
    assert calls.read_text() == calls_before
    assert ray.is_initialized()  # an instance the caller started is left running


@pytest.mark.slow
def test_sigterm_on_ray_stops_like_ctrl_c(tmp_path):
    """Ray's driver installs a SIGTERM handler that exits at once (sys.exit): the run keeps its own stop."""
    import os
    import signal
    import sys

    from bench.results import load_results
    from bench.runner.store import read_jsonl
    from conftest import REPO, lines_in, signal_midway

    suite = make_suite(tmp_path / "suite", clusters=40)  # enough work to start Ray (small runs stay local)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "bench", "run", "-q", "--suite", str(suite), "--plugins", PLUGINS, "--system",
           "sleepy:delay=0.3", "--metric", "rouge", "--executor", "ray", "--workers", "2", "--out", str(tmp_path / "r")]
    code, err = signal_midway(cmd, env, lambda: lines_in(tmp_path / "r" / "summaries.jsonl") >= 3, signal.SIGTERM)
    assert code == 143, err
    assert err.strip().splitlines()[-1].startswith("terminated (SIGTERM): work done so far is saved")
    assert "internal error" not in err
    run = load_results(tmp_path / "r")
    assert run.manifest["status"] == "interrupted"
    kept = [r for r in read_jsonl(tmp_path / "r" / "summaries.jsonl")]
    assert 3 <= len(kept) < 40 and all(r["status"] == "ok" for r in kept)  # stopped midway, nothing failed
