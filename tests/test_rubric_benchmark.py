"""benchmarks/rubric_summeval.py against a real llama.cpp server (SmolLM2-135M): one whole SummEval article,
then the same again answered from the cache alone, with what the answers took when first asked."""

from __future__ import annotations

import json

import pytest

from benchmarks import rubric_summeval
from benchmarks._summeval import DATA
from tests.llama_server import LlamaServer, llama_server  # noqa: F401 (fixture)


def run(server: LlamaServer, cache, capsys) -> dict:
    args = ["--articles", "1", "--base-url", server.base_url, "--model-alias", server.alias, "--cache", str(cache),
            "--judge-params", "max_tokens=8,timeout=300"]
    assert rubric_summeval.main(args) == 0
    out = capsys.readouterr().out
    return {**json.loads(out[out.index("\n{\n"):]), "text": out}


@pytest.mark.skipif(not DATA.is_dir(), reason="shared dev data (summeval_dev) not beside the checkout")
def test_one_article_then_the_same_table_from_the_cache(llama_server, tmp_path, capsys):
    first = run(llama_server, tmp_path, capsys)
    sent = first["totals"]["requests_sent"]
    assert sent >= 64  # 16 summaries x 4 criteria
    assert [r["criterion"] for r in first["rows"]] == ["coherence", "consistency", "fluency", "relevance"]
    for row in first["rows"]:
        assert row["n"] + row["failed"] == 16 and row["by_logprobs"] + row["by_samples"] == row["n"]
    assert first["first_asked"]["answers"] == sent and first["first_asked"]["seconds"] > 0
    again = run(llama_server, tmp_path, capsys)
    assert again["totals"]["requests_sent"] == 0 and again["totals"]["cache_hits"] == sent
    assert again["rows"] == first["rows"] and again["first_asked"] == first["first_asked"]
    assert f"the table's {sent} answers took, when first asked:\n{sent} requests, " in again["text"]
