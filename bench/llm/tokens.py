"""Token counts for prompt fitting: the server's tokenizer where it has one, else an estimate.

The estimate is the usual rule of thumb for English BPE vocabularies (OpenAI's
docs: ~4 characters per token): ``ceil(chars / 4)``. Prompts record which
counter was used; real usage numbers from the server are recorded separately.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

CHARS_PER_TOKEN = 4
METHOD = "approx: ceil(chars/4)"
MESSAGE_OVERHEAD = 8  # tokens a chat template adds per message (role markers), a generous guess


def estimate_tokens(text: str) -> int:
    return -(-len(text) // CHARS_PER_TOKEN)


@dataclass(frozen=True)
class TokenCounter:
    count: Callable[[str], int]
    method: str  # recorded with the prompt


ESTIMATE = TokenCounter(estimate_tokens, METHOD)


def cut_at_word(text: str, limit: int) -> str:
    """The longest prefix of at most ``limit`` characters, cut at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit, 0)]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip()


def truncate_to_tokens(text: str, tokens: int, counter: TokenCounter = ESTIMATE) -> str:
    """The longest prefix within ``tokens`` (cut at a word boundary), by ``counter``."""
    if counter is ESTIMATE:
        return cut_at_word(text, max(tokens, 0) * CHARS_PER_TOKEN)
    total = counter.count(text)
    if total <= tokens:
        return text
    limit = int(len(text) * tokens / total)  # this text's own characters per token
    for _ in range(8):  # shrink until it fits (a few tries: the ratio is close)
        kept = cut_at_word(text, limit)
        if not kept or counter.count(kept) <= tokens:
            return kept
        limit = int(limit * 0.9)
    return ""
