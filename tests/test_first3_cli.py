"""Issue 2's front door: the published Multi-News First-3 through the CLI."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bench.cli import app
from conftest import SHARED_DATA


@pytest.mark.slow
@pytest.mark.skipif(not SHARED_DATA.exists(), reason="shared Multi-News dev data not present")
def test_first3_near_published(tmp_path):
    # Fabbri et al. 2019, Table 6, full test set: First-3 R-1 39.41, R-2 11.77;
    # a 50-cluster sample differs by sampling noise (about +-1.5).
    out = tmp_path / "run"
    cli = CliRunner()
    result = cli.invoke(app, ["run", "-q", "--suite", str(SHARED_DATA), "--format", "multi_news",
                              "--system", "lead:n=3,per_doc=true", "--metric", "rouge", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = json.loads(cli.invoke(app, ["table", str(out), "-f", "json"]).output)
    means = {r["metric"]: 100 * r["mean"] for r in rows}
    assert rows[0]["n"] == 50 and rows[0]["failures"] == 0
    assert means["rouge1"] == pytest.approx(39.41, abs=1.5)
    assert means["rouge2"] == pytest.approx(11.77, abs=1.5)
