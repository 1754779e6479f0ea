"""A cheap, offline token estimate.

No tokenizer is bundled offline, so we use the usual rule of thumb for English
BPE vocabularies (OpenAI's docs: ~4 characters per token): ``ceil(chars / 4)``.
It errs on the generous side for non-English text only mildly; real usage
numbers from the server are recorded separately.
"""

from __future__ import annotations

CHARS_PER_TOKEN = 4
METHOD = "approx: ceil(chars/4)"


def estimate_tokens(text: str) -> int:
    return -(-len(text) // CHARS_PER_TOKEN)


def truncate_to_tokens(text: str, tokens: int) -> str:
    """The longest prefix within ``tokens``, cut at a word boundary."""
    limit = max(tokens, 0) * CHARS_PER_TOKEN
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip()
