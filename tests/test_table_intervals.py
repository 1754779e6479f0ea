"""95% bootstrap intervals in `sumbench table` and build_rows."""

from __future__ import annotations

import json

import numpy as np
from typer.testing import CliRunner

from bench.cli import app
from bench.results import load_results
from bench.stats.bootstrap import mean_ci
from bench.tables import build_rows
from fake_runs import write_run

VALUES = {f"c{i:02d}": float(v) for i, v in enumerate(np.random.default_rng(9).uniform(0.1, 0.7, 25))}


def test_rows_carry_seeded_intervals(tmp_path):
    run = write_run(tmp_path / "r", {"a": VALUES, "b": {"c00": 0.5}}, seed=3)
    results = load_results(run)
    rows = {r.system: r for r in build_rows(results)}
    expected = mean_ci([VALUES[c] for c in sorted(VALUES)], seed=3)
    assert (rows["a"].ci_low, rows["a"].ci_high) == (expected.low, expected.high)  # manifest seed by default
    assert rows["a"].ci_low < rows["a"].mean < rows["a"].ci_high
    assert rows["b"].ci_low is None  # one cluster: no interval
    other = {r.system: r for r in build_rows(results, seed=4, resamples=500)}["a"]
    assert (other.ci_low, other.ci_high) != (rows["a"].ci_low, rows["a"].ci_high)


def test_table_cli_shows_interval_seed_and_resamples(tmp_path):
    run = write_run(tmp_path / "r", {"a": VALUES}, seed=3)
    cli = CliRunner()
    text = cli.invoke(app, ["table", str(run)]).output
    assert "95% CI" in text and "seed 3" in text and "1000 resamples" in text
    md = cli.invoke(app, ["table", str(run), "-f", "markdown", "--seed", "8", "--resamples", "300", "--layout", "long"]).output
    assert "| 95% CI |" in md and "seed 8" in md and "300 resamples" in md
    wide = cli.invoke(app, ["table", str(run), "-f", "markdown", "--seed", "8", "--resamples", "300"]).output
    low, high = rows_ci(cli, run, "8", "300")
    assert f"[{low}, {high}]" in wide
    rows = json.loads(cli.invoke(app, ["table", str(run), "-f", "json"]).output)
    again = json.loads(cli.invoke(app, ["table", str(run), "-f", "json"]).output)
    assert rows == again and rows[0]["ci_low"] is not None


def rows_ci(cli, run, seed, resamples):
    rows = json.loads(cli.invoke(app, ["table", str(run), "-f", "json", "--seed", seed, "--resamples", resamples]).output)
    r = rows[0]
    fmt = (lambda v: f"{v * 100:.2f}") if r["percent"] else (lambda v: f"{v:.4g}")
    return fmt(r["ci_low"]), fmt(r["ci_high"])
