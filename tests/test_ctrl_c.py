"""Ctrl-C as a terminal sends it (to the whole process group): the first stops promptly and resumably,
the second at once, whatever is still running."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import REPO, make_suite, write

#: a system busy for a minute on each cluster; ``started`` tells the test it is under way
SLOW_SYSTEM = '''
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.plugins import System, system


@system("slow")
@dataclass
class Slow(System):
    started: str = ""
    in_main: bool = False

    def runs_in_workers(self):
        return not self.in_main

    def summarize(self, cluster, budget, references=()):
        with open(self.started, "a") as fh:  # which process runs it
            fh.write(f"{os.getpid()}\\n")
        if self.in_main:  # a library's thread the interpreter waits for at exit
            threading.Thread(target=time.sleep, args=(60,)).start()
        time.sleep(60)
        return ["A summary."]
'''


def start(tmp_path: Path, in_main: bool) -> tuple[subprocess.Popen, Path, Path]:
    """The run under way (its stderr goes to the returned file)."""
    suite = make_suite(tmp_path / "suite", clusters=20)  # enough work for worker processes
    plugin = write(tmp_path / "slow.py", SLOW_SYSTEM)
    started, out, err = tmp_path / "started", tmp_path / "run", tmp_path / "stderr"
    spec = f"slow:started={started},in_main={str(in_main).lower()}"
    cmd = [sys.executable, "-m", "bench", "run", "-q", "--suite", str(suite), "--plugins", str(plugin),
           "--system", spec, "--metric", "rouge", "--out", str(out), "--workers", "2"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    # a session of its own: Ctrl-C goes to the whole group (the workers too), as from a terminal
    with err.open("w") as fh:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=fh, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and not started.exists() and proc.poll() is None:
        time.sleep(0.05)
    assert started.exists(), err.read_text()
    time.sleep(0.5)
    return proc, out, err


def ctrl_c(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGINT)
    except ProcessLookupError:  # already ended
        pass


def ended_within(proc: subprocess.Popen, seconds: float) -> bool:
    try:
        proc.wait(timeout=seconds)
        return True
    except subprocess.TimeoutExpired:
        return False


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # not yet reaped
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def test_one_ctrl_c_stops_a_unit_running_in_a_worker_promptly_and_leaves_no_worker(tmp_path):
    proc, out, err = start(tmp_path, in_main=False)
    ctrl_c(proc)
    try:
        assert ended_within(proc, 8), "one Ctrl-C must not wait for the unit a worker is busy with"
    finally:
        stop(proc)
    text = err.read_text()
    assert proc.returncode == 130, text
    assert text.strip().splitlines()[-1].startswith("interrupted: work done so far is saved")
    assert "Traceback" not in text
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
    time.sleep(1)  # a stopped worker's parent (the forkserver) ends with the run
    pids = {int(p) for p in (tmp_path / "started").read_text().split()}
    assert proc.pid not in pids and not [p for p in pids if alive(p)], "no worker outlives the run"


def test_a_second_ctrl_c_stops_at_once_while_the_exit_waits_for_a_thread(tmp_path):
    proc, out, err = start(tmp_path, in_main=True)
    ctrl_c(proc)
    try:
        deadline = time.time() + 30
        while time.time() < deadline and "interrupted" not in err.read_text():
            time.sleep(0.05)
        assert not ended_within(proc, 1), "the exit waits for the plugin's thread"
        ctrl_c(proc)
        assert ended_within(proc, 3), "the second Ctrl-C must stop at once"
    finally:
        stop(proc)
    text = err.read_text()
    assert proc.returncode == 130 and "Traceback" not in text, text
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
