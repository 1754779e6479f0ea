"""What vLLM and native llama.cpp servers tell about themselves, read through their own routes (peers on
127.0.0.1 speaking them as those servers' sources define: tests/server_peers.py), and the llm system
end to end against them: window, slots, tokenizer, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from bench.cli import app
from bench.llm.server_info import probe, window_in_error
from bench.runner.store import read_jsonl
from tests.server_peers import LlamaCppPeer, VLLMPeer, chat_tokens
from tests.test_llm_learnt_window import long_suite

runner = CliRunner()
FAST = "backoff_base=0.01,backoff_max=0.02,timeout=10,max_retries=1,max_tokens=100"
MODEL = "Qwen/Qwen2.5-7B-Instruct"


@pytest.fixture
def http():
    with httpx.Client(trust_env=False) as client:
        yield client


def run(peer, tmp_path: Path, clusters: list[str], extra: str = "") -> tuple[dict, dict]:
    out = tmp_path / "run"
    spec = f"llm:model={peer.model},base_url={peer.base_url},{FAST}" + (f",{extra}" if extra else "")
    result = runner.invoke(app, ["run", "-q", "--suite", str(long_suite(tmp_path / "suite", clusters)), "--system", spec,
                                 "--metric", "rouge", "--out", str(out)])
    assert result.exit_code == 0, result.output
    recs = {r["cluster"]: r for r in read_jsonl(out / "summaries.jsonl")}
    totals = next(iter(json.loads((out / "manifest.json").read_text())["systems"].values()))["totals"]
    return recs, totals


# -- vLLM -----------------------------------------------------------------------------------------

def test_vllm_window_from_its_model_card_and_tokens_from_its_tokenize_route(http):
    with VLLMPeer(MODEL, 4096, others={"gateway-small": 1024}) as peer:
        info = probe(http, peer.base_url, peer.model)
        assert (info.n_ctx, info.n_ctx_source) == (4096, "/models max_model_len")  # its own card, not the first
        assert info.slots is None  # vLLM batches; it does not say how many at once
        assert info.tokenize == "vllm" and info.count_tokens("Hello, big world.") == 5
        assert "POST /tokenize" in peer.paths and "GET /props" in peer.paths  # asked, 404: unknown


def test_llm_against_vllm_fits_prompts_to_max_model_len_by_its_tokenizer(tmp_path):
    with VLLMPeer(MODEL, 1200) as peer:
        recs, totals = run(peer, tmp_path, ["alpha", "beta"])
        assert len(peer.chats) == 2  # no refusal: each prompt fitted to the window at once
        for body in peer.chats:
            assert chat_tokens(body) + 100 <= 1200
    assert totals["server"] == {"n_ctx": 1200, "n_ctx_source": "/models max_model_len", "slots": None,
                                "tokenize": "vllm"}
    assert totals["context_tokens"] == 1200 and totals["concurrency_source"] == "local server default"
    for rec in recs.values():
        prompt = rec["meta"]["prompt"]
        assert rec["status"] == "ok" and prompt["context_tokens"] == 1200
        assert prompt["token_count"] == "server tokenizer (vllm)" and prompt["documents_truncated"] >= 1


def test_vllm_context_tokens_above_max_model_len_is_lowered_to_it(tmp_path):
    with VLLMPeer(MODEL, 1200) as peer:
        recs, totals = run(peer, tmp_path, ["alpha"], "context_tokens=6000")
        assert len(peer.chats) == 1
    assert totals["context_tokens"] == 1200 and "context_tokens=6000 is more than it serves" in totals["context_source"]


def test_vllm_refusal_names_the_window():
    reason = ("HTTP 400 (not retried): {\"object\": \"error\", \"message\": \"This model's maximum context length is "
              "4096 tokens. However, you requested 5000 tokens (4500 in the messages, 500 in the completion). Please "
              "reduce the length of the messages or completion.\", \"type\": \"BadRequestError\", \"param\": null, "
              "\"code\": 400}")
    assert window_in_error(reason) == 4096


# -- native llama.cpp -----------------------------------------------------------------------------

def test_llama_cpp_slot_window_and_slots_from_props_and_tokens_from_tokenize(http):
    with LlamaCppPeer("smollm2", 8192, slots=4) as peer:
        info = probe(http, peer.base_url, peer.model)
        # /props' per-slot n_ctx (8192 / 4) beats /v1/models' meta.n_ctx_train (8192)
        assert (info.n_ctx, info.n_ctx_source, info.slots) == (2048, "/props n_ctx", 4)
        assert info.tokenize == "llama.cpp" and info.count_tokens("Hello, big world.") == 5
        # vLLM's form ({"prompt": ...}) was tried first: llama.cpp answers it with no tokens, not an error
        assert peer.paths.count("POST /tokenize") >= 2


def test_llama_cpp_without_props_falls_back_to_the_trained_window(http):
    with LlamaCppPeer("smollm2", 8192, props=False) as peer:
        info = probe(http, peer.base_url, peer.model)
    assert (info.n_ctx, info.n_ctx_source, info.slots, info.tokenize) == (8192, "/models meta.n_ctx_train", None, None)


def test_llm_against_llama_cpp_uses_its_slots_and_its_window(tmp_path):
    with LlamaCppPeer("smollm2", 2400, slots=2, delay_s=0.2) as peer:
        recs, totals = run(peer, tmp_path, ["alpha", "beta", "gamma", "delta"])
        assert len(peer.chats) == 4 and peer.max_in_flight == 2  # as many at once as it has slots, no more
        assert all(chat_tokens(b) + 100 <= 1200 for b in peer.chats)
    assert totals["concurrency"] == 2 and totals["concurrency_source"] == "server slots (/props)"
    assert totals["context_tokens"] == 1200 and totals["server"]["tokenize"] == "llama.cpp"
    assert all(r["status"] == "ok" and r["meta"]["prompt"]["token_count"] == "server tokenizer (llama.cpp)"
               for r in recs.values())


def test_llm_learns_the_window_from_llama_cpps_refusal(tmp_path):
    """Behind a proxy without /props the window is unknown (the trained one is too large): the server's
    exceed_context_size_error names the slot's window; refitted, asked once more, later clusters fitted."""
    with LlamaCppPeer("smollm2", 1200, props=False) as peer:
        recs, totals = run(peer, tmp_path, ["alpha", "beta"])
        assert len(peer.chats) == 2  # the refused request is not a chat the server worked on
        assert peer.paths.count("POST /v1/chat/completions") == 3
    assert totals["context_tokens"] == 1200 and "maximum context length is 1200" in totals["context_source"]
    assert all(r["status"] == "ok" for r in recs.values())
    refused = [r for r in recs.values() if len(r["meta"]["requests"]) == 2]
    assert len(refused) == 1 and "exceed_context_size_error" in refused[0]["meta"]["requests"][0]["error"]


@pytest.mark.parametrize("body, window", [
    ('{"error":{"code":400,"message":"request (13392 tokens) exceeds the available context size (8192 tokens), '
     'try increasing it","type":"exceed_context_size_error","n_prompt_tokens":13392,"n_ctx":8192}}', 8192),
    ('{"error":{"code":400,"message":"the request exceeds the available context size, try increasing it",'
     '"type":"exceed_context_size_error","n_prompt_tokens":5000,"n_ctx":4096}}', 4096),
    ('{"error":{"code":400,"message":"Invalid JSON","type":"invalid_request_error"}}', None),
])
def test_llama_cpp_refusals_name_the_window(body, window):
    assert window_in_error(f"HTTP 400 (not retried): {body}") == window


# -- a busy or broken tokenize route, and the timeouts ------------------------------------------------
class TokenizeGoneAfterProbe(VLLMPeer):
    """Answers the probe's tokenize, then 503 (as a server busy with another request may)."""

    def route(self, method, path, body):
        if (method, path) == ("POST", "/tokenize"):
            self.tokenized = getattr(self, "tokenized", 0) + 1
            if self.tokenized > 1:
                return 503, {"detail": "Service Unavailable"}
        return super().route(method, path, body)


def test_a_tokenizer_that_stops_answering_falls_back_to_the_estimate_and_says_so(tmp_path):
    with TokenizeGoneAfterProbe(MODEL, 1200) as peer:
        recs, totals = run(peer, tmp_path, ["alpha", "beta"])
        assert len(peer.chats) == 2  # each cluster summarised, each asked once
    for rec in recs.values():
        assert rec["status"] == "ok"
        method = rec["meta"]["prompt"]["token_count"]
        assert method.startswith("approx: ceil(chars/4) (the server's tokenizer did not answer") and "503" in method


def test_timeouts_default_to_a_minute_remote_and_longer_for_a_local_server():
    from bench.llm.session import DEFAULT_TIMEOUT, LOCAL_TIMEOUT, ChatParams, ChatSession

    with VLLMPeer(MODEL, 1200) as peer:
        local = ChatSession(ChatParams(model=MODEL, base_url=peer.base_url), None, True)
        given = ChatSession(ChatParams(model=MODEL, base_url=peer.base_url, timeout=5), None, True)
    remote = ChatSession(ChatParams(model=MODEL, base_url="https://api.example.com/v1"), None, True)
    try:
        assert (local.timeout, local.meta()["timeout_source"]) == (LOCAL_TIMEOUT, "local server default")
        assert local.client.timeout == LOCAL_TIMEOUT > DEFAULT_TIMEOUT
        assert (given.timeout, remote.timeout) == (5, DEFAULT_TIMEOUT)
    finally:
        for s in (local, given, remote):
            s.close()
