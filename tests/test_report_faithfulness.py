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


def test_evidence_in_text_glued_by_scraping_links_to_its_sentence(tmp_path):
    from conftest import write

    suite = tmp_path / "suite"
    write(suite / "suite.toml", 'name = "glued"\ndescription = "scraped text"\n[defaults]\nwords = 60\n')
    write(suite / "c0" / "cluster.toml", 'title = "Genome"\n')
    write(suite / "c0" / "documents" / "d0.txt", '+++\noutlet = "Wire"\n+++\n'
          "The institute opened a new laboratory in the community.Dr Venter said the lab cost 40 million dollars "
          "and would open on Tuesday.")
    write(suite / "c0" / "references" / "editor.md", '+++\nauthor = "editor"\n+++\n- A laboratory opened.\n')
    outputs = tmp_path / "out.jsonl"
    outputs.write_text(json.dumps({"cluster": "c0", "system": "mine", "bullets": [
        "Dr Venter said the lab cost 90 million dollars and would open on Tuesday."]}) + "\n")
    runner = CliRunner()
    r = runner.invoke(app, ["score", "--suite", str(suite), "--outputs", str(outputs), "--out", str(tmp_path / "run"),
                            "--metric", "faithfulness"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["report", str(tmp_path / "run"), "-o", str(tmp_path / "report.html")])
    assert r.exit_code == 0, r.output
    page = (tmp_path / "report_files" / "run0-c0.html").read_text()
    flags = re.findall(r'<a class="flag (\w+)" href="#([\w-]+)" title="([^"]*)">([^<]*)</a>', page)
    ninety = next(f for f in flags if f[3] == "90")
    assert ninety[0] == "contradicted" and "40" in ninety[2]
    anchor = ninety[1]
    assert re.search(r"-s\d+$", anchor), anchor  # the evidence sentence itself, not only its document
    assert re.search(rf'id="{anchor}"[^>]*>[^<]*Dr Venter said', page)
