"""Build chat messages for a cluster: a template, the documents fitted to a token budget.

Template files have an optional ``[system]`` section and a ``[user]`` section
(without markers the whole file is the user message). Placeholders:
``{documents}`` (required), ``{length_instruction}``, ``{n_documents}``, ``{topic}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..budget import Budget
from ..errors import PluginError
from ..model import Cluster, Document, stable_hash
from .tokens import METHOD, estimate_tokens, truncate_to_tokens

_SECTION = re.compile(r"^\[(system|user)\]\s*$", re.M)
_PLACEHOLDER = re.compile(r"\{(documents|length_instruction|n_documents|topic)\}")
TRUNCATION_MARK = " [...]"
MIN_DOC_TOKENS = 16  # below this per document the prompt is pointless


@dataclass(frozen=True)
class Template:
    system: str
    user: str
    source: str  # built-in name or file path


@dataclass(frozen=True)
class Prompt:
    messages: list[dict[str, str]]
    meta: dict[str, Any]  # token estimate and per-document truncation

    @property
    def hash(self) -> str:
        return stable_hash(self.messages)[:16]


def load_template(spec: str, builtin_dir: Path, required: tuple[str, ...] = ("documents",)) -> Template:
    """``spec`` is a built-in name (a file in ``builtin_dir``) or a path; the user
    message must contain each ``{placeholder}`` in ``required``."""
    builtin = builtin_dir / f"{spec}.txt"
    path = builtin if builtin.is_file() else Path(spec).expanduser()
    if not path.is_file():
        names = ", ".join(sorted(p.stem for p in builtin_dir.glob("*.txt")))
        raise PluginError(f"prompt {spec!r} is neither a built-in template ({names}) nor a file")
    from ..text.normalize import TextError, decode_bytes  # the one decoding path (BOM, NUL, format chars)

    try:
        text = decode_bytes(path.read_bytes())
    except (OSError, TextError) as exc:
        line = getattr(exc, "line", None)
        raise PluginError(getattr(exc, "strerror", None) or str(exc), where=f"{path}:{line}" if line else str(path)) from None
    return parse_template(text, spec, required)


def parse_template(text: str, source: str, required: tuple[str, ...] = ("documents",)) -> Template:
    parts = _SECTION.split(text)
    sections = {"system": "", "user": parts[0].strip() if len(parts) == 1 else ""}
    for role, body in zip(parts[1::2], parts[2::2]):
        sections[role] = body.strip()
    for name in required:
        if f"{{{name}}}" not in sections["user"]:
            raise PluginError(f"prompt template {source!r}: the user message must contain {{{name}}}")
    return Template(sections["system"], sections["user"], source)


def length_instruction(budget: Budget) -> str:
    if budget.bullets and budget.words:
        return f"Write at most {budget.bullets} bullets and at most {budget.words} words in total."
    if budget.bullets:
        return f"Write at most {budget.bullets} bullets."
    if budget.words:
        return f"Use at most {budget.words} words in total."
    return "Be concise."


def doc_header(index: int, doc: Document) -> str:
    bits = [doc.source or "unknown outlet"]
    if doc.published:
        bits.append(doc.published)
    head = f"[Document {index}] {', '.join(bits)}"
    return f"{head}\nHeadline: {doc.title}" if doc.title else head


def build_prompt(template: Template, cluster: Cluster, budget: Budget, context_tokens: int) -> Prompt:
    """Messages whose estimated size fits ``context_tokens``; long documents are cut fairly."""
    values = {
        "length_instruction": length_instruction(budget),
        "n_documents": str(len(cluster.documents)),
        "topic": f" ({cluster.title})" if cluster.title else "",
    }
    headers = [doc_header(i, d) for i, d in enumerate(cluster.documents, 1)]
    skeleton = _render(template, {**values, "documents": "\n\n".join(h + "\n" for h in headers)})
    overhead = sum(estimate_tokens(m["content"]) for m in skeleton) + len(headers) * estimate_tokens(TRUNCATION_MARK)
    room = context_tokens - overhead
    if room < MIN_DOC_TOKENS * max(len(headers), 1):
        raise PluginError(
            f"context_tokens={context_tokens} is too small: the prompt without article text"
            f" already takes ~{overhead} tokens for {len(headers)} documents"
        )
    texts = [" ".join(d.text.split()) for d in cluster.documents]
    shares = fair_shares([estimate_tokens(t) for t in texts], room)
    blocks, doc_meta = [], []
    for header, doc, text, share in zip(headers, cluster.documents, texts, shares):
        kept = truncate_to_tokens(text, share)
        cut = kept != text
        blocks.append(f"{header}\n{kept}{TRUNCATION_MARK if cut else ''}")
        doc_meta.append({"id": doc.id, "tokens": estimate_tokens(text), "kept_tokens": estimate_tokens(kept), "truncated": cut})
    messages = _render(template, {**values, "documents": "\n\n".join(blocks)})
    meta = {
        "prompt_tokens_est": sum(estimate_tokens(m["content"]) for m in messages),
        "context_tokens": context_tokens,
        "token_count": METHOD,
        "documents_truncated": sum(m["truncated"] for m in doc_meta),
        "documents": doc_meta,
    }
    return Prompt(messages, meta)


def fair_shares(lengths: list[int], room: int) -> list[int]:
    """Water-filling: short documents keep everything, long ones split the rest equally."""
    shares = [0] * len(lengths)
    left = room
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    for rank, i in enumerate(order):
        give = min(lengths[i], left // (len(lengths) - rank))
        shares[i] = give
        left -= give
    return shares


def _render(template: Template, values: dict[str, str]) -> list[dict[str, str]]:
    def fill(text: str) -> str:
        return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)

    messages = [{"role": "system", "content": fill(template.system)}] if template.system else []
    return messages + [{"role": "user", "content": fill(template.user)}]
