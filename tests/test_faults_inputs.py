"""Endless and oversized input files through the CLI (issue 25, class 2): every input file is read as a
stream of bounded lines, so ``/dev/zero`` or a file of NUL bytes stops at once with ``FILE:LINE: ...``
(exit 1) instead of filling memory. The subprocesses run under a memory cap so that a regression
fails the test instead of the machine."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.cli import app
from conftest import make_suite

ROOT = Path(__file__).resolve().parents[1]
CAP = 3 * 2**30  # bytes of address space a bounded read stays far below


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP))


def _sumbench(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "80"}
    return subprocess.run([sys.executable, "-m", "bench", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120, preexec_fn=_capped)


def _last(done: subprocess.CompletedProcess) -> str:
    return done.stderr.strip().splitlines()[-1]


@pytest.fixture
def run_dir(tmp_path):
    out = tmp_path / "run"
    res = CliRunner().invoke(app, ["run", "-q", "--suite", str(make_suite(tmp_path / "suite")), "--system", "lead",
                                   "--metric", "length", "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out


def test_score_outputs_dev_zero_is_refused_at_its_first_line(tmp_path):
    suite = make_suite(tmp_path / "suite")
    done = _sumbench(["score", "--suite", str(suite), "--outputs", "/dev/zero", "--metric", "length", "-q"], tmp_path)
    assert done.returncode == 1, done.stderr
    assert _last(done).startswith("error: /dev/zero:1: line longer than 64 MiB"), done.stderr
    assert not (tmp_path / "results").exists()  # refused before a run folder was made


def test_meta_judgments_dev_zero_is_refused_at_its_first_line(tmp_path, run_dir):
    done = _sumbench(["meta", str(run_dir), "--judgments", "/dev/zero"], tmp_path)
    assert done.returncode == 1, done.stderr
    assert _last(done).startswith("error: /dev/zero:1: line longer than 64 MiB"), done.stderr


def test_a_suite_document_that_is_a_device_is_refused_naming_it(tmp_path):
    suite = make_suite(tmp_path / "suite")
    doc = suite / "c0" / "documents" / "d1.txt"
    doc.unlink()
    doc.symlink_to("/dev/zero")  # was left out of the suite without a word
    done = _sumbench(["run", "-q", "--suite", str(suite), "--system", "lead", "--metric", "length", "--out", "run"],
                     tmp_path)
    assert done.returncode == 1, done.stderr
    assert _last(done) == f"error: {doc}: not a regular file (a device, pipe or socket): a suite is read more than once"


@pytest.fixture
def short_lines(monkeypatch):
    import bench.input_files

    monkeypatch.setattr(bench.input_files, "MAX_LINE_BYTES", 1000)


def test_a_line_past_the_bound_names_its_file_and_line(tmp_path, short_lines):
    suite = make_suite(tmp_path / "suite")
    outputs = tmp_path / "out.jsonl"
    good = json.dumps({"cluster": "c0", "system": "mine", "bullets": ["Town 0 approved a budget."]})
    outputs.write_bytes(good.encode() + b"\n" + b"\0" * 5000 + b"\n" + good.encode() + b"\n")
    res = CliRunner().invoke(app, ["score", "--suite", str(suite), "--outputs", str(outputs), "--metric", "length",
                                   "--out", str(tmp_path / "run"), "-q"])
    assert res.exit_code == 1, res.output
    assert f"error: {outputs}:2: line longer than 1,000 bytes" in res.output
    # a line of exactly the bound is read
    outputs.write_text(json.dumps({"cluster": "c0", "system": "mine", "bullets": ["x" * 948]}) + "\n")
    assert len(outputs.read_bytes()) == 1001
    res = CliRunner().invoke(app, ["score", "--suite", str(suite), "--outputs", str(outputs), "--metric", "length",
                                   "--out", str(tmp_path / "run"), "-q"])
    assert res.exit_code == 0, res.output


def test_a_data_file_suite_line_past_the_bound_names_its_line(tmp_path, short_lines):
    data = tmp_path / "news.jsonl"
    row = {"document": "The council approved a budget on Monday. Taxes will rise.", "summary": "- Budget approved."}
    data.write_text(json.dumps(row) + "\n" + json.dumps({**row, "document": "word " * 400}) + "\n")
    res = CliRunner().invoke(app, ["run", "-q", "--suite", str(data), "--format", "multi_news", "--system", "lead",
                                   "--metric", "length", "--out", str(tmp_path / "run")])
    assert res.exit_code == 1, res.output
    assert f"error: {data}:2: line longer than" in res.output

