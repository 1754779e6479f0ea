"""rubric-llm against a real llama.cpp server with a real model (SmolLM2-135M; tests/llama_server.py).

The model is tiny: these tests check what the harness does with a real server's
answers and log-probabilities (every rating a number on the scale or a recorded
failure quoting the answer), not the quality of the ratings.
"""

from __future__ import annotations

import pytest

from bench.model import Cluster, Document, Reference
from bench.plugins import ItemFailure, MetricResult, RunContext, ScoreItem
from bench.plugins.discovery import discover
from tests.llama_server import LlamaServer, llama_server  # noqa: F401 (fixture)
from tests.metrics.test_rubric_llm import PLAIN
from tests.test_llm_real_server import params

ARTICLE = ("The city council approved a new budget on Monday after a long debate. Property taxes will rise by "
           "2 percent next year to pay for road repairs. Dozens of residents protested outside the town hall. "
           "The mayor promised to review the tax rise next spring.")
SUMMARY = ("The city council approved a new budget on Monday.", "Property taxes will rise by 2 percent.")


def item() -> ScoreItem:
    cluster = Cluster("budget", (Document("d0", ARTICLE, source="Reuters"),), "Budget")
    return ScoreItem("s", cluster, SUMMARY, (Reference("budget", "editor", ("The council passed a budget.",)),))


def rate(server: LlamaServer, tmp_path, extra: str) -> tuple[MetricResult | ItemFailure, dict]:
    metric = discover().metrics.create("rubric-llm:" + params(server, "max_tokens=8," + extra)).instance
    metric.open(RunContext(run_dir=str(tmp_path), cache_dir=str(tmp_path / "cache")))
    try:
        [result] = metric.score([item()])
    finally:
        metric.close()
    return result, metric.accounting()


def test_built_in_and_toml_criteria_weighted_by_the_servers_logprobs_and_cached(llama_server, tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(PLAIN)
    spec = f"criteria=fluency+coherence+plain_words,criteria_file={path}"
    result, totals = rate(llama_server, tmp_path, spec)
    # a local server gets the scale as a grammar: every answer is one of its values, weighed by the
    # log-probabilities llama.cpp returns (those of the model's own distribution, before the grammar)
    assert isinstance(result, MetricResult) and set(result.values) == {"fluency", "coherence", "plain_words"}
    for name, low, high in (("fluency", 1, 5), ("coherence", 1, 5), ("plain_words", 0, 3)):
        r = result.details["criteria"][name]
        assert r["method"] == "logprobs" and low <= r["score"] <= high and result.values[name] == r["score"]
        assert 0 < r["scale_mass"] <= 1 and sum(r["distribution"].values()) == pytest.approx(1, abs=1e-5)
        assert r["answer"].strip() == str(r["answer_score"]) and len(r["distribution"]) == high - low + 1
    assert totals["rated_by_logprobs"] == 3 and totals["requests_sent"] == 3 and totals["server"]["tokenize"]
    again, totals = rate(llama_server, tmp_path, spec)  # a rerun: every answer from the cache
    assert again.values == result.values and totals["requests_sent"] == 0 and totals["cache_hits"] == 3


def test_the_sampling_path_on_the_real_server(llama_server, tmp_path):
    result, totals = rate(llama_server, tmp_path, "criteria=relevance,method=samples,samples=3")
    r = result.details["criteria"]["relevance"]
    assert r["method"] == "samples" and len(r["samples"]) == 3 and "logprobs" not in str(r["requests"])
    scores = [s["score"] for s in r["samples"]]
    assert all(s in range(1, 6) for s in scores) and result.values["relevance"] == pytest.approx(sum(scores) / 3)
    assert totals["requests_sent"] == 3 and totals["rated_by_samples"] == 1 and totals["rated_by_logprobs"] == 0


def test_an_off_scale_answer_of_the_real_model_is_a_recorded_failure(llama_server, tmp_path):
    """Without the grammar the tiny model writes words, not a score: each such answer is that criterion's
    recorded failure quoting it, never a number."""
    result, totals = rate(llama_server, tmp_path, "json_schema=false")
    ratings = result.details["criteria"] if isinstance(result, MetricResult) else {}
    failed = [name for name in ("coherence", "consistency", "fluency", "relevance")
              if name not in getattr(result, "values", {})]
    assert failed and totals["off_scale_answers"] >= len(failed)
    for name in failed:
        if ratings:  # some rated: the failures are in the details, each with its raw answer
            assert ratings[name]["error"].startswith("answer off the scale: ") and ratings[name]["answer"]
            assert repr(" ".join(ratings[name]["answer"].split()))[:20] in ratings[name]["error"]
        else:  # none rated: the item's failure names each criterion's
            assert isinstance(result, ItemFailure) and f"{name}: answer off the scale: " in result.reason
    for name, value in getattr(result, "values", {}).items():
        assert 1 <= value <= 5 and ratings[name]["method"] == "logprobs"


def test_a_schema_in_openais_form_is_sent_again_in_the_form_llama_cpp_python_named(llama_server):
    """Where the server was not recognised (its probe went unanswered while it was busy), a judge sends
    OpenAI's ``json_schema`` response format; llama-cpp-python refuses it (HTTP 500 naming 'json_object'):
    the session sends it again in that form, and from then on."""
    from bench.llm.judge_format import response_format
    from bench.llm.session import ChatParams, ChatSession
    from tests.llama_server import MODEL

    session = ChatSession(ChatParams(model=MODEL, base_url=llama_server.base_url, max_retries=1, backoff_base=0.01,
                                     max_tokens=4, temperature=0), None, True)
    schema = {"type": "integer", "enum": [1, 2, 3, 4, 5]}
    body = session.body([{"role": "user", "content": "Rate from 1 to 5: the sky is blue."}],
                        response_format=response_format(schema, None, "score"))
    assert body["response_format"]["type"] == "json_schema" and not session.schema_as_json_object
    fetched = session.fetch(body)
    assert fetched.response.content.strip() in {"1", "2", "3", "4", "5"} and session.schema_as_json_object
    again = session.fetch(session.body([{"role": "user", "content": "Rate from 1 to 5: grass is green."}],
                                       response_format=response_format(schema, None, "score")))
    assert again.response.content.strip() in {"1", "2", "3", "4", "5"}
    assert session.totals.snapshot()["retries"] == 1  # the refusal was retried once (a 500), then never sent again
