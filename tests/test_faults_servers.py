"""A server that never finishes its answer (a byte every half second, forever), through the CLI:
``timeout=`` bounds every whole request (the model check GET /v1/models included), and a stop waits no
longer than that bound (issue 25, class 1)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.trickle_server import TrickleServer

ROOT = Path(__file__).resolve().parents[1]
FAST = "timeout=2,max_retries=1,backoff_base=0.01,backoff_max=0.02"


def _sumbench(args: list[str], cwd: Path, timeout: float = 120) -> tuple[subprocess.CompletedProcess, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "80"}
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "bench", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    return done, time.monotonic() - start


@pytest.mark.parametrize("where", ["headers", "body"])
def test_an_llm_system_against_a_trickling_server_fails_within_its_timeout(tmp_path, where):
    with TrickleServer(where) as server:
        done, seconds = _sumbench(["run", "-q", "--system", f"llm:model=m,base_url={server.base_url},{FAST}",
                                   "--metric", "rouge", "--out", "run"], tmp_path)
        assert server.chat_requests() == 1, server.paths  # the model check timed out, the chat was still asked
    assert done.returncode == 3, done.stderr  # produced nothing, said why
    assert "timeout (2s)" in done.stderr and "Traceback" not in done.stderr
    assert seconds < 40  # model check (2 s) + one chat (2 s) + start-up; before: never ended


@pytest.mark.parametrize("judge, where", [("keypoints-llm", "headers"), ("faithfulness-llm", "body")])
def test_an_llm_judge_against_a_trickling_server_fails_within_its_timeout(tmp_path, judge, where):
    with TrickleServer(where) as server:
        done, _ = _sumbench(["run", "-q", "--system", "lead", "--metric", f"{judge}:model=m,base_url={server.base_url},"
                             f"{FAST}", "--out", "run"], tmp_path)
        assert server.chat_requests() >= 1
    assert done.returncode == 3, done.stderr
    assert "timeout (2s)" in done.stderr and "Traceback" not in done.stderr
    scores = [json.loads(line) for line in (tmp_path / "run" / "scores.jsonl").read_text().splitlines()]
    assert scores and {s["status"] for s in scores} == {"failed"}


def test_sigterm_while_a_request_trickles_stops_within_the_timeout(tmp_path):
    with TrickleServer("body") as server:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        spec = f"llm:model=m,base_url={server.base_url},timeout=4,max_retries=3,retry_timeouts=true"
        proc = subprocess.Popen([sys.executable, "-m", "bench", "run", "-q", "--system", spec, "--metric", "rouge",
                                 "--out", "run"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while server.chat_requests() < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.chat_requests() == 1, server.paths
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            _, err = proc.communicate(timeout=60)
        finally:
            proc.kill()
        waited = time.monotonic() - sent
        assert server.chat_requests() == 1  # not re-sent after the stop (max_retries=3)
    assert proc.returncode == 143, err
    assert waited < 4 + 6  # the request's own bound, and no retry
    assert err.strip().splitlines()[-1].startswith("terminated (SIGTERM)")
    assert json.loads((tmp_path / "run" / "manifest.json").read_text())["status"] == "interrupted"
