"""Content keys: work is identified by what it depends on, not by when it ran."""

from __future__ import annotations

from typing import Any

from ..budget import Budget
from ..model import Cluster, Reference, stable_hash


def system_identity(name: str, instance: Any, params: dict[str, Any]) -> dict[str, Any]:
    """What a system's output depends on: class, non-operational params, content.

    File-path parameters count by their content (content_fingerprint), not by
    how the path is spelt, so a run moved to another folder keeps its keys.
    """
    cls = type(instance)
    skip = getattr(cls, "operational", frozenset()) | getattr(cls, "path_params", frozenset())
    identity = {
        "name": name,
        "class": f"{cls.__module__}.{cls.__qualname__}",
        "params": {k: v for k, v in params.items() if k not in skip},
    }
    extra = instance.content_fingerprint() if hasattr(instance, "content_fingerprint") else {}
    if extra:
        identity["content"] = extra
    return identity


def summary_key(cluster: Cluster, identity: dict[str, Any], budget: Budget, output: str | None = None) -> str:
    """``output``: the fingerprint of an output given, not made (imported outputs): each cluster's own text."""
    parts = {"cluster": cluster.content_hash(), "system": identity, "budget": budget.as_dict()}
    return stable_hash({**parts, "output": output} if output is not None else parts)[:32]


def identity_hash(identity: dict[str, Any]) -> str:
    return stable_hash(identity)[:16]


def score_key(summary_key: str, bullets: list[str] | tuple[str, ...], references: tuple[Reference, ...],
              signature_hash: str) -> str:
    """A score depends on the summary's text, the references and the metric signature."""
    refs = [(r.author, r.bullets) for r in references]
    return stable_hash(
        {"summary": summary_key, "bullets": list(bullets), "references": refs, "metric": signature_hash}
    )[:32]
