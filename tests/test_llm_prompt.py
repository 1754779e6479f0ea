"""Prompt building: outlets, length instruction, fitting to the token budget, templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.budget import Budget
from bench.errors import PluginError
from bench.llm.prompt import build_prompt, fair_shares, length_instruction, load_template, parse_template
from bench.llm.tokens import TokenCounter, estimate_tokens, truncate_to_tokens
from bench.model import Cluster, Document

PROMPTS = Path(__file__).resolve().parents[1] / "systems" / "prompts"


def cluster(*lengths: int) -> Cluster:
    docs = tuple(
        Document(id=f"d{i}", text=" ".join(f"w{i}x{j}" for j in range(n)), source=f"Outlet {i}", published="2025-10-22")
        for i, n in enumerate(lengths)
    )
    return Cluster("c", docs, title="A story")


def test_keypoints_prompt_names_outlets_and_budget():
    prompt = build_prompt(load_template("keypoints", PROMPTS), cluster(20, 30), Budget(words=80, bullets=4), 4000)
    system, user = prompt.messages
    assert system["role"] == "system" and user["role"] == "user"
    assert "[Document 1] Outlet 0, 2025-10-22" in user["content"] and "[Document 2] Outlet 1" in user["content"]
    assert "at most 4 bullets and at most 80 words" in user["content"]
    assert "2 news articles about the same story (A story)" in user["content"]
    assert prompt.meta["documents_truncated"] == 0 and prompt.meta["prompt_tokens_est"] <= 4000


def test_long_documents_are_cut_fairly_and_recorded():
    prompt = build_prompt(load_template("keypoints", PROMPTS), cluster(30, 2000, 3000), Budget(bullets=5), 1500)
    assert prompt.meta["prompt_tokens_est"] <= 1500
    short, long1, long2 = prompt.meta["documents"]
    assert short["truncated"] is False and short["kept_tokens"] == short["tokens"]
    assert long1["truncated"] and long2["truncated"]
    assert abs(long1["kept_tokens"] - long2["kept_tokens"]) <= 2  # equal shares of what is left
    assert prompt.meta["documents_truncated"] == 2
    assert prompt.messages[-1]["content"].count("[...]") == 2


def test_the_answer_budget_is_reserved_in_the_window():
    template = load_template("keypoints", PROMPTS)
    prompt = build_prompt(template, cluster(30, 2000, 3000), Budget(bullets=5), 2048, reserve=512)
    assert prompt.meta["prompt_tokens_est"] <= 2048 - 512 and prompt.meta["reserved_for_answer"] == 512
    with pytest.raises(PluginError, match="2048 tokens minus 2000 for the answer"):
        build_prompt(template, cluster(30, 2000), Budget(bullets=5), 2048, reserve=2000)


def test_a_real_tokenizer_is_used_for_fitting_and_recorded():
    """A counter with 1 token per word (not chars/4): every cut is measured by it."""
    words = TokenCounter(lambda text: len(text.split()), "words")
    prompt = build_prompt(load_template("keypoints", PROMPTS), cluster(30, 2000, 3000), Budget(bullets=5), 1000,
                          reserve=200, counter=words)
    assert prompt.meta["token_count"] == "words"
    assert sum(len(m["content"].split()) + 8 for m in prompt.messages) <= 800
    docs = prompt.meta["documents"]
    assert docs[0]["tokens"] == 30 and not docs[0]["truncated"]
    assert docs[1]["truncated"] and docs[1]["kept_tokens"] <= docs[1]["tokens"]


def test_prompt_hash_changes_with_content_not_identity():
    t = load_template("keypoints", PROMPTS)
    a = build_prompt(t, cluster(10, 10), Budget(bullets=5), 4000)
    assert a.hash == build_prompt(t, cluster(10, 10), Budget(bullets=5), 4000).hash
    assert a.hash != build_prompt(t, cluster(10, 11), Budget(bullets=5), 4000).hash


def test_context_too_small_is_a_clear_error():
    with pytest.raises(PluginError, match="context window too small: 100 tokens"):
        build_prompt(load_template("keypoints", PROMPTS), cluster(500, 500), Budget(bullets=5), 100)


@pytest.mark.parametrize(
    ("budget", "text"),
    [(Budget(words=50), "Use at most 50 words in total."), (Budget(bullets=3), "Write at most 3 bullets."),
     (Budget(), "Be concise.")],
)
def test_length_instruction(budget, text):
    assert length_instruction(budget) == text


def test_fair_shares():
    assert fair_shares([10, 100, 100], 110) == [10, 50, 50]
    assert fair_shares([10, 20], 1000) == [10, 20]
    assert sum(fair_shares([300, 500, 700], 900)) <= 900


def test_template_file_and_sections(tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("Summarise {n_documents} articles:\n{documents}\n{length_instruction} {unknown} {}")
    t = load_template(str(path), PROMPTS)
    assert t.system == "" and t.user.startswith("Summarise")
    prompt = build_prompt(t, cluster(5), Budget(bullets=2), 500)
    assert prompt.messages[0]["content"].startswith("Summarise 1 articles:\n[Document 1]")
    assert prompt.messages[0]["content"].endswith("Write at most 2 bullets. {unknown} {}")  # only known names filled
    assert parse_template("[system]\nBe brief.\n[user]\n{documents}", "x").system == "Be brief."


def test_bad_templates():
    with pytest.raises(PluginError, match="neither a built-in template"):
        load_template("no-such-template", PROMPTS)
    with pytest.raises(PluginError, match="must contain"):
        parse_template("[user]\nno documents here", "x")


def test_token_estimate_and_truncation():
    assert estimate_tokens("") == 0 and estimate_tokens("abcd") == 1 and estimate_tokens("abcde") == 2
    text = "alpha beta gamma delta epsilon"
    cut = truncate_to_tokens(text, 3)
    assert text.startswith(cut) and len(cut) <= 12 and not cut.endswith(" ")
    assert truncate_to_tokens(text, 100) == text
