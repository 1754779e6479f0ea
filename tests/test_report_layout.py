"""The report's cluster page in headless Chromium at 1024 and 1400 px: nothing wider than the page or its card,
key-point text in whole words a few to a line, documents and references one click away.

Screenshots of the page are kept in test-artifacts/ (git-ignored) to look at.
"""

from __future__ import annotations

import math

import pytest
from typer.testing import CliRunner

from bench.cli import app
from browser import chromium, console_errors, missing_reason
from conftest import REPO

ARTIFACTS = REPO / "test-artifacts"
pytestmark = pytest.mark.skipif(missing_reason() is not None, reason=missing_reason() or "")

#: (element, its card) pairs where the element sticks out of the card, in CSS pixels
OVERFLOWING = """
const out = [];
for (const card of document.querySelectorAll('article.system')) {
  const box = card.getBoundingClientRect();
  for (const el of card.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width && (r.right > box.right + 1 || r.left < box.left - 1)) {
      out.push(el.tagName + '.' + el.className + ' in ' + card.id + ': ' + Math.round(r.left) + '-' +
               Math.round(r.right) + ' outside ' + Math.round(box.left) + '-' + Math.round(box.right));
    }
  }
}
return out;
"""

#: per key-point cell: [words, lines, width]
KEYPOINT_CELLS = """
return [...document.querySelectorAll('table.kptable tbody td:nth-child(1)')].filter(td => td.offsetParent).map(td => {
  const line = parseFloat(getComputedStyle(td).lineHeight);
  const pad = parseFloat(getComputedStyle(td).paddingTop) + parseFloat(getComputedStyle(td).paddingBottom);
  return [td.textContent.trim().split(/\\s+/).length, Math.round((td.clientHeight - pad) / line),
          td.getBoundingClientRect().width];
});
"""


@pytest.fixture(scope="module")
def cluster_page(tmp_path_factory):
    """A report of the bundled suite run with its default systems and metrics (key points in every card)."""
    tmp = tmp_path_factory.mktemp("layout")
    res = CliRunner().invoke(app, ["run", "-q", "--out", str(tmp / "run"), "--workers", "1"])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(app, ["report", str(tmp / "run"), "-o", str(tmp / "report.html")])
    assert res.exit_code == 0, res.output
    return tmp / "report_files" / "run0-c0.html"


@pytest.mark.slow
@pytest.mark.parametrize("width", [1024, 1400])
def test_cluster_page_fits_and_reads(cluster_page, width):
    from selenium.webdriver.common.by import By

    with chromium() as driver:
        driver.set_window_size(width, 900)
        driver.get(cluster_page.resolve().as_uri())
        inner = driver.execute_script("return window.innerWidth")
        assert driver.execute_script("return document.documentElement.scrollWidth") <= inner  # no sideways scroll
        assert len(driver.find_elements(By.CSS_SELECTOR, "article.system")) == 7
        assert driver.execute_script(OVERFLOWING) == []
        cells = driver.execute_script(KEYPOINT_CELLS)
        assert cells, "no key-point table shown"
        for words, lines, cell_width in cells:
            assert cell_width >= 180  # room for whole words
            assert lines <= max(1, math.ceil(words / 6)), (words, lines, cell_width)  # six words a line or more
        # documents and references from the bar at the top, without scrolling past the systems
        for link, target in (("Documents", "documents"), ("References", "references")):
            driver.find_element(By.PARTIAL_LINK_TEXT, link).click()
            top = driver.execute_script(f"return document.getElementById('{target}').getBoundingClientRect().top")
            assert 40 <= top < driver.execute_script("return window.innerHeight") - 40, (link, top)  # in view
            assert driver.find_element(By.CSS_SELECTOR, "nav.jump").is_displayed()  # the bar stays in view
        driver.execute_script("window.scrollTo(0, 0)")
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(height + 140, 8000))
        ARTIFACTS.mkdir(exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / f"report-cluster-{width}.png"))
        assert console_errors(driver) == []
