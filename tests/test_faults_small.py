"""The smaller faults of issue 25 (class 6), through the CLI: README's exit codes (2: a bad command line),
a write error names its path, --cache-dir set to a file, a NaN in a server's usage, a system name that
would break a table's rows."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from bench.cli import app
from bench.runner.store import read_jsonl
from conftest import make_suite
from tests.server_peers import VLLMPeer

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


def last_line(res) -> str:
    assert "Traceback" not in res.output
    return res.output.strip().splitlines()[-1]


def test_bad_parameter_values_and_options_that_do_not_go_together_exit_2(tmp_path):
    suite = str(make_suite(tmp_path / "suite"))
    res = cli("run", "-q", "--suite", suite, "--system", "lead:n=abc", "--metric", "length")
    assert res.exit_code == 2 and last_line(res) == "error: system lead parameter n: must be an integer; got 'abc'"
    res = cli("run", "-q", "--suite", suite, "--system", "lead", "--metric", "rouge:stemmer=maybe")
    assert res.exit_code == 2 and last_line(res) == "error: metric rouge parameter stemmer: must be true or false; got 'maybe'"
    res = cli("run", "-q", "--suite", suite, "--system", "lead", "--join", "--out", str(tmp_path / "x"))
    assert res.exit_code == 2 and last_line(res) == "error: give --join or --out, not both (--join picks the run folder)"
    assert not (tmp_path / "x").exists()


def test_a_write_error_names_the_file(tmp_path):
    def small_files() -> None:  # a real limit of the kernel's: writes past 2 KiB fail (EFBIG), as a full disk does
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "bench", "run", "-q", "--suite", str(make_suite(tmp_path / "suite")),
                           "--system", "lead", "--metric", "length", "--out", "run"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, preexec_fn=small_files)
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "error: run/manifest.json: File too large"


def test_cache_dir_set_to_a_file_is_a_clear_error(tmp_path):
    taken = tmp_path / "notes.txt"
    taken.write_text("mine")
    for given in (taken, taken / "llm"):
        res = cli("run", "-q", "--suite", str(make_suite(tmp_path / "suite")), "--system", "lead", "--metric", "length",
                  "--cache-dir", str(given), "--out", str(tmp_path / "run"))
        assert res.exit_code == 2
        assert last_line(res) == (f"error: --cache-dir {given}: {taken} is a file, not a folder; give a folder for the "
                                  "response caches")
    assert taken.read_text() == "mine"


class NaNUsagePeer(VLLMPeer):
    """A server whose answers are right but whose token counts are not numbers."""

    def completion(self, body, prompt_tokens):
        answer = super().completion(body, prompt_tokens)
        answer["usage"].update(prompt_tokens=float("nan"), completion_tokens="many", total_tokens=float("inf"))
        return answer


def test_a_nan_in_a_servers_usage_does_not_fail_a_valid_answer(tmp_path):
    out = tmp_path / "run"
    with NaNUsagePeer("m", n_ctx=4096) as peer:
        res = cli("run", "-q", "--suite", str(make_suite(tmp_path / "suite")), "--system",
                  f"llm:model=m,base_url={peer.base_url},timeout=10,max_retries=0", "--metric", "length",
                  "--out", str(out))
        assert len(peer.chats) == 2
    assert res.exit_code == 0, res.output
    summaries = list(read_jsonl(out / "summaries.jsonl"))
    assert [s["status"] for s in summaries] == ["ok", "ok"]
    totals = json.loads((out / "manifest.json").read_text())["systems"]["llm:model=m"]["totals"]
    assert (totals["prompt_tokens"], totals["completion_tokens"]) == (0, 0)  # not reported: not counted


def test_a_system_name_with_a_line_break_is_refused(tmp_path):
    suite = make_suite(tmp_path / "suite")
    outputs = tmp_path / "out.jsonl"
    outputs.write_text(json.dumps({"cluster": "c0", "system": "my\nsystem", "bullets": ["Town 0 voted."]}) + "\n")
    res = cli("score", "-q", "--suite", str(suite), "--outputs", str(outputs), "--metric", "length",
              "--out", str(tmp_path / "run"))
    assert res.exit_code == 1
    assert last_line(res) == (f"error: {outputs}:1:system: must be one line without control characters (a line "
                              'break, a tab ...), got "my\\nsystem"')
    res = cli("run", "-q", "--suite", str(suite), "--system", "lead:as=my\x1bsystem", "--metric", "length")
    assert res.exit_code == 2 and "control characters (a line break, a tab ...)" in last_line(res)
