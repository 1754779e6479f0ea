"""`compare` across runs: a budget difference is said first, systems are named by what tells the runs
apart, and a run folder that is not there is said to be missing."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bench.cli import app
from fake_runs import write_run


def cli(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "80"})


def with_budget(run: Path, words: int) -> Path:
    manifest = json.loads((run / "manifest.json").read_text())
    manifest["budget"] = {"words": words, "bullets": None}
    (run / "manifest.json").write_text(json.dumps(manifest))
    return run


def runs(tmp_path: Path, clusters: int = 12) -> tuple[Path, Path]:
    scores = {s: {f"c{i}": base + 0.01 * (i % 5) for i in range(clusters)} for s, base in (("lead", 0.3), ("mmr", 0.4))}
    a = with_budget(write_run(tmp_path / "seed-news-21bb6ddaa3", scores), 300)
    b = with_budget(write_run(tmp_path / "seed-news-9f0c4e1a22", scores), 200)
    return a, b


def test_compare_across_budgets_warns_first_and_names_systems_by_budget(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a, b = runs(Path("results"))
    result = cli("compare", str(a), str(b))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    text = " ".join(result.output.split())
    assert "warning: the runs were made under different budgets (300 words: " in text
    assert text.index("compare systems under one budget") < text.index("rank")  # said before any table
    assert "lead @ 300 words" in result.output and "lead @ 200 words" in result.output
    assert "21bb6ddaa3 " not in result.output.replace(str(a), "")  # not a hash alone
    assert max(len(line) for line in lines) <= 80


def test_the_budget_warning_stands_when_clusters_are_too_few_for_tests(tmp_path):
    a, b = runs(tmp_path, clusters=2)
    result = cli("compare", str(a), str(b))
    assert result.exit_code == 0, result.output
    assert "warning: the runs were made under different budgets" in result.output
    as_json = json.loads(cli("compare", str(a), str(b), "-f", "json").output)
    assert as_json["warnings"] and "different budgets" in as_json["warnings"][0]


def test_a_missing_run_folder_is_said_to_be_missing(tmp_path):
    result = cli("compare", str(tmp_path / "results" / "nope"), str(tmp_path / "results" / "nope2"))
    assert result.exit_code == 1
    assert f"error: {tmp_path / 'results' / 'nope'}: no such folder" in result.output
    assert "manifest.json" not in result.output
