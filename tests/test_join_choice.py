"""`--join` and `score --out`: into the run a user means, whatever --limit and budget it was made with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.cli import app
from conftest import make_suite


def cli(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "80"})


def said(result) -> str:
    return " ".join(result.output.split())


@pytest.fixture
def suite(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return make_suite(tmp_path / "suite", clusters=3)


def outputs(path: Path, system: str, clusters=("c0", "c1", "c2")) -> Path:
    path.write_text("".join(json.dumps({"cluster": c, "system": system, "text": f"Town {c[1]} approved a budget."})
                            + "\n" for c in clusters))
    return path


def baselines(suite: Path, *extra: str) -> Path:
    result = cli("run", "-q", "--suite", str(suite), "--system", "lead", "--system", "random", "--metric", "rouge",
                 "--workers", "1", *extra)
    assert result.exit_code == 0, result.output
    return Path(result.output.strip().splitlines()[-1].removeprefix("results: "))


def systems_of(run: Path) -> dict[str, int]:
    rows = json.loads(cli("table", str(run), "--format", "json").output)
    return {r["system"]: r["n"] for r in rows}


def test_score_joins_a_run_made_with_limit_and_words(suite, tmp_path):
    run = baselines(suite, "--limit", "2", "--words", "30")
    result = cli("score", "-q", "--suite", str(suite), "--outputs", str(outputs(tmp_path / "mine.jsonl", "mine")),
                 "--join", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert f"joining {run} (tiny · 2 systems · 30 words" in said(result) and "first 2 clusters" in said(result)
    assert systems_of(run) == {"lead": 2, "random": 2, "mine": 2}  # the run's clusters, the run's budget


def test_score_out_into_a_run_made_with_limit(suite, tmp_path):
    run = baselines(suite, "--limit", "2")
    result = cli("score", "-q", "--suite", str(suite), "--outputs", str(outputs(tmp_path / "mine.jsonl", "mine")),
                 "--out", str(run), "--workers", "1")
    assert result.exit_code == 0, result.output
    assert systems_of(run)["mine"] == 2


def test_score_takes_a_limit_of_its_own(suite, tmp_path):
    baselines(suite, "--limit", "2")
    run = baselines(suite, "--limit", "1")
    result = cli("score", "-q", "--suite", str(suite), "--outputs", str(outputs(tmp_path / "mine.jsonl", "mine")),
                 "--join", "--limit", "1", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert systems_of(run) == {"lead": 1, "random": 1, "mine": 1}


def test_no_run_to_join_says_which_runs_there_are_in_words(suite):
    run = baselines(suite, "--words", "40")
    result = cli("run", "-q", "--suite", str(suite), "--system", "lead:n=1", "--join", "--words", "30")
    assert result.exit_code == 1
    text = said(result)
    assert "{" not in text and "'words'" not in text
    assert "no run of suite 'tiny' with budget 30 words and no --limit in results/" in text
    assert f"runs of this suite there: {run} (40 words)" in text


def test_join_goes_to_the_run_holding_the_baselines_not_a_newer_outputs_only_run(suite, tmp_path):
    run = baselines(suite)
    mine = cli("score", "-q", "--suite", str(suite), "--outputs", str(outputs(tmp_path / "mine.jsonl", "mine")),
               "--workers", "1")
    assert mine.exit_code == 0, mine.output
    alone = Path(mine.output.strip().splitlines()[-1].removeprefix("results: "))
    assert alone != run
    result = cli("score", "-q", "--suite", str(suite), "--outputs", str(outputs(tmp_path / "pub.jsonl", "pub")),
                 "--join", "--workers", "1")
    assert result.exit_code == 0, result.output
    text = said(result)
    assert f"joining {run} " in text and "holding sumbench's systems (lead, random)" in text
    assert f"also joinable: {alone} (outputs only)" in text
    assert set(systems_of(run)) == {"lead", "random", "pub"}
