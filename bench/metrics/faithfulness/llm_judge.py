"""Faithfulness asked of an LLM: FineSurE's fact-checking step (Song et al., ACL 2024).

Each summary sentence gets "no error" or one of FRANK's error types (Pagnoni et
al., NAACL 2021). Sources longer than the model's context are judged in chunks
of whole sentences; a sentence is faithful when some chunk finds no error in
it, else it takes the first chunk's error that is not "out-of-article" (an
out-of-article answer from one chunk only says that chunk lacks the fact).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Sequence

from bench.llm.logprobs import shares
from bench.llm.tokens import estimate_tokens
from bench.model import Cluster
from bench.text.sentences import split_sentences

CATEGORIES = {
    "none": "no error", "out_of_article": "out-of-article error", "entity": "entity error",
    "predicate": "predicate error", "circumstance": "circumstantial error", "coreference": "coreference error",
    "discourse_link": "discourse link error", "other": "other error",
}
#: verdicts shared with the offline metric
VERDICT = {"none": "supported", "out_of_article": "unsupported", **{k: "contradicted" for k in
           ("entity", "predicate", "circumstance", "coreference", "discourse_link", "other")}}
_WORDS = {
    "none": ("no error", "none", "no", "correct", "faithful", "supported", "no errors"),
    "out_of_article": ("out-of-article", "out of article", "outofarticle", "oute", "not in article",
                       "unsupported", "hallucination", "extrinsic"),
    "entity": ("entity", "ente"), "predicate": ("predicate", "rele", "relation"),
    "circumstance": ("circumstantial", "circumstance", "circe"),
    "coreference": ("coreference", "corefe", "co-reference"),
    "discourse_link": ("discourse link", "discourse", "linke", "link"), "other": ("other",),
}
#: what the first token of a category value may begin: the category as the prompt writes it, or a synonym
LABEL_WORDS = {k: (CATEGORIES[k], *_WORDS[k]) for k in CATEGORIES}
_FENCE = re.compile(r"```[\w-]*\s*\n?(.*?)```", re.S)


class FactCheckError(ValueError):
    """The answer has no usable judgment at all (the message is the recorded reason)."""


@dataclass(frozen=True)
class FactCheck:
    categories: dict[int, str]  # 0-based sentence -> category key; sentences the judge skipped are absent
    reasons: dict[int, str]
    dropped: tuple[str, ...]  # entries that could not be used, and why
    order: tuple[int | None, ...] = ()  # per entry in answer order: the 0-based sentence it judged (None: dropped)
    p_faithful: dict[int, float] = field(default_factory=dict)  # 0-based sentence -> P(no error), from logprobs

    def weighed(self, logprobs: Sequence[dict[str, Any]] | None) -> "FactCheck":
        """This check with P(no error) per sentence from the answer's token log-probabilities, where the
        server returned them: the share of "no error" among the categories the first token of each
        category value weighed (``bench.llm.logprobs``)."""
        found = shares(logprobs, ("category",), LABEL_WORDS, "none", self.order)
        return FactCheck(self.categories, self.reasons, self.dropped, self.order, found) if found else self


def category_of(text: Any) -> str | None:
    t = " ".join(str(text).lower().replace("_", " ").split()).strip(" .\"'")
    for key, words in _WORDS.items():
        if t in words or any(t.startswith(w) for w in words):
            return key
    return None


def parse_fact_check(text: str, n_sentences: int) -> FactCheck:
    """Per sentence a category; an unusable entry is dropped and noted, never a reason to lose the others."""
    data = _json_in(text)
    entries = data.get("sentences") if isinstance(data, dict) else data
    if isinstance(data, dict) and entries is None:
        entries = next((v for v in data.values() if isinstance(v, list)), None)
    if not isinstance(entries, list):
        raise FactCheckError("the answer has no list of sentence judgments")
    cats: dict[int, str] = {}
    reasons: dict[int, str] = {}
    dropped = []
    order: list[int | None] = []
    for pos, entry in enumerate(entries, start=1):
        order.append(None)
        if not isinstance(entry, dict):
            dropped.append(f"entry {pos} is not an object")
            continue
        raw = entry.get("sentence", entry.get("id", pos))
        try:
            j = int(str(raw).strip().lstrip("#sS").strip())
        except ValueError:
            dropped.append(f"entry {pos}: sentence number {json.dumps(raw)[:20]} is not a number")
            continue
        if not 1 <= j <= n_sentences:
            dropped.append(f"entry {pos}: sentence {j} is out of range (1-{n_sentences})")
            continue
        cat = category_of(entry.get("category", entry.get("label", entry.get("error", ""))))
        if cat is None:
            dropped.append(f"entry {pos}: unknown category {json.dumps(entry.get('category'))[:40]}")
            continue
        if j - 1 in cats:
            dropped.append(f"entry {pos}: sentence {j} judged twice (first kept)")
            continue
        cats[j - 1] = cat
        order[-1] = j - 1
        if entry.get("reason"):
            reasons[j - 1] = str(entry["reason"])[:500]
    if not cats:
        raise FactCheckError("no usable sentence judgment" + (f" ({dropped[0]})" if dropped else ""))
    return FactCheck(cats, reasons, tuple(dropped), tuple(order))


def _json_in(text: str) -> Any:
    fenced = _FENCE.search(text)
    body = fenced.group(1) if fenced else text
    start = min([i for i in (body.find("{"), body.find("[")) if i >= 0], default=-1)
    if start < 0:
        raise FactCheckError("the answer holds no JSON")
    try:
        return json.JSONDecoder().raw_decode(re.sub(r",\s*([}\]])", r"\1", body[start:]))[0]
    except json.JSONDecodeError as exc:
        raise FactCheckError(f"the answer's JSON does not parse: {exc.msg} at character {exc.pos}") from None


def source_chunks(cluster: Cluster, room: int) -> list[str]:
    """The documents as consecutive chunks of whole sentences, each within ``room`` estimated tokens."""
    from bench.llm.prompt import doc_header

    chunks, current, size = [], [], 0
    for i, doc in enumerate(cluster.documents, 1):
        head = doc_header(i, doc)
        parts = [head] + split_sentences(doc.text)
        for k, part in enumerate(parts):
            cost = estimate_tokens(part) + 1
            if current and size + cost > room:
                chunks.append("\n".join(current))
                current, size = ([head + " (continued)"] if k else []), estimate_tokens(head) + 1
            current.append(part if cost <= room else part[: max(1, room - size) * 4])
            size += min(cost, room)
    if current:
        chunks.append("\n".join(current))
    return chunks


def combine(per_chunk: Sequence[FactCheck], n_sentences: int) -> tuple[dict[int, str], dict[int, str]]:
    """Each sentence's category over the chunks (see the module doc); unjudged sentences are absent."""
    cats: dict[int, str] = {}
    reasons: dict[int, str] = {}
    for j in range(n_sentences):
        said = [(c.categories[j], c.reasons.get(j, "")) for c in per_chunk if j in c.categories]
        if not said:
            continue
        pick = next((s for s in said if s[0] == "none"), None) or next(
            (s for s in said if s[0] != "out_of_article"), said[0])
        cats[j], reasons[j] = pick
    return cats, reasons


def p_faithful(per_chunk: Sequence[FactCheck], n_sentences: int) -> dict[int, float]:
    """Each sentence's P(no error) over the chunks: the highest any chunk gave (as a sentence is faithful
    when some chunk finds no error); absent where no chunk's answer had log-probabilities for it."""
    out: dict[int, float] = {}
    for j in range(n_sentences):
        said = [c.p_faithful[j] for c in per_chunk if j in c.p_faithful]
        if said:
            out[j] = max(said)
    return out


def answer_schema(n_sentences: int) -> dict[str, Any]:
    """The answer's JSON schema (servers that enforce one: llama.cpp, vLLM): every sentence once, in order,
    its reason before its category."""
    entry = {"type": "object", "properties": {
        "sentence": {"type": "integer", "enum": list(range(1, n_sentences + 1))},
        "reason": {"type": "string"},
        "category": {"type": "string", "enum": list(CATEGORIES.values())}},
        "required": ["sentence", "reason", "category"], "additionalProperties": False}
    return {"type": "object", "properties": {"sentences": {"type": "array", "items": entry, "minItems": n_sentences,
                                                           "maxItems": n_sentences}},
            "required": ["sentences"], "additionalProperties": False}
