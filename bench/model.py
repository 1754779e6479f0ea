"""The data model: documents, clusters, references and suites."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

from .text.normalize import NORMALIZATION, normalize_text


def _normalized(obj: Any, *names: str) -> None:
    """Put the named string fields of a frozen dataclass in canonical form (None stays None)."""
    for name in names:
        value = getattr(obj, name)
        if value is not None or name in ("id", "text", "cluster_id", "author"):
            try:
                object.__setattr__(obj, name, normalize_text(value))
            except ValueError as exc:
                raise ValueError(f"{type(obj).__name__.lower()} {name}: {exc}") from None


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    source: str | None = None  # outlet name
    url: str | None = None
    title: str | None = None  # headline
    published: str | None = None  # ISO date when known

    def __post_init__(self) -> None:
        _normalized(self, "id", "text", "source", "url", "title", "published")


@dataclass(frozen=True)
class Cluster:
    id: str
    documents: tuple[Document, ...]
    title: str | None = None

    def __post_init__(self) -> None:
        _normalized(self, "id", "title")
        object.__setattr__(self, "documents", tuple(self.documents))

    def content_hash(self) -> str:
        return self._content_hash

    @functools.cached_property
    def _content_hash(self) -> str:  # once per cluster object (keys ask for it per system and metric)
        return _sha(asdict(self))


@dataclass(frozen=True)
class Reference:
    cluster_id: str
    author: str
    bullets: tuple[str, ...]
    provenance: str | None = None

    def __post_init__(self) -> None:
        _normalized(self, "cluster_id", "author", "provenance")
        if isinstance(self.bullets, str) or not isinstance(self.bullets, (list, tuple)):
            raise ValueError(f"reference bullets must be a list of strings, not {type(self.bullets).__name__}")
        bullets = []
        for k, b in enumerate(self.bullets):
            try:
                bullets.append(" ".join(normalize_text(b).split()))
            except ValueError as exc:
                raise ValueError(f"reference bullet {k + 1}: {exc}") from None
        # (an empty bullet is refused by the suite loaders, which can name its file and line)
        object.__setattr__(self, "bullets", tuple(bullets))

    def text(self) -> str:
        return "\n".join(self.bullets)


@dataclass(frozen=True)
class Suite:
    name: str
    clusters: tuple[Cluster, ...]
    references: tuple[Reference, ...]
    description: str = ""
    defaults: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""  # where it was loaded from

    def references_for(self, cluster_id: str) -> tuple[Reference, ...]:
        return self._references_by_cluster.get(cluster_id, ())

    def cluster(self, cluster_id: str) -> Cluster:
        return self._clusters_by_id[cluster_id]

    @functools.cached_property
    def _references_by_cluster(self) -> dict[str, tuple[Reference, ...]]:
        out: dict[str, list[Reference]] = {}
        for r in self.references:
            out.setdefault(r.cluster_id, []).append(r)
        return {k: tuple(v) for k, v in out.items()}

    @functools.cached_property
    def _clusters_by_id(self) -> dict[str, Cluster]:
        return {c.id: c for c in self.clusters}

    def fingerprint(self) -> str:
        """Content hash of clusters and references (not of name or path), and of
        the text normalisation rules they were read under."""
        return self._fingerprint

    @functools.cached_property
    def _fingerprint(self) -> str:
        return _sha(
            {
                "normalization": NORMALIZATION,
                "clusters": [asdict(c) for c in self.clusters],
                "references": [asdict(r) for r in self.references],
            }
        )

    def limited(self, n: int | None) -> "Suite":
        """The first ``n`` clusters (and their references)."""
        if n is None or n >= len(self.clusters):
            return self
        keep = self.clusters[:n]
        ids = {c.id for c in keep}
        return Suite(
            name=self.name,
            clusters=keep,
            references=tuple(r for r in self.references if r.cluster_id in ids),
            description=self.description,
            defaults=self.defaults,
            source=self.source,
        )


def _sha(obj: Any) -> str:
    blob = json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def stable_hash(obj: Any) -> str:
    """sha256 of the canonical JSON form of ``obj``."""
    return _sha(obj)
