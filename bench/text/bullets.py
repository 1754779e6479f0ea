"""Bullet lists in plain text: list markers, and text split into bullets."""

from __future__ import annotations

import re

from .sentences import split_sentences

#: a Markdown-style list marker: -, *, +, •, or 1. / 1)
MARKER = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")


def normalized(text: str) -> str:
    """Case- and spacing-insensitive form, for spotting repeated bullets."""
    return " ".join(text.lower().split())


def text_to_bullets(text: str, lines_are_bullets: bool = False) -> list[str]:
    """Marked lines are bullets (markers stripped); other text is split into sentences.

    With ``lines_are_bullets``, several unmarked lines are also taken one bullet
    each (system outputs); prose is split into sentences either way.
    """
    lines = [ln for ln in text.splitlines() if ln.strip()]
    items = [MARKER.sub("", ln).strip() for ln in lines]
    if lines and (all(MARKER.match(ln) for ln in lines) or (lines_are_bullets and len(lines) > 1)):
        return [item for item in items if item]
    return split_sentences("\n".join(items))
