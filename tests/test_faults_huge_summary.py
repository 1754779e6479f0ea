"""A summary no summary can be (issue 25, class 3): past bench.text.limits.MAX_SUMMARY_WORDS it is
refused at once with the reason, instead of minutes of scoring (a 200,000-word bullet took > 120 s)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from bench.cli import app
from bench.runner.store import read_jsonl
from conftest import make_suite

ROOT = Path(__file__).resolve().parents[1]
WORDS = ("council budget approved town taxes residents protested mayor review officials " * 20_000).split()

PLUGIN = '''
from dataclasses import dataclass
from bench.plugins import System, system


@system("rambler")
@dataclass
class Rambler(System):
    """One bullet of 12,000 words."""

    deterministic = True

    def summarize(self, cluster, budget, references=()):
        return [" ".join(["word"] * 12_000)]
'''


def test_an_imported_summary_of_200000_words_is_refused_at_once_naming_its_line(tmp_path):
    suite = make_suite(tmp_path / "suite")
    outputs = tmp_path / "huge.jsonl"
    outputs.write_text(json.dumps({"cluster": "c0", "system": "short", "bullets": ["Town 0 voted."]}) + "\n"
                       + json.dumps({"cluster": "c1", "system": "huge", "text": " ".join(WORDS)}) + "\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "bench", "score", "-q", "--suite", str(suite), "--outputs",
                           str(outputs), "--metric", "faithfulness", "--metric", "grounding", "--metric", "keypoints",
                           "--metric", "rouge", "--out", "run"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)
    seconds = time.monotonic() - start
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        f"error: {outputs}:2:text: a summary of 200,000 words is not a summary (at most 10,000: "
        "bench.text.limits.MAX_SUMMARY_WORDS); cut it, or give a budget (--words)")
    assert seconds < 30


def test_a_systems_summary_past_the_limit_is_its_failure_with_the_reason_and_a_budget_cuts_it(tmp_path):
    suite, plugin = make_suite(tmp_path / "suite"), tmp_path / "rambler.py"
    plugin.write_text(PLUGIN)
    args = ["run", "-q", "--suite", str(suite), "--plugins", str(plugin), "--system", "rambler", "--metric", "rouge"]
    res = CliRunner().invoke(app, [*args, "--words", "11000", "--out", str(tmp_path / "long")])
    assert res.exit_code == 3, res.output  # produced nothing, and says why
    records = list(read_jsonl(tmp_path / "long" / "summaries.jsonl"))
    assert [r["status"] for r in records] == ["failed", "failed"]
    assert records[0]["error"] == ("a summary of 11,000 words is not a summary (at most 10,000: "
                                   "bench.text.limits.MAX_SUMMARY_WORDS); cut it, or give a budget (--words)")
    res = CliRunner().invoke(app, [*args, "--words", "300", "--out", str(tmp_path / "cut")])
    assert res.exit_code == 0, res.output
