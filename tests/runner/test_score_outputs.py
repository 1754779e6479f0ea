from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from bench.cli import app
from bench.runner.imported import split_text
from bench.runner.store import load_run

CLUSTER = "japan-defense-trump-visit"
METRICS = ["rouge", "length", "extractiveness", "grounding", "bertscore:model=all-MiniLM-L6-v2"]


def _invoke(*args: str):
    result = CliRunner().invoke(app, list(args))
    return result


def _metric_args() -> list[str]:
    return [a for m in METRICS for a in ("--metric", m)]


def _values(run_dir, system: str) -> dict[str, dict[str, float]]:
    _, _, scores = load_run(run_dir)
    return {r["metric"]: r["values"] for r in scores.values() if r["system"] == system and r["status"] == "ok"}


@pytest.mark.slow
def test_score_equals_running_the_same_texts_through_a_system(tmp_path):
    run_dir = tmp_path / "run"
    res = _invoke("run", "--system", "lead", *_metric_args(), "--out", str(run_dir), "-q")
    assert res.exit_code == 0, res.output
    _, summaries, _ = load_run(run_dir)
    (lead,) = summaries.values()
    outputs = tmp_path / "outputs.jsonl"
    outputs.write_text(
        json.dumps({"cluster": CLUSTER, "system": "published", "bullets": lead["bullets"]}) + "\n"
        + json.dumps({"cluster": CLUSTER, "system": "as-text", "text": "\n".join("- " + b for b in lead["bullets"])})
        + "\n",
        encoding="utf-8",
    )
    res = _invoke("score", "--outputs", str(outputs), *_metric_args(), "--out", str(run_dir), "-q", "--table", "csv")
    assert res.exit_code == 0, res.output
    harness = _values(run_dir, "lead")
    assert set(harness) == {m for m in METRICS}
    assert _values(run_dir, "published") == harness
    assert _values(run_dir, "as-text") == harness
    # one table, all three systems
    table = _invoke("table", str(run_dir), "--format", "csv").output
    assert {"lead", "published", "as-text"} <= {line.split(",")[0] for line in table.splitlines()[1:]}


@pytest.mark.parametrize(
    "line, where",
    [
        ("{not json", ":1"),
        ('["a list"]', ":1"),
        ('{"system": "x", "bullets": ["a"]}', ":1:cluster"),
        ('{"cluster": "nope", "system": "x", "bullets": ["a"]}', ":1:cluster"),
        ('{"cluster": "%s", "bullets": ["a"]}' % CLUSTER, ":1:system"),
        ('{"cluster": "%s", "system": 3, "bullets": ["a"]}' % CLUSTER, ":1:system"),
        ('{"cluster": "%s", "system": "x", "bullets": "a"}' % CLUSTER, ":1:bullets"),
        ('{"cluster": "%s", "system": "x", "bullets": ["a", 2]}' % CLUSTER, ":1:bullets"),
        ('{"cluster": "%s", "system": "x"}' % CLUSTER, ":1:bullets"),
        ('{"cluster": "%s", "system": "x", "text": ""}' % CLUSTER, ":1:text"),
        ('{"cluster": "%s", "system": "x", "txt": "a"}' % CLUSTER, ":1:txt"),
    ],
)
def test_bad_lines_name_file_line_field(tmp_path, line, where):
    outputs = tmp_path / "bad.jsonl"
    outputs.write_text(line + "\n", encoding="utf-8")
    res = _invoke("score", "--outputs", str(outputs), "--metric", "length", "--out", str(tmp_path / "r"), "-q")
    assert res.exit_code == 1
    assert f"{outputs}{where}:" in res.output
    assert "Traceback" not in res.output


def test_duplicate_and_missing_clusters(tmp_path):
    rec = {"cluster": CLUSTER, "system": "x", "bullets": ["Japan will build up its defense."]}
    outputs = tmp_path / "dup.jsonl"
    outputs.write_text(json.dumps(rec) + "\n\n" + json.dumps(rec) + "\n", encoding="utf-8")
    res = _invoke("score", "--outputs", str(outputs), "--metric", "length", "--out", str(tmp_path / "r"), "-q")
    assert res.exit_code == 1 and f"{outputs}:3:cluster" in res.output and "line 1" in res.output


def test_split_text():
    assert split_text("- one\n* two\n\n3. three") == ["one", "two", "three"]
    assert split_text("Japan will act. Trump visits Tokyo.") == ["Japan will act.", "Trump visits Tokyo."]


def test_missing_cluster_is_missing_not_failed(tiny_suite, tmp_path):
    outputs = tmp_path / "one.jsonl"
    outputs.write_text(json.dumps({"cluster": "c0", "system": "x", "text": "Town 0 approved a budget."}) + "\n")
    res = _invoke("score", "--suite", str(tiny_suite), "--outputs", str(outputs), "--metric", "length",
                  "--out", str(tmp_path / "r"), "-q", "--table", "csv")
    assert res.exit_code == 0, res.output
    _, summaries, scores = load_run(tmp_path / "r")
    status = {r["cluster"]: r for r in summaries.values()}
    assert status["c0"]["status"] == "ok" and status["c0"]["bullets"] == ["Town 0 approved a budget."]
    assert "c1" not in status  # nothing to summarize: no record, no failure
    rows = list(csv.DictReader(io.StringIO(res.stdout[: res.stdout.index("computed")] if "computed" in res.stdout
                                           else res.stdout)))
    assert {(r["failures"], r["missing"]) for r in rows} == {("0", "1")}
    text = _invoke("table", str(tmp_path / "r")).output
    assert "1 missing (no summary)" in text and "failed" in text and "1 failed" not in text
    assert [r["cluster"] for r in scores.values()] == ["c0"]
