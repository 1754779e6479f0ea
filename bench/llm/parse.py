"""Turn a chat model's free-form answer into a list of bullets.

Handles numbered or marked lists (``1.``, ``1)``, ``(1)``, ``-``, ``*``, ``•``),
markdown bold and headings, code fences, ``<think>`` blocks, JSON string arrays,
preambles ("Here are the key points:") and trailing commentary.
"""

from __future__ import annotations

import json
import re

_THINK = re.compile(r"<think>.*?(</think>|$)", re.S | re.I)
_FENCE = re.compile(r"^\s*```[\w-]*\s*$")
_MARKER = re.compile(
    r"^\s*(?:[-*•·–—+▪►‣◦]|(?:\*\*)?\(?\d{1,3}[.)](?:\*\*)?|\(?[a-z][.)](?=\s))\s+(?=\S)"
)
_HEADING = re.compile(r"^\s*#{1,6}\s")
_BOLD = re.compile(r"(\*\*|__)(.+?)\1")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)([^*]+?)(?<!\s)\*(?![\w*])")
_RULE = re.compile(r"^\s*([-*_=])\1{2,}\s*$")
# lines that talk about the answer rather than being part of it
_CHATTER = re.compile(
    r"^\s*(here (are|is)|sure|certainly|of course|okay|ok[,.!]|below (are|is)|"
    r"the (following|key points|main points)|key points|summary|in summary|to summari[sz]e|"
    r"overall[,:]|note[:,]|i hope|hope this|let me know|feel free|if you (need|want|would)|"
    r"these (are|points|bullets)|this summary|i('ve| have))",
    re.I,
)

_ANNOUNCES = re.compile(r"\b(the following|key points|main points)\b", re.I)


def parse_bullets(text: str) -> list[str]:
    """Bullets in order; [] when the answer holds no usable content."""
    text = _THINK.sub("", text or "").strip()
    as_json = _json_list(text)
    if as_json is not None:
        return [b for b in (_clean(x) for x in as_json) if b]
    lines = [ln for ln in text.splitlines() if not _FENCE.match(ln) and not _RULE.match(ln)]
    if any(_MARKER.match(ln) for ln in lines):
        bullets = _marked(lines)
    else:
        bullets = _unmarked(lines)
    return [b for b in (_clean(x) for x in bullets) if b and not _is_heading_only(b)]


def _marked(lines: list[str]) -> list[str]:
    """List items; a wrapped line continues its item; text before or after the list is dropped."""
    bullets: list[str] = []
    gap = False
    for line in lines:
        if not line.strip():
            gap = True
        elif _MARKER.match(line):
            bullets.append(_MARKER.sub("", line, count=1))
            gap = False
        elif _HEADING.match(line):
            gap = True  # a heading ends the current item
        elif bullets and not gap and not _is_chatter_after(bullets[-1], line):
            # "**Title**" then its text on the next line reads as "Title: text"
            sep = ": " if _BOLD.fullmatch(bullets[-1].strip()) and not bullets[-1].rstrip("*_ ").endswith(":") else " "
            bullets[-1] += sep + line.strip()
        # else: preamble, a heading, or commentary after a blank line
    return bullets


def _is_chatter_after(previous: str, line: str) -> bool:
    return previous.rstrip().endswith((".", "!", "?", '"', "”")) and bool(_CHATTER.match(_strip_md(line)))


def _unmarked(lines: list[str]) -> list[str]:
    """No list markers: one bullet per line, minus headings, preambles and chatter."""
    out = []
    for line in lines:
        plain = _strip_md(line).strip()
        if not plain or _HEADING.match(line):
            continue
        if _CHATTER.match(plain) and (plain.endswith(":") or len(plain.split()) < 25):
            continue
        if plain.endswith(":") and len(plain.split()) <= 8:
            continue
        if _ANNOUNCES.search(plain) and len(plain.split()) <= 12:  # "The articles report the following."
            continue
        out.append(line)
    return out


def _json_list(text: str) -> list[str] | None:
    if not text.startswith("["):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if isinstance(value, list) and all(isinstance(x, str) for x in value):
        return value
    return None


def _strip_md(text: str) -> str:
    text = _HEADING.sub("", text)
    text = _BOLD.sub(r"\2", text)
    return _ITALIC.sub(r"\1", text)


def _clean(text: str) -> str:
    text = " ".join(_strip_md(text).split())
    return text.strip()


def _is_heading_only(bullet: str) -> bool:
    """A short label ending in a colon ("Economy:") is a section title, not a point."""
    return bullet.endswith(":") and len(bullet.split()) <= 5
