"""Key-point coverage judged by an LLM: the prompt for one (summary, reference) pair,
and the values computed from its judgment (the key-fact alignment of FineSurE,
Song et al., ACL 2024, with a third label, "partly").

Template placeholders: ``{keypoints}`` and ``{bullets}`` (required; numbered
lists, one item a line, starting at 1), or ``{keypoint}`` (one key point's text,
for a protocol asking about one at a time) and ``{bullets}``; ``{n_keypoints}``, ``{n_bullets}``,
``{topic}`` (" (cluster title)" or empty). Only these names are replaced, so a
template may show a JSON example with braces.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from bench.llm.judge_format import numbered
from bench.llm.prompt import Template

from .judge_parse import SCORES, Judgment

PLACEHOLDERS = ("keypoints", "keypoint", "bullets", "n_keypoints", "n_bullets", "topic")
REQUIRED = ("keypoints", "bullets")
REQUIRED_ONE = ("keypoint", "bullets")  # one request per key point (SummHay's protocol)
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")
VALUE_KEYS = ("kp_recall", "kp_recall_graded", "kp_precision", "kp_f1", "kp_redundancy")


def judge_messages(template: Template, keypoints: Sequence[str], bullets: Sequence[str],
                   topic: str = "") -> list[dict[str, str]]:
    values = {
        "keypoints": numbered(keypoints),
        "keypoint": " ".join(keypoints[0].split()) if len(keypoints) == 1 else "",
        "bullets": numbered(bullets),
        "n_keypoints": str(len(keypoints)),
        "n_bullets": str(len(bullets)),
        "topic": f" ({topic})" if topic else "",
    }

    def fill(text: str) -> str:
        return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)

    messages = [{"role": "system", "content": fill(template.system)}] if template.system else []
    return messages + [{"role": "user", "content": fill(template.user)}]


def reference_result(keypoints: Sequence[str], n_bullets: int, judgment: Judgment) -> dict[str, Any]:
    """Per-reference details (shared schema with the ``keypoints`` metric) and values.

    A key point without a label has ``covered`` None and counts in no value
    (the values are over the labelled ones; ``unjudged`` says how many were not).
    """
    graded = judgment.p_covered or (None,) * len(keypoints)
    kp_rows = [_row(text, label, b, p) for text, label, b, p in zip(keypoints, judgment.labels, judgment.bullets, graded)]
    judged = [r for r in kp_rows if r["label"] is not None]
    supported: list[set[int]] = [set() for _ in range(n_bullets)]  # key points each bullet states
    for j, row in enumerate(kp_rows):
        for i in row["bullets"]:  # "not" rows have none
            supported[i].add(j)
    seen: set[int] = set()
    repeats = 0
    for s in supported:
        if s and s <= seen:  # states only key points an earlier bullet already stated
            repeats += 1
        seen |= s
    recall = sum(r["covered"] for r in judged) / len(judged)
    precision = sum(bool(s) for s in supported) / n_bullets
    values = {
        "kp_recall": recall,
        "kp_recall_graded": sum(SCORES[r["label"]] for r in judged) / len(judged),
        "kp_precision": precision,
        "kp_f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "kp_redundancy": repeats / n_bullets,
    }
    out = {"keypoints": kp_rows, "bullets": [{"keypoints": sorted(s)} for s in supported], "values": values}
    if len(judged) < len(kp_rows):
        out["unjudged"] = len(kp_rows) - len(judged)
    if judgment.flags:
        out["flags"] = list(judgment.flags)
    return out


def _row(text: str, label: str | None, bullets: tuple[int, ...], p: float | None) -> dict[str, Any]:
    """A key point's decision; its graded ``score`` is P(covered) where the server gave log-probabilities,
    else the label's score (covered 1, partly 0.5, not 0)."""
    if label is None:
        return {"text": text, "score": None, "covered": None, "label": None, "bullets": []}
    row = {"text": text, "score": SCORES[label] if p is None else p, "covered": label == "covered", "label": label,
           "bullets": list(bullets)}
    if p is not None:
        row["p_covered"] = p
    return row


def combine(per_ref: dict[str, dict[str, Any]], multi_ref: str) -> tuple[dict[str, float], str | None]:
    """Item values: the mean over references, or the reference with the best kp_f1 (first on ties)."""
    if multi_ref == "max":
        best = max(per_ref, key=lambda author: per_ref[author]["values"]["kp_f1"])
        return dict(per_ref[best]["values"]), best
    return {k: sum(r["values"][k] for r in per_ref.values()) / len(per_ref) for k in VALUE_KEYS}, None


def judgment_schema(n_keypoints: int, n_bullets: int) -> dict[str, Any]:
    """JSON schema of an answer with exactly one in-range entry per key point (servers that enforce
    it, llama.cpp and vLLM, cannot answer out of range or short)."""
    entry = {
        "type": "object",
        "properties": {
            "keypoint": _numbers(n_keypoints),
            "label": {"type": "string", "enum": list(SCORES)},
            "bullets": {"type": "array", "items": _numbers(n_bullets), "maxItems": n_bullets},
        },
        "required": ["keypoint", "label", "bullets"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {"keypoints": {"type": "array", "items": entry, "minItems": n_keypoints,
                                     "maxItems": n_keypoints}},
        "required": ["keypoints"],
        "additionalProperties": False,
    }


def _numbers(n: int) -> dict[str, Any]:
    """1..n: as an enum too, which llama.cpp's grammar enforces (it ignores minimum/maximum)."""
    return {"type": "integer", "minimum": 1, "maximum": n, "enum": list(range(1, n + 1))}


def coverage_schema(n_bullets: int) -> dict[str, Any]:
    """JSON schema of a one-key-point answer (SummHay's protocol): coverage and the bullets stating it."""
    return {
        "type": "object",
        "properties": {
            "coverage": {"type": "string", "enum": ["full", "partial", "no"]},
            "bullets": {"type": "array", "items": _numbers(n_bullets), "maxItems": n_bullets},
        },
        "required": ["coverage", "bullets"],
        "additionalProperties": False,
    }


_CITATION = re.compile(r"\s*(?:\[\d{1,4}\])+")


def strip_citations(text: str) -> str:
    """Citation markers such as ``[32][6]`` removed, so that no judge reads them as bullet numbers."""
    return " ".join(_CITATION.sub("", text).split())
