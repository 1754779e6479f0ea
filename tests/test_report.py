"""sumbench report: content, escaping of untrusted text, and a headless Chromium check."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import numpy as np
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
    keypoints = {"best_reference": "team", "references": {"team": {
        "keypoints": [{"text": "The bridge reopened on Monday.", "score": 0.91, "covered": True, "bullets": [0]},
                      {"text": "Traffic was light.", "score": 0.12, "covered": False, "bullets": []}],
        "bullets": [{"keypoints": [0]}, {"keypoints": []}], "values": {"kp_recall": 0.5}}}}
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


def pages(out: Path) -> str:
    """The index and every page of its folder, one string."""
    return "\n".join([out.read_text()] + [p.read_text() for p in sorted((out.parent / f"{out.stem}_files").iterdir())])


def test_report_escapes_untrusted_text(report_run):
    html = pages(report_run[0])
    body = "".join(part.split("<script>\n// Evidence links", 1)[0] for part in html.split("</html>"))
    assert "<script>window" not in body and "<img src=\"x\"" not in body and "<svg onload" not in body
    assert "&lt;script&gt;window.__pwned = 1;" in body and "&lt;img src=&#34;x&#34; onerror=" in body
    assert "javascript:" not in re.sub(r"<span[^>]*>[^<]*</span>", "", body).split("href=")[-1]
    assert not re.search(r'href="javascript', html)
    assert 'href="https://example.org/a?b=1&amp;c=2"' in html
    assert "TimeoutError: &lt;b&gt;model&lt;/b&gt; did not answer" in html  # failures listed, escaped


def test_report_is_self_contained_and_complete(report_run):
    out = report_run[0]
    index = out.read_text()
    folder = out.parent / "report_files"
    assert sorted(p.name for p in folder.iterdir()) == ["run0-c0.html", "run0-c1.html", "run0-clusters-1.html",
                                                       "run0-problems.html"]
    for page in [out, *folder.iterdir()]:
        html = page.read_text()
        assert not re.search(r'<(script|img|link|iframe)[^>]+(src|href)=', html)  # nothing loaded from anywhere
        assert "default-src 'none'" in html
    assert "upper bound" in index and "<svg viewBox" in index
    assert 'href="report_files/run0-c0.html"' in index and 'href="report_files/run0-c1.html"' in index
    assert 'href="report_files/run0-c1.html#run0-c1"' in index  # a failure links to its cluster's page
    assert "documents reloaded from" in index
    assert "n=1 of 2" in index  # beta failed on one cluster
    first = (folder / "run0-c0.html").read_text()
    assert 'href="../report.html#run0-clusters"' in first and 'href="run0-c1.html"' in first
    assert re.search(r'class="chip kp" title="states KP 1: The bridge reopened on Monday.">KP 1<', first)
    assert "1/2 key points covered · rouge, reference team (chosen)" in first
    rows = re.findall(r'<tr class="(hit|miss)"><td>(\d)\. ([^<]*)</td>\s*<td><span class="cov">(\w+)</span> ([^<]*)'
                      r'<br><span class="meta">([^<]*)</span></td></tr>', first)
    assert rows == [("hit", "1", "The bridge reopened on Monday.", "yes", "0.91", "bullet 1"),
                    ("miss", "2", "Traffic was light.", "no", "0.12", "no bullet")]
    ev = re.search(r'class="chip ev goto" href="#([^"]+)"', first)
    assert ev and f'id="{ev.group(1)}"' in first


def test_report_says_when_suite_cannot_be_loaded(report_run, tmp_path):
    _, run, suite_dir = report_run
    shutil.rmtree(suite_dir)
    out = tmp_path / "again.html"
    assert CliRunner().invoke(app, ["report", str(run), "-o", str(out)]).exit_code == 0
    html = out.read_text()
    assert "cannot reload suite from" in html and "alpha" in html
    assert "National" not in pages(out)  # no documents without the suite
    changed = make_suite(suite_dir)
    (changed / "c2" / "references" / "team.md").write_text("+++\nauthor = \"team\"\n+++\n- Something else.\n")
    assert CliRunner().invoke(app, ["report", str(run), "-o", str(out)]).exit_code == 0
    assert "has changed since the run" in out.read_text()


def test_index_stays_small_for_5000_clusters(tmp_path):
    from bench.report.render import write_report

    rng = np.random.default_rng(0)
    scores = {s: {f"cluster-{c:05d}": float(v) for c, v in enumerate(rng.uniform(0.2, 0.5, 5000))}
              for s in ("alpha", "beta", "gamma")}
    details = {"alpha": {c: {"references": {"ref": {"keypoints": [
        {"text": "A key point.", "score": 0.7, "covered": True, "bullets": [0]}]}}} for c in scores["alpha"]}}
    failed = {"beta": {f"cluster-{c:05d}": "TimeoutError" for c in range(5000, 5300)}}
    run = write_run(tmp_path / "run", scores, details=details, failed=failed)
    out = tmp_path / "big" / "index.html"
    size, written = write_report([run], out, resamples=200)
    assert size == out.stat().st_size < 1_000_000
    folder = tmp_path / "big" / "index_files"
    assert written == 5300 + 11 + 1 and len(list(folder.iterdir())) == written
    index = out.read_text()
    assert len(re.findall(r'href="index_files/run0-c\d+\.html', index)) == 50 + 50  # first clusters, failures
    assert 'href="index_files/run0-clusters-11.html"' in index and "index_files/run0-problems.html" in index
    last = (folder / "run0-c5299.html").read_text()
    assert "cluster-05299" in last and 'href="run0-c5298.html"' in last and "next ▶" not in last
    assert 'href="../index.html#run0-clusters"' in last and 'href="run0-clusters-11.html"' in last
    assert "1/1 key points covered" in (folder / "run0-c0.html").read_text()
    assert (folder / "run0-problems.html").read_text().count("TimeoutError") == 300
    # a smaller report over the same name removes the pages it no longer has
    small = write_run(tmp_path / "small", {"alpha": {"x": 0.1, "y": 0.2}})
    assert write_report([small], out, resamples=20)[1] == 4
    assert sorted(p.name for p in folder.iterdir()) == ["run0-c0.html", "run0-c1.html", "run0-clusters-1.html",
                                                       "run0-problems.html"]


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
        driver.save_screenshot(str(tmp_path / "report-top.png"))
        driver.find_element(By.CSS_SELECTOR, "ol.clusterlist a").click()  # first cluster's page
        assert driver.current_url.endswith("report_files/run0-c0.html")
        doc_text = driver.execute_script("return document.querySelector('details.doc').textContent")
        assert PAYLOADS[0] in doc_text and PAYLOADS[1] in doc_text  # shown as text
        bullets = driver.find_elements(By.CSS_SELECTOR, ".bullets li")
        assert any('<svg onload="window.__pwned = 6">x</svg>' in b.text for b in bullets)
        assert "KP 1" in bullets[0].text
        kp_rows = driver.find_elements(By.CSS_SELECTOR, "table.kptable tbody tr")
        assert [r.get_attribute("class") for r in kp_rows] == ["hit", "miss"] and kp_rows[0].is_displayed()
        driver.find_element(By.CSS_SELECTOR, "a.chip.ev").click()
        target = driver.find_element(By.CSS_SELECTOR, ".sent.shown")
        assert target.is_displayed() and target.text == "Traffic was light all day."
        driver.save_screenshot(str(tmp_path / "report-drilldown.png"))
        driver.find_element(By.CSS_SELECTOR, ".pager a.next").click()
        assert driver.current_url.endswith("run0-c1.html")
        page = driver.find_element(By.CSS_SELECTOR, "section.cluster").text
        assert "failed" in page and "TimeoutError: <b>model</b> did not answer" in page
        driver.find_element(By.CSS_SELECTOR, ".pager a.prev").click()
        assert driver.current_url.endswith("run0-c0.html")
        driver.find_element(By.LINK_TEXT, "report").click()
        driver.find_element(By.CSS_SELECTOR, 'table.problems a[href$="run0-c1.html#run0-c1"]').click()
        assert driver.current_url.endswith("run0-c1.html#run0-c1")  # a failure links to its cluster's page
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
    assert "documents reloaded from" in html and "lead:n=1" in html and "Pairwise significance" in html
    page = (tmp_path / "r_files" / "run1-c0.html").read_text()
    assert "National Times" in page and "Reference: aggregator" in page
    assert re.search(r"\d/\d key points covered · keypoints, reference aggregator", page)


def test_many_systems_put_the_matrices_on_their_own_page(tmp_path):
    from bench.report.render import write_report

    rng = np.random.default_rng(1)
    run = write_run(tmp_path / "run", {f"sys{i:02d}": {f"c{c}": float(v) for c, v in enumerate(rng.uniform(size=4))}
                                       for i in range(16)})
    out = tmp_path / "r.html"
    write_report([run], out, resamples=50)
    index = out.read_text()
    assert 'class="matrix"' not in index and 'href="r_files/run0-matrices.html"' in index
    page = (tmp_path / "r_files" / "run0-matrices.html").read_text()
    assert page.count('class="matrix"') == 1 and "#16 sys" in page and 'href="../r.html#run0"' in page
    small = write_run(tmp_path / "small", {"a": {"x": 0.1, "y": 0.2}, "b": {"x": 0.3, "y": 0.1}})
    write_report([small], out, resamples=50)
    assert 'class="matrix"' in out.read_text() and not (tmp_path / "r_files" / "run0-matrices.html").exists()


def test_a_system_without_a_summary_of_a_cluster_is_one_line_not_a_card(tmp_path):
    run = write_run(tmp_path / "run", {"full": {"c1": 0.3, "c2": 0.4}, "half": {"c1": 0.2},
                                       "other-half": {"c1": 0.25}})
    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", str(run), "--output", str(out)])
    assert result.exit_code == 0, result.output
    pages = {p.name: p.read_text() for p in (tmp_path / "report_files").glob("*.html")}
    c2 = next(text for text in pages.values() if "Cluster c2" in text)
    assert "No summary of this cluster from half, other-half (not run for it)." in c2
    assert "<h5>half" not in c2 and "<h5>full" in c2 and "Systems (1)" in c2
    c1 = next(text for text in pages.values() if "Cluster c1" in text)
    assert "No summary of this cluster" not in c1 and "Systems (3)" in c1


LONG_LABEL = "faithfulness-llm:base_url=http://127.0.0.1:46045/v1,model=qwen2.5-7b-instruct,logprobs=false"


def long_label_run(tmp_path: Path) -> Path:
    """A run whose metric label carries its parameters, as an LLM judge's does."""
    run = write_run(tmp_path / "run", {"alpha": {"c1": 0.4, "c2": 0.3}, "beta": {"c1": 0.2, "c2": 0.5}})
    manifest = json.loads((run / "manifest.json").read_text())
    manifest["metrics"] = {LONG_LABEL: {**manifest["metrics"]["rouge"], "label": LONG_LABEL}}
    (run / "manifest.json").write_text(json.dumps(manifest))
    scores = [json.loads(x) for x in (run / "scores.jsonl").read_text().splitlines()]
    (run / "scores.jsonl").write_text("".join(json.dumps({**r, "metric": LONG_LABEL}) + "\n" for r in scores))
    return run


def test_long_metric_labels_break_between_parameters(tmp_path):
    from bench.report.render import breakable

    assert str(breakable("judge:b=http://x/y,c=<d>,e=f")) == \
        "judge:<wbr>b=<wbr>http://<wbr>x/<wbr>y,<wbr>c=<wbr>&lt;d&gt;,<wbr>e=<wbr>f"
    assert str(breakable("kp_recall_faithful")) == "kp_recall_faithful"  # a short name never breaks
    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", str(long_label_run(tmp_path)), "--output", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    caption = re.search(r"<figcaption>(.*?)</figcaption>", html).group(1)
    assert caption.replace("<wbr>", "") == f"{LONG_LABEL}/rouge1"  # the whole title, never cut
    head = re.search(r'<table class="leaderboard">\s*<thead>(.*?)</thead>', html, re.S).group(1)
    assert f"<th>{breakable(LONG_LABEL + '/rouge1')}</th>" in head


@pytest.mark.skipif(missing_reason() is not None, reason=missing_reason() or "")
def test_long_metric_labels_keep_the_page_within_a_narrow_window(tmp_path):
    from selenium.webdriver.common.by import By

    out = tmp_path / "report.html"
    assert CliRunner().invoke(app, ["report", str(long_label_run(tmp_path)), "--output", str(out)]).exit_code == 0
    with chromium() as driver:
        driver.set_window_size(700, 900)
        driver.get(out.resolve().as_uri())
        page = driver.execute_script("return [document.documentElement.scrollWidth, "
                                     "document.documentElement.clientWidth]")
        assert page[0] <= page[1], page  # the page itself never scrolls sideways (wide tables scroll in place)
        captions = driver.find_elements(By.CSS_SELECTOR, "figure.chart figcaption")
        assert captions
        for caption in captions:
            box = driver.execute_script("const r = arguments[0].getBoundingClientRect(); "
                                        "const f = arguments[0].parentElement.getBoundingClientRect(); "
                                        "return [r.right, f.right, arguments[0].scrollWidth, "
                                        "arguments[0].clientWidth]", caption)
            assert box[0] <= box[1] and box[2] <= box[3], box  # the title wraps inside its figure
        assert console_errors(driver) == []
