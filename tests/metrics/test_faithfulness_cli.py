"""Issue 26, item 1 through the CLI: a number changed in the same place is contradicted, on the bundled suite."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from bench.cli import app
from bench.runner.store import read_jsonl
from model_fixtures import cluster, minilm, seed_suite  # noqa: F401  (pytest fixtures)

CHANGED = "Japan is doubling defence spending to 3% of GDP through 2027."  # the sources say 2 percent


def test_a_changed_percentage_is_contradicted_through_score(cluster, minilm, tmp_path):  # noqa: F811
    outputs = tmp_path / "mine.jsonl"
    outputs.write_text(json.dumps({"cluster": cluster.id, "system": "mine", "bullets": [CHANGED]}) + "\n")
    result = CliRunner().invoke(app, ["score", "-q", "--suite", "seed-news", "--outputs", str(outputs),
                                      "--metric", "faithfulness", "--out", str(tmp_path / "run")],
                                env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    [rec] = [r for r in read_jsonl(tmp_path / "run" / "scores.jsonl") if r["system"] == "mine"]
    assert rec["values"]["contradicted"] == 1.0 and rec["values"]["faithfulness"] == 0.0
    [s] = rec["details"]["sentences"]
    assert s["verdict"] == "contradicted"
    assert [(sp["text"], sp["source_says"]) for sp in s["spans"]] == [("3", "2")]
