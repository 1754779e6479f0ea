"""Content keys: work is identified by what it depends on, not by when it ran."""

from __future__ import annotations

from typing import Any

from ..budget import Budget
from ..model import Cluster, Reference, stable_hash


def system_identity(name: str, cls: type, params: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "class": f"{cls.__module__}.{cls.__qualname__}", "params": params}


def summary_key(cluster: Cluster, identity: dict[str, Any], budget: Budget) -> str:
    return stable_hash(
        {"cluster": cluster.content_hash(), "system": identity, "budget": budget.as_dict()}
    )[:32]


def score_key(summary: str, references: tuple[Reference, ...], signature_hash: str) -> str:
    refs = [(r.author, r.bullets) for r in references]
    return stable_hash({"summary": summary, "references": refs, "metric": signature_hash})[:32]
