"""Coverage that counts only true statements: a key point is covered faithfully when a bullet
stating it is faithful (every checkable sentence of it judged ``supported``)."""

from __future__ import annotations

from typing import Any, Sequence

RULE = ("kp_recall_faithful: share of key points covered by at least one bullet whose every checkable sentence "
        "faithfulness judges supported")


def faithful_bullets(n_bullets: int, sentences: Sequence[dict[str, Any]]) -> list[bool]:
    """Per bullet: no sentence of it judged unsupported or contradicted."""
    ok = [True] * n_bullets
    for s in sentences:
        if s["verdict"] != "supported":
            ok[s["bullet"]] = False
    return ok


def mark(reference: dict[str, Any], faithful: Sequence[bool]) -> None:
    """Add ``kp_recall_faithful`` to one reference's values and ``faithful`` to its covered key points
    (False: stated only by unfaithful bullets)."""
    rows = reference["keypoints"]
    for row in rows:
        if row["covered"]:
            row["faithful"] = any(faithful[i] for i in row["bullets"])
    reference["values"]["kp_recall_faithful"] = sum(bool(r.get("faithful")) for r in rows) / len(rows)
