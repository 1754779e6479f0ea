"""Every line a command prints fits 80 columns, and nothing is cut to get there: an interval keeps its
bracket, a name and a message break between words."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.cli import app
from conftest import REPO, make_suite

#: long labels (a system's parameters, a metric's) put the table under pressure
SYSTEMS = ("lead:n=3,per_doc=true,clean=false", "centroid:clean=false", "lexrank:damping=0.9,clean=false")
METRICS = ("rouge:stemmer=false,multi_ref=mean,tokenizer=unicode", "length")


def cli(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "80"})


def over_80(text: str) -> list[str]:
    return [line for line in text.splitlines() if len(line.rstrip()) > 80]


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("eighty")
    suite, out = make_suite(root / "suite", clusters=4), root / "results" / "run"
    args = ["run", "-q", "--suite", str(suite), "--out", str(out), "--workers", "1", "--words", "40"]
    for spec in SYSTEMS:
        args += ["--system", spec]
    for spec in METRICS:
        args += ["--metric", spec]
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return out


def test_table_all_keeps_every_interval_whole_in_80_columns(run):
    result = cli("table", str(run), "--all")
    assert result.exit_code == 0, result.output
    assert not over_80(result.output)
    intervals = re.findall(r"\[[^\]\n]*\]?", result.output)
    assert intervals and all(re.fullmatch(r"\[-?[\d.]+, -?[\d.]+\]", i) for i in intervals), intervals
    assert "…" not in result.output
    tables = re.split(r"^(?:notes:|\(split in|values in %)", result.output, flags=re.M)[0]
    parts = re.split(r"^\(part \d+ of \d+\)$", tables, flags=re.M)[1:]
    assert len(parts) > 1
    for part in parts:  # in each part, names and headers break at name boundaries, never cut
        for spec in (*SYSTEMS, *(METRICS[:1] if "rouge" in part else ())):
            assert all(word in part for word in re.split(r"[:,=/_-]", spec)), (spec, part)


def test_table_of_a_folder_of_runs_lists_them_in_80_columns_and_succeeds(run, monkeypatch):
    monkeypatch.chdir(run.parent.parent)
    result = cli("table", "results")
    assert result.exit_code == 0, result.output
    assert not over_80(result.output)
    assert result.output.strip().splitlines()[-1] == "the newest one's table: `sumbench table results/run`"


def test_markdown_title_and_footnotes_fit_80_columns(run):
    result = cli("table", str(run), "--format", "markdown", "--all")
    assert result.exit_code == 0, result.output
    prose = [line for line in result.output.splitlines() if not line.startswith("|")]  # rows cannot wrap
    assert not over_80("\n".join(prose)), prose
    assert "values in % for:" in result.output


def test_report_closing_line_breaks_between_words(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = Path("reports") / "first-hour-multi-news-baselines.html"
    result = cli("report", str(run), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert not over_80(result.output)
    assert f"report: {out}" in result.output


def test_an_error_on_a_terminal_is_wrapped_between_words(tmp_path):
    """The unknown-system error lists every system: on a terminal it wraps; a pipe gets it on one line."""
    import pty

    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "80"}
    cmd = [sys.executable, "-m", "bench", "run", "-q", "--system", "leed", "--out", str(tmp_path / "r")]
    main, side = pty.openpty()
    try:
        proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=side, timeout=120)
        os.close(side)
        side = -1
        chunks = []
        while True:
            try:
                data = os.read(main, 4096)
            except OSError:  # the other end is closed
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(main)
        if side >= 0:
            os.close(side)
    text = re.sub(r"\x1b\[[0-9;]*m", "", b"".join(chunks).decode()).replace("\r\n", "\n")
    assert proc.returncode == 2, text  # a bad command line
    assert not over_80(text) and len(text.strip().splitlines()) > 1, text
    assert "error: Unknown system 'leed'. Did you mean: lead? Available: centroid," in " ".join(text.split())
    piped = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert len(piped.stderr.strip().splitlines()) == 1  # scripts read the reason on the last line
