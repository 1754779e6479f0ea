"""Per-key-point decisions in a metric's ``details``.

The schema (keypoints, keypoints-llm)::

    {"references": {"<author>": {"keypoints": [{"text", "score": float, "covered": bool,
                                                "bullets": [summary bullet idx]}, ...],
                                 "bullets": [{"keypoints": [kp idx]}, ...], "values": {...}}},
     "best_reference": "<author>"}   # only with multi_ref=max
"""

from __future__ import annotations

from typing import Any


def keypoint_blocks(details: Any) -> dict[str, list[dict[str, Any]]]:
    """author -> list of key-point decisions (dicts with ``covered``); {} when not this schema."""
    if not isinstance(details, dict):
        return {}
    refs = details.get("references")
    if not isinstance(refs, dict):
        return {}
    out = {}
    for author, block in refs.items():
        kps = block.get("keypoints") if isinstance(block, dict) else None
        if isinstance(kps, list) and all(isinstance(k, dict) and isinstance(k.get("covered"), bool) for k in kps):
            out[str(author)] = kps
    return out


def decision(details: Any, author: str, index: int) -> tuple[bool, float | None] | None:
    """(covered, graded score or None) of key point ``index`` of ``author``; None when absent."""
    kps = keypoint_blocks(details).get(author)
    if kps is None or not 0 <= index < len(kps):
        return None
    score = kps[index].get("score")
    ok = isinstance(score, (int, float)) and not isinstance(score, bool)
    return kps[index]["covered"], float(score) if ok else None
