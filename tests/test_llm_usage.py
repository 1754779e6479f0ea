"""LLM usage (requests, cache hits, tokens, cost, failures per LLM system and judge) under `sumbench table`
in every format and in the report, summed over resumes; the text block fits 80 columns."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.cli import app
from bench.usage import llm_usage
from browser import chromium, console_errors, missing_reason
from conftest import REPO
from tests.judge_server import ScriptedJudge
from tests.llm_server import FakeChatServer
from tests.test_llm_cli import news_suite

runner = CliRunner()
FAST = "backoff_base=0.01,backoff_max=0.02,timeout=5,max_retries=1"
PRICES = "price_input_per_1m=0.15,price_output_per_1m=0.6"


def answer(body: dict) -> str:
    """The judge model gets a scripted judgment, the summarizer its bullets."""
    return ScriptedJudge()(body) if body["model"] == "judge" else FakeChatServer.answer(body)


def invoke(*args: str, columns: int = 80) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.stdout


@pytest.fixture(scope="module")
def resumed_run(tmp_path_factory) -> Path:
    """lead and an llm system judged by keypoints-llm; the llm fails 'vote' on the first invocation
    (HTTP 500 twice) and the rerun completes it."""
    root = tmp_path_factory.mktemp("usage")
    suite, out = news_suite(root / "suite", {"vote": "[[fault:500:2]]"}), root / "run"
    with FakeChatServer(answer=answer) as server:
        args = ["run", "-q", "--suite", str(suite), "--system", "lead",
                "--system", f"llm:model=gpt-test,base_url={server.base_url},{FAST},{PRICES},as=gpt",
                "--metric", "rouge", "--metric", f"keypoints-llm:model=judge,base_url={server.base_url},{FAST},as=kpj",
                "--out", str(out)]
        invoke(*args)
        invoke(*args)
    return out


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


def test_usage_adds_up_over_the_resume(resumed_run):
    m = manifest(resumed_run)
    gpt, kpj = llm_usage(m)
    assert (gpt.label, gpt.kind, gpt.model, kpj.label, kpj.kind) == ("gpt", "system", "gpt-test", "kpj", "judge")
    # first invocation: quake 1 request, vote 2 (both HTTP 500) -> failed; the rerun: vote once
    assert (gpt.requests, gpt.retries, gpt.failures, gpt.cache_hits) == (4, 1, 1, 0)
    assert gpt.prompt_tokens == m["systems"]["gpt"]["totals"]["prompt_tokens"] > 0
    assert gpt.cost_usd == pytest.approx((gpt.prompt_tokens * 0.15 + gpt.completion_tokens * 0.6) / 1e6)
    # the judge: 3 summaries the first time (gpt's vote had none); lead's vote bullets carry the fault marker,
    # so its judgment failed too (2 requests) and was asked again on the rerun, with gpt's vote
    assert (kpj.requests, kpj.retries, kpj.failures, kpj.cost_usd) == (6, 1, 1, None)
    assert kpj.prompt_tokens == m["metrics"]["kpj"]["totals"]["prompt_tokens"] > 0


def test_text_table_has_a_usage_block_that_fits_80_columns(resumed_run):
    text = invoke("table", str(resumed_run), columns=80)
    assert all(len(line) <= 80 for line in text.splitlines()), text
    block = text[text.index("LLM usage, summed over the run's invocations:"):]
    gpt, kpj = llm_usage(manifest(resumed_run))
    rows = {line.split()[0]: line.split() for line in block.splitlines() if line.split()[:1] in (["gpt"], ["kpj"])}
    assert rows["gpt"] == ["gpt", "4", "0", f"{gpt.prompt_tokens:,}", f"{gpt.completion_tokens:,}",
                           f"{gpt.cost_usd:.4f}", "1"]
    assert rows["kpj"] == ["kpj", "(judge)", "6", "0", f"{kpj.prompt_tokens:,}", f"{kpj.completion_tokens:,}", "—", "1"]
    assert "sent: HTTP requests, retries included" in block
    narrow = invoke("table", str(resumed_run), columns=40)  # too narrow for the table: one line each, still fits
    narrow = narrow[narrow.index("LLM usage"):]
    assert all(len(line) <= 40 for line in narrow.splitlines()), narrow
    assert "gpt: 4 sent, 0 cached" in narrow


def test_markdown_json_and_csv(resumed_run):
    md = invoke("table", str(resumed_run), "--format", "markdown")
    assert "**LLM usage**" in md and "| gpt | 4 | 0 |" in md and "| kpj (judge) | 6 | 0 |" in md
    rows = json.loads(invoke("table", str(resumed_run), "--format", "json"))
    by = {(r["system"], r["metric"]): r for r in rows}
    assert by["lead", "rouge1"]["usage"] is None  # neither asked an LLM
    assert by["gpt", "rouge1"]["usage"]["system"]["requests"] == 4 and by["gpt", "rouge1"]["usage"]["judge"] is None
    assert by["lead", "kp_recall"]["usage"] == {"system": None, "judge": by["gpt", "kp_recall"]["usage"]["judge"]}
    assert by["gpt", "kp_recall"]["usage"]["judge"]["label"] == "kpj"
    table = invoke("table", str(resumed_run), "--format", "csv")
    header = next(csv.reader(io.StringIO(table)))
    assert "usage" not in header and "LLM usage" not in table  # a plain table


def test_a_run_without_llms_has_no_usage_block(tmp_path):
    out = tmp_path / "run"
    text = invoke("run", "-q", "--suite", str(news_suite(tmp_path / "suite")), "--system", "lead", "--metric", "rouge",
                  "--out", str(out))
    assert "LLM usage" not in text and "LLM usage" not in invoke("table", str(out), "--format", "markdown")


def test_report_has_an_llm_usage_section(resumed_run, tmp_path):
    report = tmp_path / "report.html"
    invoke("report", str(resumed_run), "-o", str(report))
    html = report.read_text()
    section = html[html.index('id="run0-usage"'):html.index('id="run0-problems"')]
    gpt, kpj = llm_usage(manifest(resumed_run))
    assert "<th scope=\"row\">gpt</th><td>system</td><td class=\"model\">gpt-test</td>" in section
    assert f">{gpt.prompt_tokens:,}<" in section and f">{gpt.cost_usd:.4f}<" in section
    assert "<th scope=\"row\">kpj</th><td>judge</td>" in section and f">{kpj.prompt_tokens:,}<" in section
    if missing_reason() is None:  # as a person sees it: no error, the table within the page, names readable
        artifacts = REPO / "test-artifacts"
        artifacts.mkdir(exist_ok=True)
        with chromium() as driver:
            driver.set_window_size(1024, 900)
            driver.get(report.resolve().as_uri() + "#run0-usage")
            driver.save_screenshot(str(artifacts / "report-llm-usage.png"))
            assert console_errors(driver) == []
            label_width, table_right, page = driver.execute_script(
                "const t = document.querySelector('table.usage');"
                "return [t.querySelector('th[scope=row]').getBoundingClientRect().width,"
                " t.parentElement.getBoundingClientRect().right, document.documentElement.clientWidth];")
            assert table_right <= page and label_width >= 30
