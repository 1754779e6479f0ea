"""The cluster page shows faithfulness: flagged spans in the bullets, linked to their evidence."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from bench.cli import app

CLUSTER = "japan-defense-trump-visit"
BULLETS = [
    "Japan's Foreign Minister Takeshi Iwaya met with Trump's Secretary of State Marco Rubio and National "
    "Security Adviser Mike Waltz on Friday in Washington.",
    "Japan is midway through a nine-year military buildup through 2031 that doubles annual defense spending "
    "to 2% of GDP.",
]


def test_flagged_spans_link_to_evidence_and_unfaithful_coverage_is_marked(tmp_path):
    outputs = tmp_path / "out.jsonl"
    outputs.write_text(json.dumps({"cluster": CLUSTER, "system": "made-up", "bullets": BULLETS}) + "\n")
    runner = CliRunner()
    run = tmp_path / "run"
    r = runner.invoke(app, ["score", "--outputs", str(outputs), "--out", str(run), "--metric", "keypoints",
                            "--metric", "faithfulness"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["report", str(run), "-o", str(tmp_path / "report.html")])
    assert r.exit_code == 0, r.output
    page = (tmp_path / "report_files" / "run0-c0.html").read_text()
    flags = re.findall(r'<a class="flag (\w+)" href="#([\w-]+)" title="([^"]*)">([^<]*)</a>', page)
    assert ("contradicted", "Friday") in [(f[0], f[3]) for f in flags]
    friday = next(f for f in flags if f[3] == "Friday")
    assert "Tuesday" in friday[2] and f'id="{friday[1]}"' in page  # the evidence sentence is on the page
    assert {f[3] for f in flags if f[0] == "contradicted"} >= {"Friday"}
    assert 'class="chip verdict contradicted"' in page
    assert "by unfaithful bullets only" in page  # the buildup key point is stated with wrong years
