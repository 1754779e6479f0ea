"""Read a judge's key-point coverage answer: strict JSON asked for, parsed tolerantly.

Tolerated: code fences, text before or after the JSON, trailing commas, a bare
list instead of ``{"keypoints": [...]}``, an object keyed by key-point number,
labels in any case with synonyms (yes/no, partially, not covered ...), bullet
numbers as integers or strings ("2", "S2", "bullet 2", "1, 3").

Per key point, not per answer: an entry that cannot be read (no label, an
unknown label, a key point out of range or judged twice) leaves its key point
unlabelled, and a bullet number out of range is dropped; each is flagged with a
one-line reason. JudgmentError (one line) only when nothing usable is in the
answer; nothing is guessed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

LABELS = ("covered", "partly", "not")
SCORES = {"covered": 1.0, "partly": 0.5, "not": 0.0}

_SYNONYMS = {
    "covered": {"covered", "cover", "yes", "y", "full", "fully", "fully covered", "covered fully", "complete",
                "completely covered", "present", "supported", "fully supported", "entailed", "true", "1",
                "full coverage"},
    "partly": {"partly", "partial", "partially", "part", "partly covered", "partially covered", "somewhat",
               "partly supported", "partially supported", "0.5", "partial coverage"},
    "not": {"not", "no", "n", "none", "not covered", "uncovered", "not present", "absent", "missing",
            "not supported", "unsupported", "not mentioned", "false", "0", "no coverage"},
}
_LABEL_OF = {syn: label for label, syns in _SYNONYMS.items() for syn in syns}
_LIST_KEYS = ("keypoints", "keypointjudgments", "judgments", "judgements", "results", "items", "coverage",
              "alignment", "answer")
_INDEX_KEYS = ("keypoint", "keypointid", "keypointnumber", "keypointindex", "kp", "kpid", "id", "index", "number",
               "n")
_LABEL_KEYS = ("label", "coverage", "verdict", "judgment", "judgement", "status", "covered", "response", "answer",
               "result", "decision")
_BULLET_KEYS = ("bullets", "bulletids", "bulletid", "bulletnumbers", "bulletindices", "supportingbullets", "summarybullets",
                "sentences", "sentenceids", "sentenceid", "evidence", "support", "bullet")
_FENCE = re.compile(r"```[\w-]*\s*\n?(.*?)```", re.S)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_NUMBER = re.compile(r"^(?:(?:key\s*point|keypoint|kp|k|bullet|sentence|s|b)\s*)?#?\s*(\d+)\.?$", re.I)


class JudgmentError(ValueError):
    """The answer cannot be used; the message is the recorded reason."""


@dataclass(frozen=True)
class Judgment:
    labels: tuple[str | None, ...]  # one of LABELS per key point, in the reference's order (None: no label)
    bullets: tuple[tuple[int, ...], ...]  # 0-based summary bullets stating each key point ("not": none)
    flags: tuple[str, ...] = ()  # what was dropped, one line each
    order: tuple[int | None, ...] = ()  # the 0-based key point of each answer entry, in answer order (None: dropped)
    p_covered: tuple[float | None, ...] = ()  # P(covered) per key point, from log-probabilities (when returned)

    @property
    def missing(self) -> list[int]:
        """0-based key points without a label."""
        return [j for j, label in enumerate(self.labels) if label is None]


def parse_judgment(text: str, n_keypoints: int, n_bullets: int) -> Judgment:
    data = _json_in(text)
    entries = _entries(data)
    by_index: dict[int, tuple[str, tuple[int, ...]]] = {}
    flags: list[str] = []
    order: list[int | None] = []
    for position, entry in enumerate(entries, start=1):
        order.append(None)
        try:
            j, label, raw_bullets = _fields(entry, position)
        except JudgmentError as exc:
            flags.append(str(exc))
            continue
        if not 1 <= j <= n_keypoints:
            flags.append(f"key point {j} is out of range (the reference has {n_keypoints})")
        elif j in by_index:
            flags.append(f"key point {j} is judged twice (the first kept)")
        else:
            bullets = _bullet_numbers(raw_bullets, j, n_bullets, flags)
            by_index[j] = (label, () if label == "not" else bullets)
            order[-1] = j - 1
    if not by_index:
        why = f": {'; '.join(flags)}" if flags else ""
        raise JudgmentError(f"no usable key-point judgment in the answer (expected {n_keypoints}){why}")
    ordered = [by_index.get(j, (None, ())) for j in range(1, n_keypoints + 1)]
    return Judgment(tuple(label for label, _ in ordered), tuple(b for _, b in ordered), tuple(flags), tuple(order))


def _json_in(text: str) -> Any:
    """The first JSON object or array in the answer (inside a code fence if there is one)."""
    fence = _FENCE.search(text)
    candidates = [fence.group(1), text] if fence else [text]
    decoder = json.JSONDecoder()
    for candidate in candidates:
        for start in _outer_starts(candidate)[:20]:
            for body in (candidate, _TRAILING_COMMA.sub(r"\1", candidate[start:])):
                try:
                    value, _ = decoder.raw_decode(body, start if body is candidate else 0)
                except json.JSONDecodeError:
                    continue
                if isinstance(value, (dict, list)):
                    return value
    raise JudgmentError(f"answer is not JSON: {_snippet(text)!r}")


def _outer_starts(text: str) -> list[int]:
    """Positions of { or [ outside any bracket (so a nested object is never taken for the answer)."""
    starts, depth, in_string, escaped = [], 0, False, False
    for pos, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"' and depth > 0:
            in_string = True
        elif ch in "{[":
            if depth == 0:
                starts.append(pos)
            depth += 1
        elif ch in "}]":
            depth = max(depth - 1, 0)
    return starts


def _entries(data: Any) -> list[Any]:
    if isinstance(data, list):
        return data
    keyed = {_norm_key(k): v for k, v in data.items()}
    lists = [k for k, v in keyed.items() if isinstance(v, (list, dict)) and k not in _BULLET_KEYS]
    if not lists and any(isinstance(keyed.get(k), (str, bool)) for k in _LABEL_KEYS):  # one judgment
        return [data]
    for key in _LIST_KEYS:
        if isinstance(keyed.get(key), list):
            return keyed[key]
    lists = [v for v in data.values() if isinstance(v, list)]
    if len(lists) == 1 and all(isinstance(e, dict) for e in lists[0]):
        return lists[0]
    numbered = [(_as_int(k), v) for k, v in data.items()]
    if all(n is not None for n, _ in numbered):  # {"1": {...}, "2": "covered"}
        return [{"keypoint": n, **(v if isinstance(v, dict) else {"label": v})} for n, v in numbered]
    raise JudgmentError(f"no list of key-point judgments in the answer (keys: {', '.join(map(str, data))[:80]})")


def _fields(entry: Any, position: int) -> tuple[int, str, Any]:
    """(1-based key point, label, raw bullet numbers) of one entry."""
    if isinstance(entry, (str, bool)):  # a bare label, in order
        return position, _label(entry, position), None
    if not isinstance(entry, dict):
        raise JudgmentError(f"entry {position} is not an object: {_snippet(json.dumps(entry))!r}")
    keyed = {_norm_key(k): v for k, v in entry.items()}
    raw_index = next((keyed[k] for k in _INDEX_KEYS if k in keyed), None)
    j = _as_int(raw_index) if raw_index is not None else None
    j = position if j is None else j  # no number (or the key point's text): its position
    raw_label = next((keyed[k] for k in _LABEL_KEYS if k in keyed), None)
    if raw_label is None:
        raise JudgmentError(f"no label for key point {j}")
    raw_bullets = next((keyed[k] for k in _BULLET_KEYS if k in keyed), None)
    return j, _label(raw_label, j), raw_bullets


def _label(value: Any, j: int) -> str:
    if isinstance(value, bool):
        return "covered" if value else "not"
    text = re.sub(r"[\s_\-]+", " ", str(value)).strip(" .!\"'`*").lower()
    if text in _LABEL_OF:
        return _LABEL_OF[text]
    raise JudgmentError(f"unknown label {_snippet(str(value), 40)!r} for key point {j} (expected covered, partly or not)")


def _bullet_numbers(value: Any, j: int, n_bullets: int, flags: list[str]) -> tuple[int, ...]:
    """In-range bullet numbers (0-based); the others are dropped, with a flag."""
    if value is None or value == "" or value == []:
        return ()
    items = value if isinstance(value, list) else [value]
    numbers: set[int] = set()
    for item in items:
        parts = [p for p in item.split(",") if p.strip()] if isinstance(item, str) else [item]
        for part in parts:
            n = _as_int(part)
            if n is None:
                flags.append(f"{_snippet(str(part), 40)!r} for key point {j} is not a bullet number (dropped)")
            elif not 1 <= n <= n_bullets:
                flags.append(f"bullet {n} for key point {j} is out of range (the summary has {n_bullets};"
                             " numbers start at 1; dropped)")
            else:
                numbers.add(n - 1)
    return tuple(sorted(numbers))


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        match = _NUMBER.match(value.strip())
        return int(match.group(1)) if match else None
    return None


def _norm_key(key: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(key).lower())


def _snippet(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"
