"""A bullet's text cut into plain and flagged segments, from faithfulness details.

``faithfulness`` gives spans per sentence (offsets into the sentence as it split
the bullet); here they are placed in the bullet as shown: the sentence is
looked up in the bullet, the span in the sentence; a span that cannot be
placed is left out of the highlighting (still listed in the sentence's title).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

FLAGGED = ("contradicted", "unsupported")


@dataclass(frozen=True)
class Segment:
    text: str
    status: str = ""  # "", contradicted or unsupported
    title: str = ""  # what the reader sees on hover
    says: str = ""  # contradicted: what the sources state in its place (shown beside it)


def span_title(span: dict[str, Any]) -> str:
    if span.get("status") == "contradicted":
        return f"contradicted: the sources say {span.get('source_says', '?')!r} here"
    return f"unsupported: this {span.get('kind', 'specific')} occurs in no source document"


def segments(bullet: str, sentences: Sequence[dict[str, Any]]) -> list[Segment]:
    """The bullet as segments; ``sentences`` are faithfulness's judged sentences of this bullet."""
    marks: list[tuple[int, int, str, str]] = []
    cursor = 0
    for sent in sentences:
        text = str(sent.get("sentence", ""))
        at = bullet.find(text, cursor) if text else -1
        if at < 0:
            continue
        cursor = at + len(text)
        for span in sent.get("spans") or []:
            if span.get("status") not in FLAGGED:
                continue
            start, end = span.get("start"), span.get("end")
            if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text) \
                    and text[start:end] == span.get("text"):
                says = str(span.get("source_says") or "") if span["status"] == "contradicted" else ""
                marks.append((at + start, at + end, span["status"], span_title(span), says))
    out, pos = [], 0
    for start, end, status, title, says in sorted(marks):
        if start < pos:
            continue  # overlapping spans: the first is shown
        if start > pos:
            out.append(Segment(bullet[pos:start]))
        out.append(Segment(bullet[start:end], status, title, says))
        pos = end
    if pos < len(bullet):
        out.append(Segment(bullet[pos:]))
    return out
