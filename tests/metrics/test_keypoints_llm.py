"""keypoints-llm through the plugin API against the local Chat Completions server:
concurrency and item order, the request cap, cut answers, items without text."""

from __future__ import annotations

import pytest

from bench.model import Reference
from bench.plugins import ItemFailure, MetricResult, RunContext, ScoreItem
from bench.plugins.discovery import discover
from tests.judge_server import judge_server, judgment
from tests.llm_server import make_cluster

FAST = "backoff_base=0.01,backoff_max=0.02,timeout=5,max_retries=1"
KPS = ("The quake hit the coast.", "Twelve people died.")


def create(server, extra: str = ""):
    return discover().metrics.create(f"keypoints-llm:base_url={server.base_url},model=m,{FAST}"
                                     + (f",{extra}" if extra else "")).instance


def item(n: int, bullets: tuple[str, ...] | None = None, refs: tuple[Reference, ...] | None = None) -> ScoreItem:
    cluster = make_cluster(f"c{n}")
    return ScoreItem("sys", cluster, bullets if bullets is not None else (f"ITEM{n} a quake hit.", f"ITEM{n} more."),
                     refs if refs is not None else (Reference(cluster.id, "editor", KPS),))


def per_item_script(n_items: int) -> dict[str, str]:
    """Item k: KP1 covered by bullet 1, KP2 covered when k is even (else not): recall 1 or 1/2."""
    return {f"ITEM{k} ": judgment(("covered", [1]), ("covered", [2]) if k % 2 == 0 else ("not", []))
            for k in range(n_items)}


def test_requests_run_concurrently_and_results_keep_item_order(tmp_path):
    with judge_server(per_item_script(8), delay_s=0.15) as server:
        metric = create(server, "concurrency=3")
        metric.open(RunContext(str(tmp_path), str(tmp_path / "cache"), max_workers=8))
        results = metric.score([item(k) for k in range(8)])
        metric.close()
        assert 2 <= server.max_in_flight <= 3 and server.count == 8
    assert [r.values["kp_recall"] for r in results] == [1.0, 0.5] * 4
    assert metric.accounting()["concurrency"] == 3 and metric.accounting()["items_ok"] == 8


def test_run_workers_bound_the_concurrency(tmp_path):
    with judge_server(per_item_script(4), delay_s=0.1) as server:
        metric = create(server, "concurrency=8")
        metric.open(RunContext(str(tmp_path), str(tmp_path / "cache"), max_workers=1))
        metric.score([item(k) for k in range(4)])
        metric.close()
        assert server.max_in_flight == 1


def test_request_cap_fails_the_rest_with_the_reason(tmp_path):
    with judge_server(per_item_script(3)) as server:
        metric = create(server, "max_requests=1,concurrency=1")
        results = metric.score([item(k) for k in range(3)])
        assert server.count == 1
    assert isinstance(results[0], MetricResult)
    for r in results[1:]:
        assert isinstance(r, ItemFailure) and "request cap reached: max_requests=1" in r.reason
    totals = metric.accounting()
    assert totals["requests_sent"] == 1 and totals["failures"] == 2 and totals["request_cap"] == 1


def test_answer_cut_by_max_tokens_is_named_in_the_reason():
    with judge_server(per_item_script(1)) as server:
        metric = create(server)
        (result,) = metric.score([item(0, bullets=("ITEM0 a quake hit. [[fault:length]]", "ITEM0 more."))])
    assert isinstance(result, ItemFailure)
    assert result.reason.startswith("reference 'editor': unusable judgment: answer is not JSON")
    assert result.reason.endswith("(answer cut by max_tokens: finish_reason=length)")
    assert metric.accounting()["truncated_by_max_tokens"] == 1


def test_items_without_text_or_references_fail_without_a_request():
    with judge_server(per_item_script(1)) as server:
        metric = create(server)
        cluster = make_cluster("c9")
        results = metric.score([item(0, bullets=(" ", "")), item(1, refs=()),
                                item(2, refs=(Reference(cluster.id, "editor", ("  ",)),))])
        assert server.count == 0
    assert [r.reason for r in results] == ["empty summary", "no reference for this cluster",
                                           "reference 'editor': the reference has no key points"]


def test_blank_bullets_are_dropped_before_numbering():
    with judge_server(per_item_script(1)) as server:
        metric = create(server)
        (result,) = metric.score([item(0, bullets=("", "ITEM0 a quake hit.", "  ", "ITEM0 more."))])
        assert "1. ITEM0 a quake hit.\n2. ITEM0 more." in server.requests[0]["messages"][-1]["content"]
    assert result.details["references"]["editor"]["bullets"] == [{"keypoints": [0]}, {"keypoints": [1]}]


def test_a_server_that_refuses_logprobs_is_asked_without_them_and_not_asked_again():
    with judge_server(per_item_script(2), refuse_logprobs=True) as server:
        metric = create(server, "concurrency=1")
        results = metric.score([item(0), item(1)])
        # refused once (HTTP 400 naming logprobs, not retried), asked again without; the second never asks
        assert [b.get("logprobs") for b in server.requests] == [True, None, None]
        assert "'logprobs' is not supported" in metric.accounting()["logprobs_refused"]
        [strict] = create(server, "logprobs=true").score([item(0)])
    assert [r.values["kp_recall"] for r in results] == [1.0, 0.5]
    assert isinstance(strict, ItemFailure) and "HTTP 400" in strict.reason and "logprobs" in strict.reason


def test_json_mode_asks_for_a_json_object():
    with judge_server(per_item_script(1)) as server:
        create(server, "json_mode=true,json_schema=false").score([item(0)])
        assert server.requests[0]["response_format"] == {"type": "json_object"}


def test_a_local_server_gets_the_answers_json_schema():
    """By default a local endpoint is sent the schema: one entry per key point, numbers in range."""
    with judge_server(per_item_script(1)) as server:
        create(server).score([item(0)])
        fmt = server.requests[0]["response_format"]
    assert fmt["type"] == "json_schema"  # this server has no llama-cpp-python tokenize route: OpenAI's form
    schema = fmt["json_schema"]["schema"]["properties"]["keypoints"]
    assert schema["minItems"] == schema["maxItems"] == 2
    assert schema["items"]["properties"]["keypoint"]["enum"] == [1, 2]
    assert schema["items"]["properties"]["bullets"]["items"]["enum"] == [1, 2]
    assert schema["items"]["properties"]["label"]["enum"] == ["covered", "partly", "not"]


@pytest.mark.parametrize("extra", ["retry_seed=9", "concurrency=2", "max_requests=5", "price_input_per_1m=3",
                                   "api_key_env=SOME_VAR", "cache=false"])
def test_operational_parameters_leave_the_signature_alone(extra):
    with judge_server() as server:
        assert create(server, extra).signature_hash() == create(server).signature_hash()


@pytest.mark.parametrize("extra", ["model2", "temperature=0.5", "max_tokens=64", "seed=3", "multi_ref=max",
                                   "json_mode=true"])
def test_what_changes_the_judgment_changes_the_signature(extra):
    with judge_server() as server:
        metric = create(server, extra) if extra != "model2" else discover().metrics.create(
            f"keypoints-llm:base_url={server.base_url},model=other,{FAST}").instance
        assert metric.signature_hash() != create(server).signature_hash()


def test_citation_markers_are_not_numbered_as_bullets():
    with judge_server(per_item_script(1)) as server:
        create(server).score([item(0, bullets=("ITEM0 a quake hit.[32][6]", "ITEM0 more. [4]"))])
        prompt = server.requests[0]["messages"][-1]["content"]
    assert "1. ITEM0 a quake hit.\n2. ITEM0 more.\n" in prompt + "\n" and "[32]" not in prompt


def test_key_points_left_unlabelled_after_asking_again_are_recorded_per_key_point():
    """The judge labels only key point 1, and answers no JSON when asked again for key point 2:
    the item keeps its one label, the rest is recorded."""
    with judge_server({KPS[0]: judgment(("covered", [1]))}, default="I cannot tell.") as server:
        metric = create(server)
        (result,) = metric.score([item(0)])
        assert server.count == 2  # the judgment, then once more for key point 2
    rows = result.details["references"]["editor"]["keypoints"]
    assert [r["label"] for r in rows] == ["covered", None] and rows[1]["covered"] is None
    assert result.details["references"]["editor"]["unjudged"] == 1
    assert result.details["references"]["editor"]["flags"] == [
        "asked again for key points 2: unusable judgment: answer is not JSON: 'I cannot tell.'"]
    assert result.values["kp_recall"] == 1.0  # over the labelled key points
    assert metric.accounting()["keypoints_unjudged"] == 1 and metric.accounting()["follow_ups"] == 1


def test_summhay_protocol_asks_once_per_key_point_and_signs_its_name():
    rules = {f"Insight:\n{KPS[0]}": '{"coverage": "full", "bullets": [1]}',
             f"Insight:\n{KPS[1]}": 'Sure: {"coverage": "PARTIAL", "bullet_id": [2, 7]}'}
    with judge_server(rules) as server:
        metric = create(server, "protocol=summhay")
        (result,) = metric.score([item(0)])
        assert server.count == 2  # one request per key point
        assert server.requests[0]["response_format"]["json_schema"]["schema"]["properties"]["coverage"]["enum"] == [
            "full", "partial", "no"]
        finesure = create(server)
    rows = result.details["references"]["editor"]["keypoints"]
    assert [(r["label"], r["bullets"]) for r in rows] == [("covered", [0]), ("partly", [1])]
    assert result.details["references"]["editor"]["flags"] == [
        "key point 2: bullet 7 for key point 1 is out of range (the summary has 2; numbers start at 1; dropped)"]
    assert metric.signature()["protocol"] == "summhay" and "SummHay" in metric.signature()["method"]
    assert metric.signature_hash() != finesure.signature_hash()


def test_summhay_protocol_loses_only_the_key_point_whose_answer_is_unusable():
    with judge_server({f"Insight:\n{KPS[0]}": '{"coverage": "no", "bullets": []}'}, default="Hmm.") as server:
        metric = create(server, "protocol=summhay")
        (result,) = metric.score([item(0)])
    ref = result.details["references"]["editor"]
    assert [r["label"] for r in ref["keypoints"]] == ["not", None] and ref["unjudged"] == 1
    assert ref["flags"] == ["key point 2: unusable judgment: answer is not JSON: 'Hmm.'"]


@pytest.mark.parametrize("protocol", ["finesure", "summhay"])
def test_builtin_prompts_put_what_varies_last_so_servers_reuse_the_prefix(protocol):
    """Local servers (llama.cpp, vLLM) reuse the computed prefix of the previous prompt: the
    SummHay protocol's requests for one summary differ only in their last part (the key point),
    FineSurE's requests for one cluster share the key points before the summary."""
    from bench.llm.prompt import load_template
    from bench.metrics.keypoints.judge import REQUIRED, REQUIRED_ONE, judge_messages
    from bench.metrics.keypoints.keypoints_llm import PROMPTS, PROMPTS_DIR

    template = load_template(PROMPTS[protocol], PROMPTS_DIR, REQUIRED if protocol == "finesure" else REQUIRED_ONE)
    bullets = ("The quake hit the coast on Monday.", "Rescuers searched the rubble.")
    if protocol == "summhay":
        a, b = (judge_messages(template, [kp], bullets)[-1]["content"] for kp in KPS)
        shared = a[:next(i for i, (x, y) in enumerate(zip(a, b)) if x != y)]
        assert all(bl in shared for bl in bullets) and a.rstrip().endswith(KPS[0])
    else:
        a, b = (judge_messages(template, KPS, [bl])[-1]["content"] for bl in bullets)
        shared = a[:next(i for i, (x, y) in enumerate(zip(a, b)) if x != y)]
        assert all(kp in shared for kp in KPS)
