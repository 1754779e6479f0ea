"""rubric-llm against a real HTTP peer on 127.0.0.1 (tests/llm_server.py) answering as a scripted rater,
with token log-probabilities in OpenAI's shape where asked."""

from __future__ import annotations

import json
import math
import re

import pytest
from typer.testing import CliRunner

from bench.cli import app
from bench.errors import PluginError
from bench.metrics.rubric.criteria import BUILTIN, load_criteria
from bench.metrics.rubric.score import OffScale, read_score
from bench.metrics.rubric.rubric_llm import RubricLLM
from bench.model import Cluster, Document, Reference
from bench.plugins import ItemFailure, MetricResult, ScoreItem
from bench.runner.store import read_jsonl
from tests.llm_server import FakeChatServer
from tests.metrics.test_faithfulness_llm import ARTICLE, budget_suite

SUMMARY = ("The council approved a budget.", "Taxes will rise by 2 percent.")
CRITERION = re.compile(r"Criterion: (\w+), rated from")
PLAIN = """
[criteria.plain_words]
definition = "The summary uses words a general reader knows, or explains them."
scale = [0, 3]
low = "jargon and abbreviations left unexplained"
high = "every word is plain or explained"
steps = ["Read the reference.", "Read the summary.", "Mark unexplained jargon."]
reference = true
"""


def criterion_of(body) -> str:
    return CRITERION.search(body["messages"][-1]["content"]).group(1)


def tokens(alternatives: dict[str, dict[str, float]]):
    """content -> the answer's tokens (one a character), those named weighed against alternatives."""
    def make(content: str) -> list[dict]:
        out = []
        for ch in content:
            alts = alternatives.get(ch, {ch: 1.0})
            out.append({"token": ch, "logprob": math.log(alts.get(ch, 1.0)),
                        "top_logprobs": [{"token": t, "logprob": math.log(p)} for t, p in alts.items()]})
        return out
    return make


def item(summary=SUMMARY, article=ARTICLE, cid="c") -> ScoreItem:
    cluster = Cluster(cid, (Document(f"{cid}-d0", article, source="Reuters"),), "Budget")
    return ScoreItem("s", cluster, summary, (Reference(cid, "editor", ("The council passed a budget; taxes rise.",)),))


def judge(server, **params) -> RubricLLM:
    return RubricLLM(base_url=server.base_url, model="rater", backoff_base=0.01, max_retries=1, timeout=5, **params)


def test_probability_weighted_mean_over_the_scale_where_the_server_returns_logprobs():
    weighed = tokens({"4": {"4": 0.6, " 3": 0.2, "3": 0.1, "The": 0.1}})
    with FakeChatServer(answer=lambda body: "4", logprobs=weighed) as server:
        [r] = judge(server).score([item()])
        assert server.count == 4  # one request per criterion
        assert all(b["logprobs"] is True and b["top_logprobs"] == 20 and b["temperature"] == 0 for b in server.requests)
        # a local server gets the answer's schema: only the scale's values (llama.cpp and vLLM enforce it)
        assert server.requests[0]["response_format"]["json_schema"]["schema"] == {"type": "integer",
                                                                                 "enum": [1, 2, 3, 4, 5]}
        judge(server, criteria="fluency", json_schema=False).score([item(cid="other")])
        assert "response_format" not in server.requests[-1]
    assert isinstance(r, MetricResult)
    assert r.values == pytest.approx({c: (4 * 0.6 + 3 * 0.3) / 0.9 for c in BUILTIN})
    rating = r.details["criteria"]["coherence"]
    assert rating["method"] == "logprobs" and rating["answer"] == "4" and rating["answer_score"] == 4
    assert rating["scale_mass"] == pytest.approx(0.9)
    assert rating["distribution"] == pytest.approx({"1": 0, "2": 0, "3": 1 / 3, "4": 2 / 3, "5": 0})
    assert rating["requests"] == [{"seconds": rating["requests"][0]["seconds"], "cached": False, "attempts": 1}]


def test_the_mean_of_samples_where_the_server_returns_no_logprobs():
    def by_seed(body) -> str:  # the greedy answer, then samples answering by their seed
        return "5" if body["temperature"] == 0 else f"Score: {[2, 3, 4, 4, 5][body['seed']]}"

    with FakeChatServer(answer=by_seed) as server:
        [r] = judge(server, criteria="fluency").score([item()])
        # asked once for log-probabilities (none came back), then 5 samples at temperature 1, seeds 0-4
        assert [(b.get("logprobs"), b["temperature"], b["seed"]) for b in server.requests] == [
            (True, 0.0, 0), *[(None, 1.0, k) for k in range(5)]]
        rating = r.details["criteria"]["fluency"]
        assert r.values == {"fluency": pytest.approx(3.6)} and rating["method"] == "samples"
        assert [s["answer"] for s in rating["samples"]] == [f"Score: {k}" for k in (2, 3, 4, 4, 5)]
        assert "no log-probabilities" in rating["note"] and rating["off_scale"] == 0
        [again] = judge(server, criteria="fluency", method="samples", samples=2).score([item(cid="d")])
        assert [b.get("logprobs") for b in server.requests[6:]] == [None, None]  # never asked
        assert again.values == {"fluency": 2.5}
        [strict] = judge(server, criteria="fluency", method="logprobs").score([item(cid="e")])
        assert isinstance(strict, ItemFailure) and "no log-probabilities" in strict.reason


def test_a_server_that_refuses_logprobs_is_rated_by_samples_and_not_asked_again():
    def by_seed(body) -> str:
        return f"{[2, 3, 4, 4, 5][body['seed']]}"

    with FakeChatServer(answer=by_seed, refuse_logprobs=True) as server:
        metric = judge(server, criteria="fluency")
        first, second = metric.score([item(), item(cid="d")])
        # refused once (HTTP 400: not retried), then samples; the second summary goes straight to samples
        assert [b.get("logprobs") for b in server.requests] == [True] + [None] * 10
        # kept by the session: in the judge's accounting, so said under the table and in the report
        assert metric.accounting()["logprobs_refused"].startswith("HTTP 400: ")
        assert "not supported" in metric.accounting()["logprobs_refused"]
        for r in (first, second):
            rating = r.details["criteria"]["fluency"]
            assert r.values == {"fluency": pytest.approx(3.6)} and rating["method"] == "samples"
            assert "refused log-probabilities (HTTP 400" in rating["note"] and "not supported" in rating["note"]
        assert first.details["criteria"]["fluency"]["requests"][0]["error"].startswith("HTTP 400")
        [strict] = judge(server, criteria="fluency", method="logprobs").score([item(cid="e")])
    assert isinstance(strict, ItemFailure) and "HTTP 400" in strict.reason and "logprobs" in strict.reason


def test_an_answer_off_the_scale_is_that_criterions_recorded_failure():
    answers = {"coherence": "7", "consistency": "I would say it is good.", "fluency": "3.5", "relevance": "Relevance (1-5): 4"}
    with FakeChatServer(answer=lambda body: answers[criterion_of(body)], logprobs=tokens({})) as server:
        [r] = judge(server).score([item()])
    assert r.values == {"relevance": 4.0}  # the others are no number
    failed = r.details["criteria"]
    assert failed["coherence"]["error"] == "answer off the scale: 7 is off the scale 1-5: '7'"
    assert failed["coherence"]["answer"] == "7" and "score" not in failed["coherence"]
    assert "no score in the answer" in failed["consistency"]["error"] and "it is good" in failed["consistency"]["error"]
    assert "3.5 is off the scale" in failed["fluency"]["error"]
    with FakeChatServer(answer=lambda body: "9", logprobs=tokens({})) as server:
        [whole] = judge(server, criteria="coherence+fluency").score([item()])
        samples = judge(server, criteria="coherence", method="samples", samples=3).score([item(cid="x")])
    assert isinstance(whole, ItemFailure)
    assert whole.reason == ("coherence: answer off the scale: 9 is off the scale 1-5: '9'; "
                            "fluency: answer off the scale: 9 is off the scale 1-5: '9'")
    assert isinstance(samples[0], ItemFailure) and "3 of 3 sampled answers off the scale" in samples[0].reason


def test_reading_the_stated_score():
    c = BUILTIN["coherence"]
    assert read_score("4", c).score == 4 and read_score("Coherence (1-5): 2", c).score == 2
    assert read_score("Score: 4/5", c).score == 4 and read_score("<think>maybe 1</think> 3.", c).score == 3
    for answer in ("", "0", "6", "4.5", "-1", "five"):
        with pytest.raises(OffScale):
            read_score(answer, c)


def test_a_criterion_of_ones_own_from_toml_with_the_reference_in_the_prompt(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(PLAIN)
    with FakeChatServer(answer=lambda body: "2", logprobs=tokens({"2": {"2": 0.5, "3": 0.5}})) as server:
        metric = judge(server, criteria_file=str(path), criteria="plain_words+fluency")
        assert metric.headline == ("plain_words", "fluency")
        [r] = metric.score([item()])
        prompts = {criterion_of(b): b["messages"][-1]["content"] for b in server.requests}
        unreferenced = ScoreItem("s", item().cluster, SUMMARY, ())
        [alone, empty] = metric.score([unreferenced, item(summary=("  ",))])
    assert r.values == {"plain_words": 2.5, "fluency": 2.5}
    assert alone.values == {"fluency": 2.5} and isinstance(empty, ItemFailure) and empty.reason == "empty summary"
    assert alone.details["criteria"]["plain_words"]["error"] == "no reference for this cluster (the criterion shows it)"
    mine = prompts["plain_words"]
    assert "Criterion: plain_words, rated from 0 to 3." in mine and "uses words a general reader" in mine
    assert "- 0 means: jargon" in mine and "3. Mark unexplained jargon." in mine
    assert "Reference summary, written by a person:\nThe council passed a budget; taxes rise." in mine
    assert "Source article (Budget):\n[Document 1] Reuters\n" + ARTICLE in mine
    assert "Reference summary" not in prompts["fluency"] and ARTICLE not in prompts["fluency"]  # fluency: no sources
    assert r.details["criteria"]["plain_words"]["distribution"] == {"0": 0, "1": 0, "2": 0.5, "3": 0.5}
    signature = metric.signature()
    assert [c["name"] for c in signature["criteria"]] == ["plain_words", "fluency"]
    path.write_text(PLAIN.replace("general reader", "reader"))  # its content, not its path, counts
    assert judge(server, criteria_file=str(path)).signature_hash() != metric.signature_hash()
    assert judge(server, criteria_file=str(path)).headline == ("plain_words",)  # default: the file's criteria


def test_a_scale_with_two_digit_values_is_rated_by_samples(tmp_path):
    path = tmp_path / "wide.toml"
    path.write_text(PLAIN.replace("[0, 3]", "[1, 10]"))
    with FakeChatServer(answer=lambda body: "10", logprobs=tokens({})) as server:
        [r] = judge(server, criteria_file=str(path), samples=2).score([item()])
        assert all("logprobs" not in b for b in server.requests) and server.count == 2
    assert r.values == {"plain_words": 10.0} and r.details["criteria"]["plain_words"]["method"] == "samples"
    with pytest.raises(ValueError, match="one-digit scales only; plain_words is rated 1-10"):
        judge(server, criteria_file=str(path), method="logprobs")


@pytest.mark.parametrize("text, where, message", [
    ("[criteria.x]\ndefinition = 1", "criteria.x.definition", "required: a non-empty string"),
    (PLAIN.replace("[0, 3]", "[3, 1]"), "criteria.plain_words.scale", "two whole numbers [low, high]"),
    (PLAIN.replace("[0, 3]", "[1.0, 5.0]"), "criteria.plain_words.scale", "two whole numbers"),
    (PLAIN.replace("steps =", "stpes ="), "criteria.plain_words.stpes", "unknown field"),
    (PLAIN.replace("reference = true", "reference = \"yes\""), "criteria.plain_words.reference", "true or false"),
    (PLAIN.replace('"jargon and abbreviations left unexplained"', '"  "'), "criteria.plain_words.low",
     "what the scale's end means"),
    (PLAIN.replace("[criteria.plain_words]", "[criteria.Plain-words]"), "criteria.Plain-words", "lower-case"),
    ("[criterion.x]\n", "", "unknown table 'criterion'"),
    ("[criteria.x\n", "", "not valid TOML"),
    ("", "", "no criteria"),
])
def test_a_bad_criteria_file_is_one_error_naming_the_file_and_the_field(tmp_path, text, where, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(PluginError) as caught:
        load_criteria(path)
    assert caught.value.where == (f"{path}: {where}" if where else str(path)) and message in caught.value.message


def test_a_bad_criteria_file_through_the_cli_exits_1_with_one_line(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(PLAIN.replace("[0, 3]", "[0, 300]"))
    result = CliRunner().invoke(app, ["run", "-q", "--system", "lead", "--out", str(tmp_path / "run"), "--metric",
                                      f"rubric-llm:model=m,base_url=http://127.0.0.1:9/v1,criteria_file={path}"])
    assert result.exit_code == 1, result.output
    assert f"{path}: criteria.plain_words.scale: must be two whole numbers" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(app, ["run", "-q", "--system", "lead", "--out", str(tmp_path / "run2"), "--metric",
                                      "rubric-llm:model=m,base_url=http://127.0.0.1:9/v1,criteria=coherance"])
    assert result.exit_code in (1, 2) and "unknown criterion 'coherance'. Did you mean: coherence?" in result.output


def test_a_long_cluster_is_fitted_to_the_window_with_the_answer_reserved():
    filler = " ".join(f"Filler sentence number {i} about unrelated weather in another town." for i in range(200))
    long_item = item(article=ARTICLE + " " + filler)
    with FakeChatServer(answer=lambda body: "3", logprobs=tokens({})) as server:
        [r] = judge(server, criteria="coherence", context_tokens=600).score([long_item])
        [body] = server.requests
    prompt = r.details["criteria"]["coherence"]["prompt"]
    assert prompt["documents_truncated"] == 1 and prompt["reserved_for_answer"] == 16
    assert prompt["context_tokens"] == 600 and prompt["context_source"] == "context_tokens="
    assert sum(len(m["content"]) for m in body["messages"]) / 4 <= 600 - 16
    assert ARTICLE in body["messages"][-1]["content"] and "Summary to rate:" in body["messages"][-1]["content"]


def test_a_server_that_refuses_names_its_window_and_the_prompt_is_refitted():
    filler = " ".join(f"Filler sentence number {i} about unrelated weather in another town." for i in range(300))
    items = [item(article=ARTICLE + " " + filler, cid=f"c{k}") for k in range(2)]
    with FakeChatServer(answer=lambda body: "3", logprobs=tokens({}), window=900) as server:
        metric = judge(server, criteria="coherence", context_tokens=4000)
        first, second = metric.score(items)
        assert server.count == 3  # refused once, refitted and asked again; the next one fitted from the start
        assert metric.accounting()["context_tokens"] == 900
    assert first.values == second.values == {"coherence": 3.0}
    assert [e.get("error", "")[:16] for e in first.details["criteria"]["coherence"]["requests"]] == [
        "HTTP 400 (not re", ""]
    assert second.details["criteria"]["coherence"]["prompt"]["context_tokens"] == 900


def test_through_the_cli_cached_accounted_and_named_per_criterion(tmp_path):
    suite = budget_suite(tmp_path / "suite")
    outputs = tmp_path / "out.jsonl"
    outputs.write_text("".join(json.dumps({"system": s, "cluster": "budget", "bullets": [*SUMMARY, f"By {s}."]})
                               + "\n" for s in ("a", "b")))
    runner = CliRunner()
    with FakeChatServer(answer=lambda body: "4" if criterion_of(body) != "fluency" else "6",
                        logprobs=tokens({"4": {"4": 0.5, "5": 0.5}})) as server:
        spec = f"rubric-llm:base_url={server.base_url},model=rater,backoff_base=0.01,max_retries=1,timeout=5"
        args = ["score", "--suite", str(suite), "--outputs", str(outputs), "--out", str(tmp_path / "run"),
                "--metric", spec]
        first = runner.invoke(app, args)
        assert first.exit_code == 0, first.output
        assert server.count == 8  # 2 summaries x 4 criteria
        (tmp_path / "run" / "scores.jsonl").unlink()  # scored again: every answer from the run's cache
        again = runner.invoke(app, args)
        assert again.exit_code == 0 and server.count == 8, again.output
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    entry = next(e for e in manifest["metrics"].values() if e["name"] == "rubric-llm")
    assert entry["headline"] == ["coherence", "consistency", "fluency", "relevance"]
    totals = entry["totals_last"]  # the rerun's ("totals": summed over both)
    assert totals["cache_hits"] == 8 and totals["requests_sent"] == 0 and entry["totals"]["requests_sent"] == 8
    assert totals["ratings_ok"] == 6 and totals["ratings_failed"] == 2 and totals["off_scale_answers"] == 2
    rows = list(read_jsonl(tmp_path / "run" / "scores.jsonl"))
    assert [r["values"] for r in rows] == [{"coherence": 4.5, "consistency": 4.5, "relevance": 4.5}] * 2
    assert rows[0]["details"]["criteria"]["fluency"]["error"].startswith("answer off the scale: 6 is off")
    table = runner.invoke(app, ["table", str(tmp_path / "run")])
    assert table.exit_code == 0 and "coherence" in table.output, table.output
    # the criterion that failed everywhere keeps its row, with no number and the reason under the table
    cells, header = [], []
    for words in (line.split() for line in table.output.splitlines()):
        header = words if words[:2] == ["system", "n"] else header  # the table may come in parts
        if words[:1] in (["a"], ["b"]) and "fluency" in header:
            cells.append(words[header.index("fluency")])
    assert cells == ["—", "—"], table.output
    assert "a: 1 without fluency: answer off the scale: 6 is off" in table.output, table.output
    report = runner.invoke(app, ["report", str(tmp_path / "run"), "--output", str(tmp_path / "report.html")])
    assert report.exit_code == 0, report.output  # the report's leaderboard says why too
    assert "1 without fluency: answer off the scale: 6 is off" in (tmp_path / "report.html").read_text()
    assert max(len(line) for line in table.output.splitlines()) <= 80
