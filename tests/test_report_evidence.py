"""The report's evidence, seen in headless Chromium at 1024 and 1400 px: a flagged span shows its evidence
sentence when clicked (and it stays marked), what the sources say is on the page without hovering, a legend
names the marks, the leaderboard needs no sideways scroll, and a pairwise matrix has one number format.

Screenshots are kept in test-artifacts/ (git-ignored) to look at.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from typer.testing import CliRunner

from bench.cli import app
from browser import chromium, console_errors, missing_reason
from conftest import REPO
from test_report_faithfulness import BULLETS, CLUSTER

ARTIFACTS = REPO / "test-artifacts"
pytestmark = pytest.mark.skipif(missing_reason() is not None, reason=missing_reason() or "")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The bundled suite's default run, and a made-up summary with a changed weekday beside it."""
    tmp = tmp_path_factory.mktemp("evidence")
    runner = CliRunner()
    res = runner.invoke(app, ["run", "-q", "--out", str(tmp / "run"), "--workers", "1"])
    assert res.exit_code == 0, res.output
    outputs = tmp / "out.jsonl"
    outputs.write_text(json.dumps({"cluster": CLUSTER, "system": "made-up", "bullets": BULLETS}) + "\n")
    res = runner.invoke(app, ["score", "-q", "--outputs", str(outputs), "--out", str(tmp / "run"), "--workers", "1"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["report", str(tmp / "run"), "-o", str(tmp / "report.html")])
    assert res.exit_code == 0, res.output
    return tmp / "report.html"


@pytest.mark.parametrize("width", [1024, 1400])
def test_a_flagged_span_shows_its_evidence_and_the_sources_words_are_on_the_page(report, width):
    from selenium.webdriver.common.by import By

    with chromium() as driver:
        driver.set_window_size(width, 900)
        driver.get((report.parent / "report_files" / "run0-c0.html").resolve().as_uri())
        legend = driver.find_element(By.CSS_SELECTOR, "p.legend")
        assert legend.is_displayed() and "no source has it" in legend.text and "evidence sentence" in legend.text
        friday = next(f for f in driver.find_elements(By.CSS_SELECTOR, "a.flag.contradicted") if f.text == "Friday")
        says = friday.find_element(By.XPATH, "following-sibling::span[1]")
        assert says.is_displayed() and "sources: Tuesday" in says.text  # no hover needed
        card = friday.find_element(By.XPATH, "ancestor::li[1]")
        quote = card.find_element(By.CSS_SELECTOR, "blockquote.evq")
        assert quote.is_displayed() and "Tuesday" in quote.text
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", friday)
        friday.click()
        time.sleep(3)  # longer than a passing flash
        shown = driver.find_elements(By.CSS_SELECTOR, ".sent.shown")
        assert len(shown) == 1 and shown[0].is_displayed() and "Tuesday" in shown[0].text
        ARTIFACTS.mkdir(exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / f"report-evidence-{width}.png"))
        assert console_errors(driver) == []


@pytest.mark.parametrize("width", [1024, 1400])
def test_the_leaderboard_needs_no_sideways_scroll(report, width):
    from selenium.webdriver.common.by import By

    with chromium() as driver:
        driver.set_window_size(width, 900)
        driver.get(report.resolve().as_uri())
        board = driver.find_element(By.CSS_SELECTOR, "table.leaderboard")
        assert len(board.find_elements(By.CSS_SELECTOR, "thead th")) >= 14  # every default metric value
        box = board.find_element(By.XPATH, "..")
        assert driver.execute_script("return arguments[0].scrollWidth <= arguments[0].clientWidth", box)
        driver.save_screenshot(str(ARTIFACTS / f"report-leaderboard-{width}.png"))


def test_a_pairwise_matrix_has_one_number_format_and_says_what_it_averages(report):
    page = report.read_text() + "".join(p.read_text() for p in (report.parent / "report_files").glob("*.html"))
    assert "over the clusters both were scored on" in page
    tables = re.findall(r'<table class="matrix">(.*?)</table>', page, flags=re.S)
    assert tables
    for table in tables:
        cells = re.findall(r'<td class="(?:same|better|worse)"[^>]*>([^<]*)</td>', table)
        decimals = {len(c.split(".")[1]) if "." in c else 0 for c in cells}
        assert len(decimals) <= 1 and all(re.fullmatch(r"[+−]\d+(\.\d+)?", c) for c in cells), cells
