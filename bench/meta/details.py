"""Per-key-point decisions in a metric's ``details``.

The schema (keypoints, keypoints-llm)::

    {"references": {"<author>": {"keypoints": [{"text", "score": float, "covered": bool,
                                                "bullets": [summary bullet idx]}, ...],
                                 "bullets": [{"keypoints": [kp idx]}, ...], "values": {...}}},
     "best_reference": "<author>"}   # only with multi_ref=max

The earlier one-to-one alignment of the keypoints metric (``alignment``: bullet, keypoint,
similarity, covered; ``uncovered_keypoints``) is read too: a key point is covered when its
aligned pair is, and its score is that pair's similarity (none when no bullet was aligned).
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
        if kps is None and isinstance(block, dict) and isinstance(block.get("alignment"), list):
            kps = _from_alignment(block)
        # covered None: a key point the judge left without a label (keypoints-llm)
        if isinstance(kps, list) and all(isinstance(k, dict) and (isinstance(k.get("covered"), bool) or
                                                                  k.get("covered", False) is None) for k in kps):
            out[str(author)] = kps
    return out


def decision(details: Any, author: str, index: int) -> tuple[bool, float | None] | None:
    """(covered, graded score or None) of key point ``index`` of ``author``; None when absent."""
    kps = keypoint_blocks(details).get(author)
    if kps is None or not 0 <= index < len(kps) or kps[index]["covered"] is None:
        return None
    score = kps[index].get("score")
    ok = isinstance(score, (int, float)) and not isinstance(score, bool)
    return kps[index]["covered"], float(score) if ok else None


def _from_alignment(block: dict[str, Any]) -> list[dict[str, Any]] | None:
    pairs = [a for a in block["alignment"] if isinstance(a, dict) and isinstance(a.get("keypoint"), int)]
    uncovered = [j for j in block.get("uncovered_keypoints") or [] if isinstance(j, int)]
    covered = {a["keypoint"] for a in pairs if a.get("covered")}
    n = len(covered) + len(uncovered)
    if any(not 0 <= j < n for j in covered | set(uncovered)):
        return None
    out: list[dict[str, Any]] = [{"covered": j in covered, "score": None, "bullets": []} for j in range(n)]
    for a in pairs:
        if a["keypoint"] < n:
            out[a["keypoint"]]["score"] = a.get("similarity")
            if a.get("covered") and isinstance(a.get("bullet"), int):
                out[a["keypoint"]]["bullets"] = [a["bullet"]]
    return out
