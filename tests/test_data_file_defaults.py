"""A data-file suite runs sumbench's own defaults (the bundled suite's systems and metrics, a budget of
the references' length), and says so on the run's first line."""

from __future__ import annotations

import json
import tomllib

from typer.testing import CliRunner

from bench.cli import app
from bench.suites import load_suite, references_root
from bench.suites.defaults import METRICS, SYSTEMS, reference_words, with_product_defaults
from conftest import FIXTURES

DATA = FIXTURES / "multi_news_small.jsonl"


def cli(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "80"})


def test_the_defaults_are_the_bundled_suites():
    bundled = tomllib.loads((references_root() / "seed-news" / "suite.toml").read_text())["defaults"]
    assert list(SYSTEMS) == bundled["systems"] and list(METRICS) == bundled["metrics"]


def test_a_data_file_runs_the_default_systems_at_the_references_length_and_says_so(tmp_path):
    out = tmp_path / "run"
    result = cli("run", "-q", "--suite", str(DATA), "--format", "multi_news", "--metric", "rouge", "--limit", "2",
                 "--workers", "1", "--out", str(out))
    assert result.exit_code == 0, result.output
    words = reference_words(load_suite(str(DATA), "multi_news").limited(2))
    first = " ".join(result.output[result.output.index("a data file names no defaults"):].split())
    assert first.startswith(f"a data file names no defaults; sumbench's: systems {', '.join(SYSTEMS)}; budget "
                            f"{words} words (the references' median length) (--system, --metric, --words choose")
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["systems"]) == sorted(SYSTEMS)
    assert manifest["budget"] == {"words": words, "bullets": None}


def test_systems_named_by_the_user_are_not_cut_and_nothing_is_said(tmp_path):
    out = tmp_path / "run"
    result = cli("run", "-q", "--suite", str(DATA), "--format", "multi_news", "--system", "lead:n=3,per_doc=true",
                 "--metric", "rouge", "--workers", "1", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "defaults" not in result.output
    assert json.loads((out / "manifest.json").read_text())["budget"] == {"words": None, "bullets": None}


def test_default_metrics_are_said_too():
    suite = load_suite(str(DATA), "multi_news")
    chosen, line = with_product_defaults(suite, systems_given=True, metrics_given=False, budget_given=False)
    assert chosen.defaults["metrics"] == list(METRICS) and "systems" not in chosen.defaults
    assert f"metrics {', '.join(METRICS)}" in line and "budget" not in line
