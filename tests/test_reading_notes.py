"""Under the table, what the numbers alone would puzzle over: one cluster ranks nothing, and two systems
that wrote the same summaries score the same by construction."""

from __future__ import annotations

from typer.testing import CliRunner

from bench.cli import app
from conftest import make_suite


def cli(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "80"})


def run(tmp_path, clusters: int) -> str:
    suite = make_suite(tmp_path / "suite", clusters=clusters)
    args = ["run", "-q", "--suite", str(suite), "--metric", "rouge", "--workers", "1", "--out", str(tmp_path / "r")]
    for system in ("lead", "lead:n=3,as=first3", "random"):  # lead's n is 3: the same summaries
        args += ["--system", system]
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_one_cluster_says_it_ranks_nothing_and_names_systems_with_the_same_summaries(tmp_path):
    text = run(tmp_path, 1)
    assert "one cluster ranks nothing: on a single cluster any system, random included, can come first" in text
    assert "lead and first3 wrote the same summary on the one cluster, so their scores are the same" in text
    markdown = " ".join(cli("table", str(tmp_path / "r"), "-f", "markdown").output.split())
    assert "- one cluster ranks nothing" in markdown


def test_many_clusters_say_nothing_of_the_kind(tmp_path):
    text = run(tmp_path, 3)
    assert "one cluster ranks nothing" not in text
    assert "lead and first3 wrote the same summaries on all 3 clusters" in text


def test_a_value_every_system_scores_alike_is_named(tmp_path):
    suite = make_suite(tmp_path / "suite", clusters=2)
    args = ["run", "-q", "--suite", str(suite), "--metric", "rouge", "--metric", "extractiveness", "--workers", "1",
            "--out", str(tmp_path / "r")]
    for system in ("lead", "lead:n=1,as=first1", "random"):  # all copy source sentences: coverage 1
        args += ["--system", system]
    result = cli(*args)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "every system scores the same on coverage 1: these values tell these systems nothing apart here" in text
    assert "rouge1" not in text.split("every system scores the same on")[1]
