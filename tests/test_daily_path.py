"""The daily path at 80 columns: rerun, add a system beside the baselines, list runs, compare on few clusters."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.cli import app
from bench.runner.progress import fit_bar
from fake_runs import write_run


def cli(*args: str, columns: int = 80):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": str(columns)})


def lines_over(output: str, width: int = 80) -> list[str]:
    return [line for line in output.splitlines() if len(line.rstrip()) > width]


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_rerun_says_nothing_was_recomputed_and_join_reuses_the_baselines(in_tmp):
    first = cli("run", "-q", "--system", "lead", "--system", "random", "--metric", "rouge", "--workers", "1")
    assert first.exit_code == 0, first.output
    assert "computed 2 summaries and 2 scores" in first.output
    again = cli("run", "-q", "--system", "lead", "--system", "random", "--metric", "rouge", "--workers", "1")
    assert "nothing recomputed: all 2 summaries and their scores were already done" in again.output
    run = Path(again.output.strip().splitlines()[-1].removeprefix("results: "))
    joined = cli("run", "-q", "--system", "lead:n=1,as=lead1", "--join", "--workers", "1")
    assert joined.exit_code == 0, joined.output
    assert f"joining {run} (seed-news · 2 systems · 120 words" in joined.output
    assert "computed 1 summary and 1 score; beside 2 systems already in this run, not recomputed: lead, random" \
        in " ".join(joined.output.split())
    assert joined.output.strip().splitlines()[-1] == f"results: {run}"
    table = cli("table", str(run)).output
    assert all(name in table for name in ("lead1", "random", "lead "))
    assert not lines_over(joined.output) and not lines_over(table)


def test_join_without_a_run_to_join_says_what_to_do(in_tmp):
    result = cli("run", "-q", "--system", "lead", "--join")
    assert result.exit_code == 1
    assert "--join: no run of suite 'seed-news' with budget" in result.output
    assert "run the baselines first (`sumbench run`), or give --out" in result.output


def test_table_on_a_folder_of_runs_lists_them_newest_first(in_tmp):
    for system in ("lead", "random"):
        assert cli("run", "-q", "--system", system, "--metric", "length", "--workers", "1").exit_code == 0
    result = cli("table", "results")
    assert result.exit_code == 0  # how runs are listed (README)
    listed = [line.strip() for line in result.output.splitlines() if line.startswith("  results/")]
    assert len(listed) == 2 and "results holds 2 runs, newest first:" in result.output
    newest = listed[0]
    assert cli("table", newest).output.count("random") >= 1  # the newest is the second run
    assert result.output.strip().splitlines()[-1] == f"the newest one's table: `sumbench table {newest}`"


def test_compare_on_one_cluster_says_what_it_cannot_show(in_tmp):
    run = write_run(in_tmp / "one", {s: {"c1": v} for s, v in (("a", 0.1), ("b", 0.2), ("c", 0.3))})
    result = cli("compare", str(run))
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert ("with 1 cluster, no paired test can give a p below 1, and alpha is 0.05: this comparison can neither "
            "show a difference between systems nor rule one out; at least 7 clusters are needed") in text
    assert len(result.output.splitlines()) <= 8 and "rouge1: pairwise" not in result.output
    assert f"`sumbench table {run}`" in text and "`--format csv`" in text
    assert "p_holm" in cli("compare", str(run), "-f", "csv").output  # the tests are still there


def test_compare_fits_80_columns_and_never_cuts_a_name(in_tmp):
    rng = random.Random(0)
    systems = ["lead", "textrank", "centroid:some_long_parameter=1", "mmr"]
    run = write_run(in_tmp / "twenty", {s: {f"c{i:02d}": rng.random() * 0.3 + k * 0.05 for i in range(20)}
                                        for k, s in enumerate(systems)})
    result = cli("compare", str(run))
    assert result.exit_code == 0, result.output
    assert not lines_over(result.output) and "…" not in result.output
    assert "rouge1: pairwise" in result.output and "`--format csv` has them all" in " ".join(result.output.split())
    wide = cli("compare", str(run), columns=200)
    assert "A wins/ties/losses" in wide.output and "narrow terminal" not in wide.output


def test_compare_breaks_long_model_names_at_their_separators_not_mid_word(in_tmp):
    rng = random.Random(0)
    systems = ["lead", "llm:model=qwen2.5-coder-1.5b-instruct", "llm:model=smollm2-135m-instruct,temperature=0.7",
               "textrank"]
    run = write_run(in_tmp / "llms", {s: {f"c{i:02d}": rng.random() * 0.3 + k * 0.05 for i in range(20)}
                                      for k, s in enumerate(systems)})
    result = cli("compare", str(run))
    assert result.exit_code == 0, result.output
    assert not lines_over(result.output) and "…" not in result.output
    firsts = [re.split(r"\s{2,}", line.strip())[0] for line in result.output.splitlines() if line.strip()]
    # a wrapped name's lines end at its separators (- , = :), never inside a word
    assert {"vs llm:model=smollm2-", "135m-instruct,", "temperature=0.7", "instruct,temperature=0.7"} <= set(firsts)
    assert not any(f.endswith(("temperatur", "instruc", "smollm", "qwen2.", "coder-1.")) for f in firsts)
    assert "A vs B" in result.output and "vs lead" in firsts
    wide = cli("compare", str(run), columns=200)
    assert "llm:model=smollm2-135m-instruct,temperature=0.7" in wide.output and "A vs B" not in wide.output


def test_wrap_name_breaks_after_separators_and_cuts_only_what_has_none():
    from bench.terminal import wrap_name

    assert wrap_name("lead", 12) == "lead"
    assert wrap_name("llm:model=smollm2-135m-instruct,temperature=0.7", 20).split("\n") == [
        "llm:model=smollm2-", "135m-instruct,", "temperature=0.7"]
    assert wrap_name("averyveryverylongname", 8).split("\n") == ["averyver", "yverylon", "gname"]
    assert wrap_name("a vs b\nsecond-line-here", 7).split("\n") == ["a vs b", "second-", "line-", "here"]
    assert wrap_name("llm:base_url=http://127.0.0.1:8080/v1", 16).split("\n") == [
        "llm:base_url=", "http://", "127.0.0.1:8080/", "v1"]  # "http://" is never cut


def test_progress_bar_keeps_count_and_eta_at_80_columns():
    long = "systems lead, random, lexrank, textrank, centroid, mmr, oracle"
    shown, bar = fit_bar(long, 80, len("7/7"))
    assert len(shown) + 1 + bar + 1 + len("7/7") + 1 + len("0:00:01 eta 0:00:00") <= 79
    assert shown.endswith("…") and bar >= 10
    assert fit_bar("metric rouge", 200, 3) == ("metric rouge", 40)


def test_alias_is_checked(in_tmp):
    result = cli("run", "-q", "--system", "lead:as=a:b")
    # a bad command line: exit 2
    assert result.exit_code == 2 and "as='a:b' in 'lead:as=a:b': give a short name" in result.output


def test_chart_ticks_are_round_numbers_and_report_values_read_as_in_the_terminal():
    from bench.report.charts import interval_chart
    from bench.tables import column_decimals, format_value

    chart = interval_chart("weak_share", [("a", 0.0, 0.0, 0.03, False), ("b", 0.1, 0.05, 0.15, False)], False)
    labels = [label for _, label in chart.ticks]
    assert labels == ["0.00", "0.05", "0.10", "0.15"]
    around_zero = interval_chart("d", [("a", 0.0, -0.1, 0.0, False), ("b", 0.05, 0.0, 0.11, False)], False)
    assert [label for _, label in around_zero.ticks] == ["-0.10", "-0.05", "0.00", "0.05", "0.10", "0.15"]
    percent = interval_chart("rouge1", [("a", 0.41, 0.4, 0.45, False), ("b", 0.5, 0.45, 0.55, True)], True)
    assert [label for _, label in percent.ticks] == ["40", "45", "50", "55"]
    assert format_value(0.0, False, column_decimals([0.0], False)) == "0.0000"
    assert format_value(1.0, False, column_decimals([1.0], False)) == "1.000"


def test_compare_with_many_systems_shows_ranks_and_groups_not_every_pair(in_tmp):
    rng = random.Random(1)
    run = write_run(in_tmp / "many", {f"s{k:02d}": {f"c{i:02d}": rng.random() * 0.3 + k * 0.01 for i in range(20)}
                                      for k in range(14)})
    result = cli("compare", str(run))
    assert result.exit_code == 0 and "pairwise" not in result.output.split("(91 pairs")[0]
    assert "(91 pairs per metric value: the groups above summarise them" in " ".join(result.output.split())
    assert len(result.output.splitlines()) < 40 and not lines_over(result.output)
    two = cli("compare", str(run), "--system", "s00", "--system", "s13")
    assert "rouge1: pairwise" in two.output
