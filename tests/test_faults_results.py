"""Results that changed without a word, through the CLI (issue 25, class 4): an unknown author in refs=,
a value left out with a wrong note, a second outputs file of a system already imported."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bench.cli import app
from conftest import make_suite


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


def outputs(path, rows):
    path.write_text("".join(json.dumps({"cluster": c, "system": s, "bullets": b}) + "\n" for c, s, b in rows))
    return path


def csv_rows(run) -> dict[str, list[str]]:
    res = cli("table", str(run), "--format", "csv")
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    head = lines[0].split(",")
    return {(r := dict(zip(head, line.split(","))))["system"] + "/" + r["metric"]: r for line in lines[1:]}


@pytest.mark.parametrize("refs, unknown", [("editor+editr", "editr"), ("editr+editor", "editr"), ("nobody", "nobody")])
def test_an_author_no_cluster_has_is_refused_whatever_stands_beside_it(tmp_path, refs, unknown):
    suite = make_suite(tmp_path / "suite")
    res = cli("run", "-q", "--suite", str(suite), "--system", "lead", "--metric", f"rouge:refs={refs}",
              "--out", str(tmp_path / "run"))
    assert res.exit_code == 2, res.output  # a bad parameter value: a bad command line
    assert res.output.strip().splitlines()[-1] == (
        f"error: --metric rouge:refs={refs}: refs= names {unknown!r}, an author no cluster of suite 'tiny' has."
        + (" Did you mean: editor?" if unknown == "editr" else "") + " Authors: editor")
    assert not (tmp_path / "run").exists()  # refused before anything ran


def test_shards_of_one_system_add_up_and_a_cluster_given_other_bullets_is_refused(tmp_path):
    suite, run = make_suite(tmp_path / "suite", clusters=3), tmp_path / "run"
    args = ["score", "-q", "--suite", str(suite), "--metric", "rouge", "--out", str(run), "--table", "csv"]
    first = outputs(tmp_path / "a.jsonl", [("c0", "mine", ["Town 0 approved a budget."]),
                                           ("c1", "mine", ["Town 1 approved a budget."])])
    assert cli(*args, "--outputs", str(first)).exit_code == 0
    second = outputs(tmp_path / "b.jsonl", [("c1", "mine", ["Town 1 approved a budget."]),  # the same: kept
                                            ("c2", "mine", ["Town 2 approved a budget."])])
    res = cli(*args, "--outputs", str(second))
    assert res.exit_code == 0, res.output
    assert "computed 1 summary and 1 score; reused 2 summaries" in res.output
    row = csv_rows(run)["mine/rouge1"]
    assert (row["n"], row["missing"]) == ("3", "0")  # before: n=2, c0 gone without a word
    clash = outputs(tmp_path / "c.jsonl", [("c2", "mine", ["Town 2 approved a budget."]),
                                           ("c0", "mine", ["Something else entirely."])])
    res = cli(*args, "--outputs", str(clash))
    assert res.exit_code == 1
    assert res.output.strip().splitlines()[-1] == (
        f"error: {clash}:2:bullets: system 'mine' already has other bullets for cluster 'c0' in {run} (from "
        f"{first}); rename the system in the file, or score into another folder (--out)")
    assert csv_rows(run)["mine/rouge1"]["n"] == "3"


@pytest.mark.slow
def test_a_value_left_out_says_which_and_why_not_no_summary(tmp_path):
    suite = make_suite(tmp_path / "suite", clusters=3)
    (suite / "c1" / "documents" / "d1.txt").unlink()
    (suite / "c1" / "documents" / "d0.txt").write_text('+++\noutlet = "X"\n+++\n\n')  # no source text
    mine = outputs(tmp_path / "o.jsonl", [(f"c{i}", "mine", [f"Town {i} approved a new budget."]) for i in range(3)])
    res = cli("score", "--suite", str(suite), "--outputs", str(mine), "--metric", "keypoints", "--out",
              str(tmp_path / "run"), "-q")
    assert res.exit_code == 0, res.output
    assert "mine: 1 without kp_recall_faithful: faithfulness: cluster has no source text" in res.output
    assert "missing" not in res.output
    row = csv_rows(tmp_path / "run")["mine/kp_recall_faithful"]
    assert (row["n"], row["missing"]) == ("2", "0")
    assert row["absent"] == "1 without kp_recall_faithful: faithfulness: cluster has no source text"
