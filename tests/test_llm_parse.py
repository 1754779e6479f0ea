"""The bullet parser on realistic chat-model answers."""

from __future__ import annotations

import pytest

from bench.llm.parse import parse_bullets

A, B, C = "Japan plans a defence build-up.", "Trump visits Tokyo on Oct. 27.", "Takaichi took office on Tuesday."

CASES = {
    "dashes": f"- {A}\n- {B}\n- {C}",
    "stars": f"* {A}\n* {B}\n* {C}",
    "bullets": f"• {A}\n• {B}\n• {C}",
    "en dash": f"– {A}\n– {B}\n– {C}",
    "numbered dot": f"1. {A}\n2. {B}\n3. {C}",
    "numbered paren": f"1) {A}\n2) {B}\n3) {C}",
    "numbered wrapped paren": f"(1) {A}\n(2) {B}\n(3) {C}",
    "indented": f"  - {A}\n  - {B}\n  - {C}",
    "preamble": f"Here are the key points:\n\n- {A}\n- {B}\n- {C}",
    "sure preamble": f"Sure! Below are the key points from the articles:\n1. {A}\n2. {B}\n3. {C}",
    "trailing commentary": f"- {A}\n- {B}\n- {C}\n\nLet me know if you would like more detail.",
    "trailing note no gap": f"- {A}\n- {B}\n- {C}\nI hope this helps!",
    "heading": f"## Key Points\n\n- {A}\n- {B}\n- {C}",
    "bold heading": f"**Key points:**\n- {A}\n- {B}\n- {C}",
    "code fence": f"```\n- {A}\n- {B}\n- {C}\n```",
    "markdown fence": f"```markdown\n1. {A}\n2. {B}\n3. {C}\n```",
    "think block": f"<think>The user wants bullets.\n- not this</think>\n- {A}\n- {B}\n- {C}",
    "json array": f'["{A}", "{B}", "{C}"]',
    "plain lines": f"{A}\n{B}\n{C}",
    "plain lines with preamble": f"Here is a summary of the key points:\n{A}\n{B}\n{C}",
    "crlf": f"- {A}\r\n- {B}\r\n- {C}\r\n",
    "blank lines between items": f"1. {A}\n\n2. {B}\n\n3. {C}",
    "horizontal rule": f"- {A}\n- {B}\n---\n- {C}",
    "bold numbers": f"**1.** {A}\n**2.** {B}\n**3.** {C}",
    "tab after marker": f"•\t{A}\n•\t{B}\n•\t{C}",
    "heading then conclusion": f"### Key Points\n1. {A}\n2. {B}\n3. {C}\n### Conclusion\nThe story shows tension.",
    "llama style": f"Here are the key points from the news articles:\n\n* {A}\n* {B}\n* {C}\n\n"
                   "These key points summarize the main information from the articles.",
    "announcing line": f"The articles report the following.\n{A}\n{B}\n{C}",
    "note after list": f"1. {A}\n2. {B}\n3. {C}\n\nNote: the outlets differ on the date.",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_shapes(name):
    assert parse_bullets(CASES[name]) == [A, B, C]


def test_markdown_bold_and_italic_removed_text_kept():
    text = "1. **Defence:** Japan plans a *major* build-up.\n2. __Visit__: Trump visits Tokyo."
    assert parse_bullets(text) == ["Defence: Japan plans a major build-up.", "Visit: Trump visits Tokyo."]


def test_bold_title_line_then_text():
    text = "1. **Japan's defence**\n   Japan will build up.\n2. **Visit:**\n   Trump arrives."
    assert parse_bullets(text) == ["Japan's defence: Japan will build up.", "Visit: Trump arrives."]


def test_wrapped_item_is_joined():
    text = "- Japan plans a defence build-up\n  to adapt to changing warfare.\n- Trump visits."
    assert parse_bullets(text) == ["Japan plans a defence build-up to adapt to changing warfare.", "Trump visits."]


def test_section_labels_dropped_points_kept():
    text = "**Security:**\n- Japan plans a build-up.\n\n**Diplomacy:**\n- Trump visits Tokyo."
    assert parse_bullets(text) == ["Japan plans a build-up.", "Trump visits Tokyo."]


def test_nested_items_become_bullets():
    text = "- Japan plans a build-up.\n  - Spending rises to 2% of GDP.\n- Trump visits Tokyo."
    assert parse_bullets(text) == ["Japan plans a build-up.", "Spending rises to 2% of GDP.", "Trump visits Tokyo."]


def test_numbers_and_hyphens_inside_text_survive():
    text = "- U.S. President Trump arrives on Oct. 27 - officials say.\n- 2.5 million people watched."
    assert parse_bullets(text) == ["U.S. President Trump arrives on Oct. 27 - officials say.", "2.5 million people watched."]


def test_cut_answer_keeps_complete_and_partial_items():
    text = f"Here are the key points:\n\n1. {A}\n2. {B}\n3. Takaichi took"
    assert parse_bullets(text) == [A, B, "Takaichi took"]


@pytest.mark.parametrize("text", ["", "   \n\n", "<think>only thinking</think>", "Here are the key points:", "```\n```"])
def test_nothing_usable(text):
    assert parse_bullets(text) == []


def test_single_paragraph_answer_is_one_bullet():
    assert parse_bullets(f"{A} {B}") == [f"{A} {B}"]
