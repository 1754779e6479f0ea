"""Build chat messages for a cluster: a template, the documents fitted to a token budget.

Template files have an optional ``[system]`` section and a ``[user]`` section
(without markers the whole file is the user message). Placeholders:
``{documents}`` (required), ``{length_instruction}``, ``{n_documents}``, ``{topic}``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..budget import Budget
from ..errors import PluginError, PluginFileError
from ..model import Cluster, Document, stable_hash
from .client import ChatError
from .tokens import ESTIMATE, MESSAGE_OVERHEAD, METHOD, TokenCounter, estimate_tokens, truncate_to_tokens

_SECTION = re.compile(r"^\[(system|user)\]\s*$", re.M)
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
        raise PluginFileError(getattr(exc, "strerror", None) or str(exc), where=f"{path}:{line}" if line else str(path)) from None
    return parse_template(text, spec, required)


def parse_template(text: str, source: str, required: tuple[str, ...] = ("documents",)) -> Template:
    parts = _SECTION.split(text)
    sections = {"system": "", "user": parts[0].strip() if len(parts) == 1 else ""}
    for role, body in zip(parts[1::2], parts[2::2]):
        sections[role] = body.strip()
    for name in required:
        if f"{{{name}}}" not in sections["user"]:
            raise PluginFileError(f"prompt template {source!r}: the user message must contain {{{name}}}")
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


def build_prompt(template: Template, cluster: Cluster, budget: Budget, context_tokens: int,
                 reserve: int = 0, counter: TokenCounter = ESTIMATE, extra: dict[str, str] | None = None) -> Prompt:
    """Messages that fit ``context_tokens`` with ``reserve`` tokens left for the answer
    (counted by ``counter``); long documents are cut fairly. ``extra``: more placeholders
    (name -> text), filled in the same pass (a text holding ``{documents}`` stays as it is).

    PluginError (naming the limit) when even the prompt without article text does not fit.
    """
    values = {
        "length_instruction": length_instruction(budget),
        "n_documents": str(len(cluster.documents)),
        "topic": f" ({cluster.title})" if cluster.title else "",
        **(extra or {}),
    }
    headers = [doc_header(i, d) for i, d in enumerate(cluster.documents, 1)]
    skeleton = _render(template, {**values, "documents": "\n\n".join(h + "\n" for h in headers)})
    overhead = (sum(counter.count(m["content"]) + MESSAGE_OVERHEAD for m in skeleton)
                + len(headers) * counter.count(TRUNCATION_MARK))
    limit = context_tokens - reserve
    room = limit - overhead
    if room < MIN_DOC_TOKENS * max(len(headers), 1):
        raise PluginError(
            f"context window too small: {context_tokens} tokens minus {reserve} for the answer (max_tokens)"
            f" leaves {limit}, and the prompt without article text already takes ~{overhead} tokens"
            f" for {len(headers)} documents"
        )
    texts = [" ".join(d.text.split()) for d in cluster.documents]
    lengths = [counter.count(t) for t in texts]
    for _ in range(3):  # a real tokenizer may count the joined prompt a little differently
        messages, doc_meta = _fill(template, values, headers, cluster, texts, lengths, room, counter)
        total = sum(counter.count(m["content"]) + MESSAGE_OVERHEAD for m in messages)
        if total <= limit:
            break
        room -= total - limit
    else:
        raise PluginError(f"prompt of {total} tokens does not fit {limit} ({context_tokens} minus {reserve}"
                          " for the answer) after fitting the documents")
    meta = {
        "prompt_tokens_est": total,
        "context_tokens": context_tokens,
        "reserved_for_answer": reserve,
        "token_count": counter.method,
        "documents_truncated": sum(m["truncated"] for m in doc_meta),
        "documents": doc_meta,
    }
    return Prompt(messages, meta)


def server_counter(server: Any) -> TokenCounter:
    """Token counts by the server's tokenizer (a ServerInfo with a tokenize route), else the estimate;
    each text counted once (a judge's prompts repeat the same articles)."""
    if not server.tokenize:
        return ESTIMATE
    return TokenCounter(functools.lru_cache(maxsize=1024)(server.count_tokens), f"server tokenizer ({server.tokenize})")


def fit_prompt(template: Template, cluster: Cluster, budget: Budget, context_tokens: int, reserve: int,
               counter: TokenCounter, extra: dict[str, str] | None = None) -> Prompt:
    """build_prompt() by ``counter``; by the estimate when the server's tokenizer does not answer
    (said in the prompt's meta ``token_count``)."""
    try:
        return build_prompt(template, cluster, budget, context_tokens, reserve, counter, extra)
    except ChatError as exc:
        if counter is ESTIMATE:
            raise
        fallback = TokenCounter(estimate_tokens, f"{METHOD} (the server's tokenizer did not answer: "
                                                 f"{exc.reason[:160]})")
        return build_prompt(template, cluster, budget, context_tokens, reserve, fallback, extra)


def _fill(template: Template, values: dict[str, str], headers: list[str], cluster: Cluster, texts: list[str],
          lengths: list[int], room: int, counter: TokenCounter) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    shares = fair_shares(lengths, room)
    blocks, doc_meta = [], []
    for header, doc, text, n, share in zip(headers, cluster.documents, texts, lengths, shares):
        kept = text if n <= share else truncate_to_tokens(text, share, counter)
        cut = kept != text
        blocks.append(f"{header}\n{kept}{TRUNCATION_MARK if cut else ''}")
        doc_meta.append({"id": doc.id, "tokens": n, "kept_tokens": counter.count(kept) if cut else n, "truncated": cut})
    return _render(template, {**values, "documents": "\n\n".join(blocks)}), doc_meta


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
    names = re.compile(r"\{(" + "|".join(map(re.escape, values)) + r")\}")  # only these names: a JSON example stays

    def fill(text: str) -> str:
        return names.sub(lambda m: values[m.group(1)], text)

    messages = [{"role": "system", "content": fill(template.system)}] if template.system else []
    return messages + [{"role": "user", "content": fill(template.user)}]
