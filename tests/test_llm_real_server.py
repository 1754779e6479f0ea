"""The llm system and keypoints-llm against a real llama.cpp server with a real model (SmolLM2-135M).

Needs the ``local`` extra (tests/llama_server.py); skipped with that reason without it.
keypoints-llm on the seed suite runs in tests/test_local_models_doc.py (the docs' command).
The model is tiny and weak: these tests check what the harness does with a real
server's answers, limits and failures, not the quality of the answers.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.cli import app
from bench.runner.store import read_jsonl
from conftest import REPO, write
from tests.llama_server import MODEL, N_CTX, LlamaServer, llama_server, own_llama_server  # noqa: F401 (fixtures)

runner = CliRunner()
SEED = str(REPO / "references" / "seed-news")
FAST = "backoff_base=0.01,backoff_max=0.02,max_retries=1,timeout=300,max_tokens=64"


def sumbench(*args: str, code: int = 0):
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


def params(server: LlamaServer, extra: str = "") -> str:
    """model, base_url, FAST, then ``extra`` (which wins)."""
    kv = dict(p.split("=", 1) for p in f"model={MODEL},base_url={server.base_url},{FAST},{extra}".split(",") if p)
    return ",".join(f"{k}={v}" for k, v in kv.items())


def llm(server: LlamaServer, extra: str = "") -> str:
    return "llm:" + params(server, extra)


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


def news_suite(root: Path, n: int) -> Path:
    """n clusters of three long articles each (each cluster far longer than the server's window)."""
    write(root / "suite.toml", 'name = "long-news"\ndescription = "real-server e2e"\n[defaults]\nwords = 60\n')
    for c in range(n):
        write(root / f"c{c}" / "cluster.toml", f'title = "Flood in town {c}"\n')
        for d, outlet in enumerate(("Reuters", "AP", "BBC")):
            body = " ".join(f"Rescue teams in town {c} reached district {k} on day {d + 1} and moved {k + 10} families "
                            "to shelters as the river kept rising." for k in range(60))
            write(root / f"c{c}" / "documents" / f"d{d}.txt", f'+++\noutlet = "{outlet}"\n+++\nA flood hit town {c}. {body}\n')
        write(root / f"c{c}" / "references" / "editor.md",
              f'+++\nauthor = "editor"\n+++\n- A flood hit town {c}.\n- Families were moved to shelters.\n')
    return root


def test_llm_on_the_seed_suite_usage_from_the_server_and_a_rerun_sends_nothing(llama_server, tmp_path):
    out = tmp_path / "run"
    args = ["run", "-q", "--suite", SEED, "--system", llm(llama_server, "context_tokens=768"), "--metric", "rouge",
            "--out", str(out)]
    sumbench(*args)
    (rec,) = read_jsonl(out / "summaries.jsonl")
    assert rec["status"] == "ok" and rec["bullets"] and all(b.strip() for b in rec["bullets"])
    meta = rec["meta"]
    usage = meta["usage"]  # the server's own counts
    assert usage["prompt_tokens"] > 100 and usage["completion_tokens"] > 0
    assert usage["prompt_tokens"] + usage["completion_tokens"] <= 768
    # counted by the server's tokenizer: the fitted prompt's count is the server's, within the chat template's markers
    assert meta["prompt"]["prompt_tokens_est"] - 16 <= usage["prompt_tokens"] <= meta["prompt"]["prompt_tokens_est"]
    # the seed cluster (~4,500 tokens) was fitted to the window, counted by the server's tokenizer
    assert meta["prompt"]["documents_truncated"] >= 1 and meta["prompt"]["token_count"].startswith("server tokenizer")
    assert meta["prompt"]["reserved_for_answer"] == 64 and meta["latency_s"] > 0
    entry = manifest(out)["systems"][next(iter(manifest(out)["systems"]))]
    totals = entry["totals"]
    assert totals["requests_sent"] == 1 and totals["prompt_tokens"] == usage["prompt_tokens"]
    assert totals["concurrency"] == 1 and totals["concurrency_source"] == "local server default"
    assert totals["server"]["tokenize"] == "llama-cpp-python"

    sumbench(*args)  # the same command: nothing to do, nothing asked
    assert len(list(read_jsonl(out / "summaries.jsonl"))) == 1
    assert manifest(out)["systems"][next(iter(manifest(out)["systems"]))]["totals"]["requests_sent"] == 1
    other = tmp_path / "other"  # a new run folder on the same response cache: answered from it
    sumbench(*args[:-1], str(other), "--cache-dir", str(out / "cache"))
    entry = manifest(other)["systems"][next(iter(manifest(other)["systems"]))]
    assert entry["totals"]["requests_sent"] == 0 and entry["totals"]["cache_hits"] == 1
    assert [r["bullets"] for r in read_jsonl(other / "summaries.jsonl")] == [rec["bullets"]]


def test_a_window_larger_than_served_is_learnt_from_the_server_and_the_prompt_refitted(llama_server, tmp_path):
    """context_tokens=8000 on a 2,048-token server: its HTTP 400 names the window; refitted, asked once more."""
    out = tmp_path / "run"
    sumbench("run", "-q", "--suite", SEED, "--system", llm(llama_server, "context_tokens=8000"), "--out", str(out))
    (rec,) = read_jsonl(out / "summaries.jsonl")
    assert rec["status"] == "ok", rec.get("error")
    assert rec["meta"]["prompt"]["context_tokens"] == N_CTX
    totals = next(iter(manifest(out)["systems"].values()))["totals"]
    assert totals["context_tokens"] == N_CTX and "maximum context length is 2048" in totals["context_source"]
    assert totals["requests_sent"] == 2  # the refused one, then the fitted one


def test_an_answer_budget_larger_than_the_window_is_a_recorded_failure_naming_the_limit(llama_server, tmp_path):
    out = tmp_path / "run"
    sumbench("run", "-q", "--suite", SEED, "--system", llm(llama_server, "context_tokens=2048,max_tokens=2000"),
             "--out", str(out), code=3)
    (rec,) = read_jsonl(out / "summaries.jsonl")
    assert rec["status"] == "failed"
    assert "context window too small: 2048 tokens minus 2000 for the answer (max_tokens)" in rec["error"]
    entry = next(iter(manifest(out)["systems"].values()))
    assert entry["status"] == "failed" and entry["totals"]["requests_sent"] == 0


def test_judge_prompt_longer_than_the_window_is_a_failure_with_the_servers_whole_message(llama_server):
    from bench.model import Reference
    from bench.plugins import ItemFailure, ScoreItem
    from bench.plugins.discovery import discover
    from tests.llm_server import make_cluster

    metric = discover().metrics.create("keypoints-llm:" + params(llama_server)).instance
    cluster = make_cluster("long")
    kps = tuple(f"Key point {i}: the committee approved measure number {i} after a long debate in the chamber."
                for i in range(150))
    (result,) = metric.score([ScoreItem("sys", cluster, ("A short summary.",), (Reference(cluster.id, "editor", kps),))])
    assert isinstance(result, ItemFailure)
    assert "HTTP 400 (not retried)" in result.reason and "maximum context length is 2048 tokens" in result.reason
    assert "Please reduce the length of the messages or completion" in result.reason  # not cut at 200 characters
    metric.close()


def test_concurrency_above_what_the_server_serves_sends_each_request_once(llama_server, tmp_path):
    suite, out = news_suite(tmp_path / "suite", 3), tmp_path / "run"
    sumbench("run", "-q", "--suite", str(suite), "--system", llm(llama_server, "concurrency=3,context_tokens=512"),
             "--out", str(out))
    recs = list(read_jsonl(out / "summaries.jsonl"))
    assert [r["status"] for r in recs] == ["ok"] * 3
    totals = next(iter(manifest(out)["systems"].values()))["totals"]
    assert totals["requests_sent"] == 3 and totals["retries"] == 0  # queued by the server, never re-sent


def test_server_killed_mid_run_failures_recorded_and_a_rerun_completes_the_rest(own_llama_server, tmp_path):
    suite, out = news_suite(tmp_path / "suite", 3), tmp_path / "run"
    args = ["run", "-q", "--suite", str(suite), "--system", llm(own_llama_server, "context_tokens=512"),
            "--out", str(out)]
    done = out / "summaries.jsonl"

    def kill_after_first() -> None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if done.exists() and done.read_text().strip():
                own_llama_server.kill()
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_after_first, daemon=True)
    killer.start()
    sumbench(*args)  # some summaries: exit 0
    killer.join(5)
    recs = {r["cluster"]: r for r in read_jsonl(done)}
    ok = [c for c, r in recs.items() if r["status"] == "ok"]
    failed = [c for c, r in recs.items() if r["status"] == "failed"]
    assert ok and failed and len(ok) + len(failed) == 3
    errors = [recs[c]["error"] for c in failed]
    assert all("connection error" in e for e in errors), errors

    own_llama_server.start()  # the same port: the same endpoint
    sumbench(*args)
    recs = {r["cluster"]: r for r in read_jsonl(done)}  # the last record per cluster wins
    assert all(r["status"] == "ok" for r in recs.values()) and len(recs) == 3
    entry = next(iter(manifest(out)["systems"].values()))
    assert entry["totals_last"]["requests_sent"] == len(failed)  # the done ones were not asked again
    assert entry["totals"]["clusters_ok"] == 3


def test_faithfulness_llm_chunks_the_sources_to_the_window_and_records_what_it_cannot_use(llama_server, tmp_path):
    outputs = tmp_path / "out.jsonl"
    outputs.write_text(json.dumps({"cluster": "japan-defense-trump-visit", "system": "mine", "bullets": [
        "Japan will keep building up its defense.", "Trump visits Tokyo next week."]}) + "\n")
    out = tmp_path / "run"
    spec = "faithfulness-llm:" + params(llama_server, "max_tokens=128")
    result = runner.invoke(app, ["score", "--suite", SEED, "--outputs", str(outputs), "--out", str(out),
                                 "--metric", spec])
    assert result.exit_code in (0, 3) and "Traceback" not in result.output, result.output
    (rec,) = read_jsonl(out / "scores.jsonl")
    entry = next(e for e in manifest(out)["metrics"].values() if e["name"] == "faithfulness-llm")
    totals = entry["totals"]
    assert totals["context_tokens"] == N_CTX  # the window the server serves, or learnt from its refusal
    assert totals["requests_sent"] >= 2  # the seed cluster (~4,500 tokens) does not fit one request
    if rec["status"] == "ok":  # a tiny model: usable or not, never a made-up score
        assert rec["details"]["chunks"] >= 2 and 0 < rec["values"]["judged"] <= 1
        assert all(s["verdict"] in ("supported", "unsupported", "contradicted", None)
                   for s in rec["details"]["sentences"])
        # llama.cpp returns log-probabilities (asked of local servers): P(no error) per judged sentence
        judged = [s for s in rec["details"]["sentences"] if s["verdict"] is not None]
        assert all(0.0 <= s["p_faithful"] <= 1.0 for s in judged), judged
        assert rec["values"]["p_faithful"] == pytest.approx(sum(s["p_faithful"] for s in judged) / len(judged))
    else:
        assert rec["status"] == "failed" and rec["error"] and "values" not in rec
