"""Several reference columns in a generic suite, and metrics scoring against some of them (refs=)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from bench.cli import app
from bench.runner.store import load_run
from bench.suites.tabular import load_tabular_suite

ROWS = [
    {"id": "c1", "documents": ["Japan will raise defence spending. Trump visits Tokyo next week."],
     "reference": "Japan raises defence spending before Trump's visit.",
     "key_points": ["Japan will raise defence spending.", "Trump visits Tokyo."]},
    {"id": "c2", "documents": ["Floods hit the valley. Thousands were evacuated on Monday."],
     "reference": "Floods forced thousands from the valley.",
     "key_points": ["Floods hit the valley.", "Thousands were evacuated."]},
]
OUTPUTS = [{"cluster": "c1", "system": "s", "bullets": ["Japan will raise defence spending."]},
           {"cluster": "c2", "system": "s", "bullets": ["Thousands were evacuated on Monday."]}]


def _files(tmp_path):
    suite, outputs = tmp_path / "suite.jsonl", tmp_path / "outputs.jsonl"
    suite.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    outputs.write_text("".join(json.dumps(r) + "\n" for r in OUTPUTS), encoding="utf-8")
    return suite, outputs


def _score(tmp_path, out, columns, *metrics):
    suite, outputs = _files(tmp_path)
    args = ["score", "-q", "--suite", str(suite), "--format", "generic", "--columns", columns,
            "--outputs", str(outputs), "--out", str(tmp_path / out)]
    res = CliRunner().invoke(app, args + [a for m in metrics for a in ("--metric", m)])
    assert res.exit_code == 0, res.output
    _, _, scores = load_run(tmp_path / out)
    return {(r["metric"], r["cluster"]): r for r in scores.values()}


def test_columns_joined_by_plus_become_references_named_by_column(tmp_path):
    suite, _ = _files(tmp_path)
    s = load_tabular_suite(str(suite), "generic", {"reference": "reference+key_points"})
    refs = s.references_for("c1")
    assert [r.author for r in refs] == ["reference", "key_points"]
    assert refs[1].bullets == ("Japan will raise defence spending.", "Trump visits Tokyo.")
    one = load_tabular_suite(str(suite), "generic", {"reference": "key_points"})
    assert [r.author for r in one.references_for("c1")] == ["reference"]  # one column: the usual name


def test_refs_scores_against_the_chosen_references_only(tmp_path):
    both = _score(tmp_path, "both", "reference=reference+key_points",
                  "rouge:refs=key_points", "rouge:refs=reference")
    alone = _score(tmp_path, "alone", "reference=key_points", "rouge")
    for c in ("c1", "c2"):
        assert both[("rouge:refs=key_points", c)]["values"] == alone[("rouge", c)]["values"]
        assert both[("rouge:refs=reference", c)]["values"] != alone[("rouge", c)]["values"]
    # an author no cluster has (refs=nobody) is refused before anything runs: tests/test_faults_results.py
