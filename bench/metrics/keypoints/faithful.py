"""Coverage that counts only true statements: a key point is covered faithfully when a bullet
stating it is faithful (every checkable sentence of it judged ``supported``).

Where the key-point family takes the faithfulness family (one way: faithfulness imports nothing
of keypoints); both key-point metrics get their judge and its signature here."""

from __future__ import annotations

from typing import Any, Callable, Sequence

RULE = ("kp_recall_faithful: share of key points covered by at least one bullet whose every checkable sentence "
        "faithfulness judges supported")


def faithfulness_judge(**params: Any):
    """The offline faithfulness metric that judges the bullets (its own calibrated model)."""
    from ..faithfulness.faithfulness import Faithfulness

    return Faithfulness(**params)


def faithful_signature(judge) -> dict[str, Any]:
    """What kp_recall_faithful depends on: the rule and the judge's signature (or why it has none)."""
    why = judge.unavailable_reason()
    return {"rule": RULE, **({"unavailable": why} if why else {"faithfulness": judge.signature()})}


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


def add_faithful(judge, items: Sequence, out: list, clean: Callable[[Sequence[str]], list[str]],
                 combine: Callable[[dict[str, Any]], float]) -> None:
    """Give every scored result of a key-point metric ``kp_recall_faithful`` and per key point ``faithful``.

    ``judge``: a Faithfulness metric; ``clean``: the bullets the metric numbers (its indices);
    ``combine``: per-reference details -> the item's value (mean, or the chosen reference's).
    Where faithfulness cannot judge, details say why and the value is absent (never 0).
    """
    from bench.plugins import ItemFailure, MetricResult, ScoreItem

    scored = [i for i, r in enumerate(out) if isinstance(r, MetricResult)]
    why = judge.unavailable_reason()
    verdicts = [None] * len(scored) if why else judge.judge_items(
        [ScoreItem(items[i].system, items[i].cluster, tuple(clean(items[i].bullets)), ()) for i in scored])
    for i, judged in zip(scored, verdicts):
        details = out[i].details
        if judged is None or isinstance(judged, ItemFailure):
            details["faithful"] = {"unavailable": why or judged.reason}
            details.setdefault("absent", {})["kp_recall_faithful"] = f"faithfulness: {why or judged.reason}"
            continue
        faithful = faithful_bullets(len(clean(items[i].bullets)), judged)
        for ref in details["references"].values():
            mark(ref, faithful)
        details["faithful"] = {"bullets": faithful}
        out[i].values["kp_recall_faithful"] = combine(details)
