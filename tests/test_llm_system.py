"""The llm system against a real HTTP server on 127.0.0.1, faults included."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bench.budget import Budget
from bench.plugins import RunContext, SummaryTask, SystemOutput
from bench.plugins.discovery import discover
from tests.llm_server import FakeChatServer, chat_server, free_port, make_cluster  # noqa: F401 (fixtures)

FAST = "backoff_base=0.01,backoff_max=0.02,retry_after_max=0.05,timeout=2"
BUDGET = Budget(words=60, bullets=5)


def make_llm(base_url: str, extra: str = ""):
    params = dict(kv.split("=", 1) for kv in f"model=test-model,base_url={base_url},{FAST},{extra}".split(",") if kv)
    return discover().systems.create("llm:" + ",".join(f"{k}={v}" for k, v in params.items())).instance


def run(system, clusters, tmp_path: Path, refresh: bool = False) -> dict[str, SystemOutput | BaseException]:
    system.open(RunContext(run_dir=str(tmp_path / "run"), cache_dir=str(tmp_path / "cache"), refresh=refresh))
    try:
        tasks = [SummaryTask(c, BUDGET) for c in clusters]
        return {task.cluster.id: out for task, out in system.summarize_many(tasks)}
    finally:
        system.close()


def test_bullets_parsed_and_meta_recorded(chat_server, tmp_path):
    out = run(make_llm(chat_server.base_url), [make_cluster("a")], tmp_path)["a"]
    assert isinstance(out, SystemOutput)
    assert out.bullets == ("Reuters: Reuters reports that event a happened on day 0.",
                           "AP: AP reports that event a happened on day 1.")
    meta = out.meta
    assert meta["model"] == "test-model-2024-07-18" and meta["model_requested"] == "test-model"
    assert meta["finish_reason"] == "stop" and meta["truncated_by_max_tokens"] is False
    assert meta["usage"]["prompt_tokens"] > 0 and meta["latency_s"] >= 0
    assert len(meta["prompt_hash"]) == 16 and meta["cached"] is False and meta["attempts"] == 1
    assert meta["cost_usd"] is None  # no price table configured
    body = chat_server.requests[0]
    assert body["model"] == "test-model" and body["temperature"] == 0.0 and body["seed"] == 0
    assert "Reuters" in body["messages"][-1]["content"] and "at most 5 bullets" in body["messages"][-1]["content"]


def test_second_run_sends_zero_requests_and_refresh_bypasses_cache(chat_server, tmp_path):
    clusters = [make_cluster(c) for c in "abc"]
    first = run(make_llm(chat_server.base_url), clusters, tmp_path)
    assert chat_server.count == 3
    llm = make_llm(chat_server.base_url)
    second = run(llm, clusters, tmp_path)
    assert chat_server.count == 3  # zero new requests
    assert {k: v.bullets for k, v in second.items()} == {k: v.bullets for k, v in first.items()}
    assert all(v.meta["cached"] for v in second.values())
    assert llm.run_meta()["cache_hits"] == 3 and llm.run_meta()["requests_sent"] == 0
    run(make_llm(chat_server.base_url), clusters, tmp_path, refresh=True)
    assert chat_server.count == 6  # refresh re-asks every cluster
    # a different parameter is a different cache key
    run(make_llm(chat_server.base_url, "temperature=0.5"), clusters[:1], tmp_path)
    assert chat_server.count == 7


def test_429_with_retry_after_is_retried(chat_server, tmp_path):
    llm = make_llm(chat_server.base_url)
    out = run(llm, [make_cluster("r", "[[fault:429:2]]")], tmp_path)["r"]
    assert isinstance(out, SystemOutput) and out.meta["attempts"] == 3
    assert chat_server.count == 3
    meta = llm.run_meta()
    assert meta["retries"] == 2 and meta["requests_sent"] == 3 and meta["failures"] == 0


def test_500_retried_then_succeeds_or_fails_with_reason(chat_server, tmp_path):
    llm = make_llm(chat_server.base_url, "max_retries=3")
    outs = run(llm, [make_cluster("ok", "[[fault:500:1]]"), make_cluster("bad", "[[fault:500]]")], tmp_path)
    assert isinstance(outs["ok"], SystemOutput) and outs["ok"].meta["attempts"] == 2
    assert isinstance(outs["bad"], Exception) and str(outs["bad"]) == "HTTP 500 after 4 attempts: internal error"
    assert chat_server.count == 2 + 4
    meta = llm.run_meta()
    assert (meta["requests_sent"], meta["retries"], meta["failures"], meta["clusters_ok"]) == (6, 1 + 3, 1, 1)


def test_slow_response_times_out_and_is_retried_when_asked(tmp_path):
    """retry_timeouts=true (the default for remote endpoints): a timeout is re-sent."""
    with FakeChatServer(slow_s=1.0) as server:
        llm = make_llm(server.base_url, "timeout=0.4,max_retries=1,retry_timeouts=true")
        outs = run(llm, [make_cluster("once", "[[fault:slow:1]]"), make_cluster("always", "[[fault:slow]]")], tmp_path)
    assert isinstance(outs["once"], SystemOutput) and outs["once"].meta["attempts"] == 2
    assert isinstance(outs["always"], Exception) and str(outs["always"]) == "timeout (0.4s) after 2 attempts"


def test_local_server_timeout_is_not_re_sent_and_concurrency_defaults_to_one(tmp_path):
    """A local server keeps working on a request the client gave up on: no re-send, one request at a time."""
    with FakeChatServer(slow_s=1.0) as server:
        llm = make_llm(server.base_url, "timeout=0.4,max_retries=3")
        outs = run(llm, [make_cluster("slow", "[[fault:slow]]"), make_cluster("a"), make_cluster("b")], tmp_path)
        # each cluster asked once, one at a time (the server still works on the abandoned one: 2 at most)
        assert server.count == 3 and server.max_in_flight <= 2
    assert isinstance(outs["slow"], Exception) and str(outs["slow"]).startswith("timeout (0.4s), not re-sent")
    assert all(isinstance(outs[c], SystemOutput) for c in "ab")
    meta = llm.run_meta()
    assert meta["concurrency"] == 1 and meta["concurrency_source"] == "local server default"
    assert meta["server"]["n_ctx"] is None and meta["context_source"] == "default"


def test_malformed_json_and_empty_content_fail_with_reason(chat_server, tmp_path):
    llm = make_llm(chat_server.base_url)
    outs = run(llm, [make_cluster("m", "[[fault:malformed]]"), make_cluster("e", "[[fault:empty]]")], tmp_path)
    assert str(outs["m"]).startswith("malformed JSON from server: ")
    assert str(outs["e"]) == "empty content"
    assert chat_server.count == 2  # answers, not transient faults: not retried
    assert llm.run_meta()["failures"] == 2 and llm.run_meta()["clusters_ok"] == 0


def test_answers_without_content_fail_with_reason(chat_server, tmp_path):
    outs = run(make_llm(chat_server.base_url),
               [make_cluster("n", "[[fault:nochoices]]"), make_cluster("z", "[[fault:emptylength]]")], tmp_path)
    assert str(outs["n"]).startswith("malformed response from server (no choices[0].message)")
    assert str(outs["z"]) == "empty content (finish_reason=length: max_tokens used up)"


def test_failures_are_not_cached(chat_server, tmp_path):
    cluster = make_cluster("e", "[[fault:empty:1]]")
    assert isinstance(run(make_llm(chat_server.base_url), [cluster], tmp_path)["e"], Exception)
    assert isinstance(run(make_llm(chat_server.base_url), [cluster], tmp_path)["e"], SystemOutput)
    assert chat_server.count == 2


def test_finish_reason_length_drops_the_cut_bullet_and_flags_the_answer(chat_server, tmp_path):
    llm = make_llm(chat_server.base_url)
    out = run(llm, [make_cluster("l", "[[fault:length]]", n_docs=3)], tmp_path)["l"]
    assert isinstance(out, SystemOutput)
    # the fake server cuts the answer at 2/3: the third bullet is a fragment, dropped and recorded
    assert out.bullets == ("Reuters: Reuters reports that event l happened on day 0.",
                           "AP: AP reports that event l happened on day 1.")
    assert out.meta["dropped_fragment"].startswith("BBC: B") and not out.meta["dropped_fragment"].endswith(".")
    assert out.meta["finish_reason"] == "length" and out.meta["truncated_by_max_tokens"] is True
    assert llm.run_meta()["truncated_by_max_tokens"] == 1


def test_unusable_answer_is_kept_marked_and_re_read_before_asking_again(tmp_path, monkeypatch):
    """An answer without bullets is cached marked unusable; a rerun re-reads it (a parser fix needs no
    new request), and asks the server again only when it is still unusable."""
    from bench.llm.cache import ResponseCache
    import systems.llm as llm_module

    with FakeChatServer(answer=lambda body: "Here are the key points:") as server:
        cluster = make_cluster("u")
        out = run(make_llm(server.base_url), [cluster], tmp_path)["u"]
        assert str(out) == "no bullets in the answer: 'Here are the key points:'"
        cache = ResponseCache(tmp_path / "cache" / "llm-responses.sqlite3")
        (kept,) = [cache.get(k) for (k,) in cache._db.execute("SELECT key FROM responses")]
        cache.close()
        assert kept["unusable"] == str(out) and kept["content"] == "Here are the key points:"
        assert isinstance(run(make_llm(server.base_url), [cluster], tmp_path)["u"], Exception)
        assert server.count == 2  # re-read, still unusable: asked once more
        monkeypatch.setattr(llm_module, "parse_bullets", lambda text: [text.rstrip(":")])  # "a parser fix"
        llm = make_llm(server.base_url)
        out = run(llm, [cluster], tmp_path)["u"]
        assert out.bullets == ("Here are the key points",) and out.meta["cached"] is True
        assert server.count == 2 and llm.run_meta()["cache_hits"] == 1


def test_dropped_connection_is_retried(chat_server, tmp_path):
    out = run(make_llm(chat_server.base_url), [make_cluster("d", "[[fault:drop:1]]")], tmp_path)["d"]
    assert isinstance(out, SystemOutput) and out.meta["attempts"] == 2


def test_connection_refused_fails_after_retries(free_port, tmp_path):
    llm = make_llm(f"http://127.0.0.1:{free_port}/v1", "max_retries=2")
    out = run(llm, [make_cluster("x")], tmp_path)["x"]
    assert isinstance(out, Exception)
    assert str(out).startswith("connection error (ConnectError") and str(out).endswith("after 3 attempts")
    assert llm.run_meta()["requests_sent"] == 3 and llm.run_meta()["failures"] == 1


def test_client_error_is_not_retried(chat_server, tmp_path):
    out = run(make_llm(chat_server.base_url), [make_cluster("k", "[[fault:error401]]")], tmp_path)["k"]
    assert str(out).startswith("HTTP 401 (not retried)")
    assert chat_server.count == 1


def test_request_cap_fails_remaining_clusters(chat_server, tmp_path):
    llm = make_llm(chat_server.base_url, "max_requests=2,concurrency=1")
    outs = run(llm, [make_cluster(c) for c in "abcd"], tmp_path)
    ok = [k for k, v in outs.items() if isinstance(v, SystemOutput)]
    failed = {k: str(v) for k, v in outs.items() if isinstance(v, Exception)}
    assert len(ok) == 2 and len(failed) == 2 and chat_server.count == 2
    assert all(r.startswith("request cap reached: max_requests=2") for r in failed.values())
    assert llm.run_meta()["failures"] == 2 and llm.run_meta()["requests_sent"] == 2


def test_requests_run_concurrently_within_bound(tmp_path):
    with FakeChatServer(delay_s=0.2) as server:
        start = time.monotonic()
        outs = run(make_llm(server.base_url, "concurrency=3"), [make_cluster(f"c{i}") for i in range(9)], tmp_path)
        elapsed = time.monotonic() - start
    assert all(isinstance(v, SystemOutput) for v in outs.values())
    assert server.max_in_flight == 3
    assert elapsed < 9 * 0.2 * 0.8  # ~3 waves of 0.2 s (0.6 s), well below the sequential 1.8 s


def test_results_yielded_as_they_complete(tmp_path):
    with FakeChatServer(slow_s=0.3) as server:
        llm = make_llm(server.base_url, "concurrency=2")
        llm.open(RunContext(run_dir=str(tmp_path), cache_dir=str(tmp_path / "cache")))
        tasks = [SummaryTask(make_cluster("slow", "[[fault:slow]]"), BUDGET), SummaryTask(make_cluster("fast"), BUDGET)]
        order = [task.cluster.id for task, _ in llm.summarize_many(tasks)]
        llm.close()
    assert order == ["fast", "slow"]


def test_price_table_gives_cost(chat_server, tmp_path):
    llm = make_llm(chat_server.base_url, "price_input_per_1m=0.15,price_output_per_1m=0.6")
    out = run(llm, [make_cluster("p")], tmp_path)["p"]
    usage = out.meta["usage"]
    expected = usage["prompt_tokens"] * 0.15 / 1e6 + usage["completion_tokens"] * 0.6 / 1e6
    assert out.meta["cost_usd"] == pytest.approx(expected)
    assert llm.run_meta()["cost_usd"] == pytest.approx(expected)
    again = make_llm(chat_server.base_url, "price_input_per_1m=0.15,price_output_per_1m=0.6")
    run(again, [make_cluster("p")], tmp_path)
    assert again.run_meta()["cost_usd"] == 0.0 and again.run_meta()["cache_hits"] == 1  # cache hits are free
    unpriced = make_llm(chat_server.base_url)
    run(unpriced, [make_cluster("p")], tmp_path)
    assert unpriced.run_meta()["cost_usd"] is None  # no price table: unknown, not zero


def test_api_key_never_written(chat_server, tmp_path, monkeypatch):
    key = "sk-test-DISTINCTIVE-7f3a9c1e5b"
    monkeypatch.setenv("SUMBENCH_TEST_KEY", key)
    llm = make_llm(chat_server.base_url, "api_key_env=SUMBENCH_TEST_KEY")
    outs = run(llm, [make_cluster("a"), make_cluster("b", "[[fault:error401]]")], tmp_path)
    assert chat_server.auth_headers[0] == f"Bearer {key}"  # the key is sent ...
    assert key not in str(outs["b"])  # ... redacted from an error that echoes it ...
    (tmp_path / "run").mkdir(exist_ok=True)
    (tmp_path / "run" / "meta.txt").write_text(repr(outs["a"].meta) + repr(llm.run_meta()) + repr(outs["b"]))
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.suffix == ".sqlite3" for p in files)
    for path in files:  # ... and written nowhere
        assert key.encode() not in path.read_bytes(), path


def test_unavailable_reasons(monkeypatch):
    systems = discover().systems
    assert "no base_url" in systems.create("llm:model=m").instance.unavailable_reason()
    monkeypatch.delenv("SUMBENCH_MISSING_KEY", raising=False)
    remote = systems.create("llm:model=m,base_url=https://api.example.com/v1,api_key_env=SUMBENCH_MISSING_KEY")
    reason = remote.instance.unavailable_reason()
    assert reason == "llm: environment variable SUMBENCH_MISSING_KEY is not set (API key for https://api.example.com/v1)"
    local = systems.create("llm:model=m,base_url=http://localhost:8000/v1,api_key_env=SUMBENCH_MISSING_KEY")
    assert local.instance.unavailable_reason() is None  # local servers need no key
    monkeypatch.setenv("SUMBENCH_MISSING_KEY", "x")
    assert remote.instance.unavailable_reason() is None


def test_request_body_options(chat_server):
    make_llm(chat_server.base_url, "temperature=none,seed=none,max_tokens_field=max_completion_tokens,max_tokens=99") \
        .summarize(make_cluster("o"), BUDGET)
    body = chat_server.requests[0]
    assert body["max_completion_tokens"] == 99
    assert not {"temperature", "seed", "max_tokens"} & set(body)


def test_summarize_without_open_works(chat_server):
    bullets = make_llm(chat_server.base_url).summarize(make_cluster("s"), BUDGET).bullets
    assert len(bullets) == 2 and chat_server.count == 1


def test_shipped_presets_are_valid_llm_systems():
    systems = discover().systems
    for name in ("gpt-4o-mini-keypoints", "qwen2.5-7b-vllm-keypoints", "llama3.1-8b-ollama-keypoints"):
        resolved = systems.create(name)
        assert resolved.entry.cls.name == "llm" and resolved.entry.summary
        assert "api_key" not in " ".join(f"{k}={v}" for k, v in resolved.params.items() if k != "api_key_env")
    mini = systems.create("gpt-4o-mini-keypoints")
    assert mini.params["model"] == "gpt-4o-mini" and mini.params["price_input_per_1m"] == 0.15


def test_named_system_from_config_file_runs_same_path(chat_server, tmp_path):
    presets = tmp_path / "presets"
    presets.mkdir()
    (presets / "mine.toml").write_text(
        f'[local-test-keypoints]\nsystem = "llm"\ndoc = "test preset"\nmodel = "preset-model"\n'
        f'base_url = "{chat_server.base_url}"\nprompt = "keypoints"\nbackoff_base = 0.01\n'
    )
    resolved = discover([presets]).systems.create("local-test-keypoints:max_tokens=100")
    assert resolved.label == "local-test-keypoints:max_tokens=100"
    out = run(resolved.instance, [make_cluster("n")], tmp_path)["n"]
    assert isinstance(out, SystemOutput) and out.meta["model"] == "preset-model-2024-07-18"
    assert chat_server.requests[0]["max_tokens"] == 100


def test_relative_prompt_in_a_config_file_is_read_from_its_folder(chat_server, tmp_path, monkeypatch):
    presets = tmp_path / "presets"
    (presets / "prompts").mkdir(parents=True)
    (presets / "prompts" / "terse.txt").write_text(
        "[system]\nYou write terse wire-desk bullets.\n[user]\n{documents}\n{length_instruction}\n"
    )
    (presets / "mine.toml").write_text(
        f'[terse]\nsystem = "llm"\nmodel = "m"\nbase_url = "{chat_server.base_url}"\n'
        f'prompt = "prompts/terse.txt"\nbackoff_base = 0.01\n'
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    resolved = discover([presets]).systems.create("terse")
    run(resolved.instance, [make_cluster("p")], tmp_path)
    assert chat_server.requests[0]["messages"][0]["content"] == "You write terse wire-desk bullets."


def test_prompt_identity_is_its_content_not_its_path():
    from bench.runner.keys import system_identity

    builtin = Path(__file__).resolve().parents[1] / "systems" / "prompts" / "keypoints.txt"
    a, b = make_llm("http://127.0.0.1:9/v1"), make_llm("http://127.0.0.1:9/v1", f"prompt={builtin}")
    params_a = {"model": a.model, "prompt": a.prompt}
    params_b = {"model": b.model, "prompt": b.prompt}
    assert system_identity("llm", a, params_a) == system_identity("llm", b, params_b)


def test_concurrency_is_the_systems_own_not_the_runs_workers(tmp_path):
    """--workers counts processes; an llm system keeps its own request concurrency (and runs in-process)."""
    with FakeChatServer(delay_s=0.1) as server:
        llm = make_llm(server.base_url, "concurrency=3")
        llm.open(RunContext(run_dir=str(tmp_path), cache_dir=str(tmp_path / "cache")))  # as the runner opens it
        outs = list(llm.summarize_many([SummaryTask(make_cluster(f"w{i}"), BUDGET) for i in range(6)]))
        llm.close()
    assert len(outs) == 6 and server.max_in_flight == 3 and llm.run_meta()["concurrency"] == 3
    assert not llm.runs_in_workers()
