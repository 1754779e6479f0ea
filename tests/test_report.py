"""sumbench report: content, escaping of untrusted text, and a headless Chromium check."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.cli import app
from bench.suites.local import load_suite_dir
from browser import chromium, console_errors, missing_reason
from fake_runs import write_run

PAYLOADS = [
    "<script>window.__pwned = 1; document.title = 'pwned';</script>",
    '<img src="x" onerror="window.__pwned = 2; document.title = \'pwned\'">',
]
SCRIPT_TEXT = "window.__pwned"


def toml_str(s: str) -> str:
    return json.dumps(s)  # a JSON string is a valid TOML basic string


def make_suite(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "suite.toml").write_text('name = "xss"\n')
    clusters = {
        "c1": ("Bridge reopens", "Officials confirmed the bridge reopened on Monday. Traffic was light all day. "
               + " ".join(PAYLOADS), ["The bridge reopened on Monday.", "Traffic was light."]),
        "c2": ("Storm", "A storm hit the coast on Tuesday. Power was cut to thousands.", ["A storm hit the coast."]),
    }
    for cid, (title, text, ref) in clusters.items():
        docs = root / cid / "documents"
        docs.mkdir(parents=True)
        (root / cid / "cluster.toml").write_text(f"title = {toml_str(title + ' ' + PAYLOADS[1])}\n")
        (docs / "001.txt").write_text(
            f"+++\nid = \"{cid}-a\"\noutlet = {toml_str('Daily <script>window.__pwned = 3</script>')}\n"
            f"title = {toml_str('Headline ' + PAYLOADS[1])}\nurl = \"javascript:window.__pwned = 5\"\n+++\n{text}\n")
        (docs / "002.txt").write_text(f"+++\nid = \"{cid}-b\"\noutlet = \"Wire\"\nurl = \"https://example.org/a?b=1&c=2\"\n+++\n"
                                      f"Second report. {text}\n")
        refs = root / cid / "references"
        refs.mkdir()
        (refs / "team.md").write_text("+++\nauthor = \"team\"\n+++\n" + "".join(f"- {b}\n" for b in ref))
    return root


@pytest.fixture
def report_run(tmp_path):
    suite_dir = make_suite(tmp_path / "suite")
    suite = load_suite_dir(suite_dir)
    keypoints = {"threshold": 0.5, "best_reference": "team", "references": {"team": {
        "alignment": [{"bullet": 0, "keypoint": 0, "similarity": 0.9, "covered": True},
                      {"bullet": 1, "keypoint": 1, "similarity": 0.1, "covered": False}],
        "uncovered_keypoints": [1], "redundant": []}}}
    grounding = {"bullets": [{"bullet": "Traffic was light all day.", "support": 0.8, "weak": False,
                              "evidence": [{"document": "c1-a", "outlet": "Daily", "sentence": "Traffic was light all day."}]}]}
    run = write_run(
        tmp_path / "run",
        {"alpha": {"c1": 0.4, "c2": 0.3}, "beta": {"c1": 0.2}, "oracle": {"c1": 0.9, "c2": 0.8}},
        fingerprint=suite.fingerprint(), source=str(suite_dir), upper_bound=("oracle",),
        bullets={"alpha": {"c1": ["The bridge reopened on Monday.", "<svg onload=\"window.__pwned = 6\">x</svg>"]},
                 "beta": {"c1": ["Traffic was light all day."]}},
        details={"alpha": {"c1": keypoints}, "beta": {"c1": grounding}},
        failed={"beta": {"c2": "TimeoutError: <b>model</b> did not answer"}},
    )
    out = tmp_path / "report.html"
    res = CliRunner().invoke(app, ["report", str(run), "-o", str(out)])
    assert res.exit_code == 0, res.output
    return out, run, suite_dir


def test_report_escapes_untrusted_text(report_run):
    html = report_run[0].read_text()
    body = html.split("<script>\n// Cluster picker", 1)[0]
    assert "<script>window" not in body and "<img src=\"x\"" not in body and "<svg onload" not in body
    assert "&lt;script&gt;window.__pwned = 1;" in body and "&lt;img src=&#34;x&#34; onerror=" in body
    assert "javascript:" not in re.sub(r"<span[^>]*>[^<]*</span>", "", body).split("href=")[-1]
    assert not re.search(r'href="javascript', html)
    assert 'href="https://example.org/a?b=1&amp;c=2"' in html
    assert "TimeoutError: &lt;b&gt;model&lt;/b&gt; did not answer" in html  # failures listed, escaped


def test_report_is_self_contained_and_complete(report_run):
    html = report_run[0].read_text()
    assert not re.search(r'<(script|img|link|iframe)[^>]+(src|href)=', html)  # nothing loaded from anywhere
    assert "default-src 'none'" in html
    assert "upper bound" in html and "<svg viewBox" in html
    assert re.search(r'class="chip kp" title="KP 1: The bridge reopened on Monday.', html)
    assert "1/2 key points covered" in html and "KP 2: Traffic was light." in html
    ev = re.search(r'class="chip ev goto" href="#([^"]+)"', html)
    assert ev and f'id="{ev.group(1)}"' in html
    assert "documents reloaded from" in html
    assert "n=1 of 2" in html  # beta failed on one cluster


def test_report_says_when_suite_cannot_be_loaded(report_run, tmp_path):
    _, run, suite_dir = report_run
    shutil.rmtree(suite_dir)
    out = tmp_path / "again.html"
    assert CliRunner().invoke(app, ["report", str(run), "-o", str(out)]).exit_code == 0
    html = out.read_text()
    assert "cannot reload suite from" in html and "alpha" in html
    changed = make_suite(suite_dir)
    (changed / "c2" / "references" / "team.md").write_text("+++\nauthor = \"team\"\n+++\n- Something else.\n")
    assert CliRunner().invoke(app, ["report", str(run), "-o", str(out)]).exit_code == 0
    assert "has changed since the run" in out.read_text()


@pytest.mark.skipif(missing_reason() is not None, reason=missing_reason() or "")
def test_report_in_headless_chromium(report_run, tmp_path):
    from selenium.webdriver.common.by import By

    out = report_run[0]
    with chromium() as driver:
        driver.get(out.resolve().as_uri())
        assert driver.title.startswith("sumbench report")
        assert driver.execute_script("return window.__pwned") is None
        rows = driver.find_elements(By.CSS_SELECTOR, "table.leaderboard tbody tr")
        assert [r.find_element(By.TAG_NAME, "th").text.split(" ")[0] for r in rows] == ["alpha", "beta", "oracle"]
        assert driver.find_element(By.CSS_SELECTOR, ".chart svg circle").is_displayed()
        first, second = driver.find_elements(By.CSS_SELECTOR, "section.cluster")
        assert first.is_displayed() and not second.is_displayed()
        doc_text = driver.execute_script("return document.querySelector('details.doc').textContent")
        assert PAYLOADS[0] in doc_text and PAYLOADS[1] in doc_text  # shown as text
        bullets = first.find_elements(By.CSS_SELECTOR, ".bullets li")
        assert any('<svg onload="window.__pwned = 6">x</svg>' in b.text for b in bullets)
        link = first.find_element(By.CSS_SELECTOR, "a.chip.ev")
        link.click()
        target = driver.find_element(By.CSS_SELECTOR, ".sent.flash")
        assert target.is_displayed() and target.text == "Traffic was light all day."
        driver.save_screenshot(str(tmp_path / "report-drilldown.png"))
        driver.find_element(By.CSS_SELECTOR, ".picker .next").click()
        assert second.is_displayed() and not first.is_displayed()
        assert "failed" in second.text and "TimeoutError: <b>model</b> did not answer" in second.text
        driver.find_element(By.CSS_SELECTOR, ".picker .prev").click()
        assert first.is_displayed() and not second.is_displayed()
        driver.find_element(By.CSS_SELECTOR, f'table.problems a[href="#{second.get_attribute("id")}"]').click()
        assert second.is_displayed() and not first.is_displayed()  # a failure links to its cluster
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(str(tmp_path / "report-top.png"))
        assert driver.execute_script("return window.__pwned") is None and "pwned" not in driver.title
        assert console_errors(driver) == []
    keep = os.environ.get("SUMBENCH_SCREENSHOTS")
    if keep:
        for png in tmp_path.glob("report-*.png"):
            shutil.copy(png, Path(keep) / png.name)


def test_report_from_a_real_run(tmp_path):
    cli = CliRunner()
    run = tmp_path / "run"
    res = cli.invoke(app, ["run", "-q", "--out", str(run), "--system", "lead", "--system", "lead:n=1",
                           "--table", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout[: res.stdout.rindex("]") + 1])
    assert all(r["n"] == 1 and r["ci_low"] is None for r in rows)  # one cluster: no interval to show
    out = tmp_path / "r.html"
    res = cli.invoke(app, ["report", str(run), str(run), "-o", str(out)])
    assert res.exit_code == 0, res.output
    html = out.read_text()
    assert html.count('class="run"') == 3  # two runs and the across-runs section
    assert "Across runs" in html and "lead @ run1" in html and "lead:n=1 @ run2" in html
    assert "National Times" in html and "documents reloaded from" in html and "Reference: aggregator" in html
    assert "lead:n=1" in html and "Pairwise significance" in html
