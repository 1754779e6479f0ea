"""faithfulness-llm against a real HTTP peer (tests/llm_server.py) answering as a scripted fact checker."""

from __future__ import annotations

import json
import re
import pytest
from typer.testing import CliRunner

from bench.cli import app
from bench.metrics.faithfulness.llm_judge import FactCheckError, category_of, parse_fact_check
from bench.metrics.faithfulness.faithfulness_llm import FaithfulnessLLM
from bench.model import Cluster, Document
from bench.plugins import ItemFailure, MetricResult, ScoreItem
from bench.runner.store import read_jsonl
from conftest import write
from tests.llm_server import FakeChatServer

FAST = "backoff_base=0.01,backoff_max=0.02,retry_after_max=0.05,timeout=2,max_retries=1"
ARTICLE = ("The council approved a new budget on Monday. Taxes will rise by 2 percent. "
           "Residents protested outside the hall. The mayor promised a review next year.")
_NUMBERED = re.compile(r"^(\d+)\. (.*)$", re.M)


def checker(body) -> str:
    """A deterministic stand-in: a sentence whose content words are mostly in the prompt's articles has no error."""
    prompt = "\n".join(m["content"] for m in body["messages"])
    articles, _, tail = prompt.partition("Summary sentences:")
    sents = [m.group(2) for m in _NUMBERED.finditer(tail.split("Check each")[0])]
    words = lambda t: {w for w in re.findall(r"[a-z0-9]+", t.lower()) if len(w) > 3}  # noqa: E731
    out = []
    for i, s in enumerate(sents, 1):
        share = len(words(s) & words(articles)) / max(1, len(words(s)))
        out.append({"sentence": i, "reason": "checked", "category": "no error" if share >= 0.6 else
                    "out-of-article error"})
    return json.dumps({"sentences": out})


def cluster(*texts: str) -> Cluster:
    return Cluster("c", tuple(Document(f"d{i}", t, source=f"Outlet {i}") for i, t in enumerate(texts)), "Budget")


def judge(server, **params) -> FaithfulnessLLM:
    return FaithfulnessLLM(base_url=server.base_url, model="fact-checker", backoff_base=0.01, max_retries=1,
                           timeout=5, **params)


def test_sentences_judged_values_and_details():
    with FakeChatServer(answer=checker) as server:
        [r] = judge(server).score([ScoreItem("s", cluster(ARTICLE), (
            "The council approved a new budget on Monday. Taxes will rise by 2 percent.",
            "The mayor resigned after a corruption scandal."), ())])
    assert isinstance(r, MetricResult)
    assert [(s["bullet"], s["verdict"]) for s in r.details["sentences"]] == [
        (0, "supported"), (0, "supported"), (1, "unsupported")]
    assert r.details["sentences"][2]["error"] == "out-of-article error"
    assert r.values == {"faithfulness": 2 / 3, "contradicted": 0.0, "unsupported": 1 / 3, "judged": 1.0}
    assert r.details["chunks"] == 1


def test_long_sources_are_judged_in_chunks_and_a_fact_in_any_chunk_counts():
    filler = " ".join(f"Filler sentence number {i} about unrelated weather in another town." for i in range(60))
    src = cluster(filler + " The harbour bridge reopened after repairs on Friday.")
    with FakeChatServer(answer=checker) as server:
        [r] = judge(server, context_tokens=700, max_tokens=200).score(
            [ScoreItem("s", src, ("The harbour bridge reopened after repairs on Friday.",), ())])
        assert server.count == r.details["chunks"] > 1
        for body in server.requests:  # every request fits the window with the answer reserved
            assert sum(len(m["content"]) for m in body["messages"]) / 4 <= 700 - 200
    assert r.details["sentences"][0]["verdict"] == "supported"


def test_partial_and_broken_answers_lose_only_what_is_broken():
    answer = json.dumps({"sentences": [{"sentence": 1, "category": "Entity error", "reason": "wrong name"},
                                       {"sentence": 7, "category": "no error"}]})
    with FakeChatServer(answer=lambda body: answer) as server:
        [r] = judge(server).score([ScoreItem("s", cluster(ARTICLE), ("First claim here.", "Second claim here."), ())])
    assert [s["verdict"] for s in r.details["sentences"]] == ["contradicted", None]
    assert r.values["judged"] == 0.5 and r.values["faithfulness"] == 0.0
    assert any("out of range" in d for d in r.details["dropped"])
    with FakeChatServer(answer=lambda body: "I think it is mostly fine.") as server:
        [r] = judge(server).score([ScoreItem("s", cluster(ARTICLE), ("Taxes will rise.",), ())])
    assert isinstance(r, ItemFailure) and "no JSON" in r.reason and "mostly fine" in r.reason


def test_http_errors_and_a_window_too_small_are_failures_not_scores():
    with FakeChatServer(answer=checker) as server:
        out = judge(server).score([ScoreItem("s", cluster(ARTICLE + " [[fault:500]]"), ("Taxes will rise.",), ()),
                                   ScoreItem("s", cluster(ARTICLE), ("   ",), ())])
        assert isinstance(out[0], ItemFailure) and "500" in out[0].reason
        assert isinstance(out[1], ItemFailure) and out[1].reason == "empty summary"
        [small] = judge(server, context_tokens=300, max_tokens=256).score(
            [ScoreItem("s", cluster(ARTICLE), ("Taxes will rise.",), ())])
    assert isinstance(small, ItemFailure) and "a window of 300 tokens" in small.reason
    with pytest.raises(ValueError, match="must exceed max_tokens"):
        FaithfulnessLLM(base_url="http://127.0.0.1:1/v1", model="m", context_tokens=100, max_tokens=200)


def test_parser_reads_categories_tolerantly_and_refuses_nonsense():
    assert category_of("Out-of-Article Error") == "out_of_article" and category_of("CircE") == "circumstance"
    assert category_of("NO ERROR.") == "none" and category_of("banana") is None
    check = parse_fact_check('```json\n{"sentences": [{"sentence": "2", "category": "predicate error"},]}\n```', 2)
    assert check.categories == {1: "predicate"}
    with pytest.raises(FactCheckError):
        parse_fact_check('{"sentences": [{"sentence": 1, "category": "banana"}]}', 1)


def budget_suite(suite):
    """A suite folder: one cluster, "budget", of one article (ARTICLE) and one reference."""
    write(suite / "suite.toml", 'name = "facts"\n')
    write(suite / "budget" / "documents" / "d0.txt", f'+++\noutlet = "Reuters"\n+++\n{ARTICLE}\n')
    write(suite / "budget" / "references" / "editor.md", '+++\nauthor = "editor"\n+++\n- Taxes rise.\n')
    return suite


def test_through_the_cli_with_cache_and_accounting(tmp_path):
    suite = budget_suite(tmp_path / "suite")
    outputs = tmp_path / "out.jsonl"
    outputs.write_text(json.dumps({"system": "a", "cluster": "budget",
                                   "bullets": ["Taxes will rise by 2 percent.", "The mayor quit."]}) + "\n")
    runner = CliRunner()
    with FakeChatServer(answer=checker) as server:
        spec = f"faithfulness-llm:base_url={server.base_url},model=fact-checker,{FAST}"
        args = ["score", "--suite", str(suite), "--outputs", str(outputs), "--out", str(tmp_path / "run"),
                "--metric", spec]
        first = runner.invoke(app, args)
        assert first.exit_code == 0, first.output
        manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
        totals = next(e for e in manifest["metrics"].values() if e["name"] == "faithfulness-llm")["totals"]
        assert totals["requests_ok"] == 1 and totals["responses_fresh"] == 1 and totals["prompt_tokens"] > 0
        again = runner.invoke(app, args)  # nothing to do: the score is kept, no request sent
        assert again.exit_code == 0 and server.count == 1
        (tmp_path / "run" / "scores.jsonl").unlink()  # scored again: the answer comes from the run's cache
        third = runner.invoke(app, args)
        assert third.exit_code == 0 and server.count == 1, third.output
    [row] = read_jsonl(tmp_path / "run" / "scores.jsonl")
    assert row["values"]["faithfulness"] == 0.5


def _tok(text: str, alts: dict[str, float] | None = None) -> dict:
    import math

    alts = alts or {text: 1.0}
    return {"token": text, "logprob": math.log(alts.get(text, 1.0)),
            "top_logprobs": [{"token": t, "logprob": math.log(p)} for t, p in alts.items()]}


def test_p_no_error_from_the_category_tokens_weighed():
    from bench.metrics.faithfulness.llm_judge import combine, p_faithful

    answer = ('{"sentences": [{"sentence": 2, "reason": "x", "category": "entity error"}, '
              '{"sentence": 1, "reason": "y", "category": "no error"}, {"sentence": 9, "category": "no error"}]}')
    check = parse_fact_check(answer, 2)
    assert check.order == (1, 0, None)  # the third entry is out of range: dropped
    tokens = [_tok('{"sentences": [{"sentence": 2, "reason": "x", "category": "'),
              _tok("entity", {"entity": 0.5, "no": 0.3, "out": 0.1, "{": 0.1}),
              _tok(' error"}, {"sentence": 1, "reason": "y", "category": "'),
              _tok("no", {"no": 0.8, "other": 0.2}),
              _tok(' error"}, {"sentence": 9, "category": "'), _tok("no"), _tok(' error"}]}')]
    weighed = check.weighed(tokens)
    assert weighed.p_faithful == pytest.approx({1: 0.3 / 0.9, 0: 0.8})
    assert check.weighed(None) is check and check.weighed(tokens[:2]) is check  # no guess when they don't line up
    # over chunks: the most any chunk gives (a sentence is faithful when some chunk finds no error)
    other = parse_fact_check('{"sentences": [{"sentence": 1, "category": "no error"}]}', 2).weighed(
        [_tok('{"sentences": [{"sentence": 1, "category": "'), _tok("no", {"no": 0.4, "out": 0.6}), _tok('"}]}')])
    assert p_faithful([weighed, other], 2) == pytest.approx({0: 0.8, 1: 0.3 / 0.9})
    assert combine([weighed, other], 2)[0] == {0: "none", 1: "entity"}


def weighing(content: str) -> list[dict]:
    """Tokens of the answer, each weighed at 0.8 against "out" at 0.2 (as a server's top_logprobs)."""
    import math

    return [{"token": t, "logprob": math.log(0.8), "top_logprobs": [
        {"token": t, "logprob": math.log(0.8)}, {"token": "out", "logprob": math.log(0.2)}]}
        for t in re.findall(r"\w+|\W", content)]


def test_p_no_error_through_the_protocol_and_in_the_report(tmp_path):
    with FakeChatServer(answer=checker, logprobs=weighing) as server:
        [r] = judge(server, logprobs=True).score([ScoreItem("s", cluster(ARTICLE), (
            "The council approved a new budget on Monday.", "The mayor resigned after a corruption scandal."), ())])
        assert server.requests[0]["logprobs"] is True and server.requests[0]["top_logprobs"] == 5
        # asked of a local server by default, not when turned off
        judge(server).score([ScoreItem("s", cluster(ARTICLE), ("Taxes will rise by 2 percent.",), ())])
        assert server.requests[-1]["logprobs"] is True
        judge(server, logprobs=False).score([ScoreItem("s", cluster(ARTICLE), ("Taxes will rise by 5 percent.",), ())])
        assert "logprobs" not in server.requests[-1]
    assert [s["p_faithful"] for s in r.details["sentences"]] == pytest.approx([0.8, 0.0])
    assert r.values["p_faithful"] == pytest.approx(0.4)

    with FakeChatServer(answer=checker, logprobs=weighing) as server:
        outputs = tmp_path / "out.jsonl"
        outputs.write_text(json.dumps({"cluster": "japan-defense-trump-visit", "system": "mine", "bullets": [
            "Japan's foreign minister met Marco Rubio in Washington.", "A volcano erupted in Peru."]}) + "\n")
        runner = CliRunner()
        spec = f"faithfulness-llm:model=m,base_url={server.base_url},logprobs=true,as=judge,{FAST}"
        result = runner.invoke(app, ["score", "--outputs", str(outputs), "--out", str(tmp_path / "run"), "--metric", spec])
        assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["report", str(tmp_path / "run"), "-o", str(tmp_path / "report.html")])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "report_files" / "run0-c0.html").read_text()
    assert "P(no error) 0.00" in page  # the volcano: out-of-article, weighed in the verdict's title


def test_a_server_that_refuses_logprobs_is_asked_without_them_and_not_asked_again():
    items = [ScoreItem("s", cluster(ARTICLE), (text,), ()) for text in
             ("Taxes will rise by 2 percent.", "The mayor resigned after a corruption scandal.")]
    with FakeChatServer(answer=checker, refuse_logprobs=True) as server:
        metric = judge(server, concurrency=1)
        first, second = metric.score(items)
        # refused once (HTTP 400 naming logprobs, not retried), asked again without; the second never asks
        assert [b.get("logprobs") for b in server.requests] == [True, None, None]
        assert "'logprobs' is not supported" in metric.accounting()["logprobs_refused"]
        [strict] = judge(server, logprobs=True).score(items[:1])
    assert first.values == {"faithfulness": 1.0, "contradicted": 0.0, "unsupported": 0.0, "judged": 1.0}
    assert second.values["unsupported"] == 1.0 and "p_faithful" not in second.values
    assert isinstance(strict, ItemFailure) and "HTTP 400" in strict.reason and "logprobs" in strict.reason
