"""Score the cleaner against hand-labelled lines (article | boilerplate).

A label row names a line by document id and index in ``text.split("\n")`` and
carries either the line's text or, for text that may not be redistributed
(Multi-News), only ``sha1`` (see :func:`line_hash`) to check it is the same line.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from .clean import classify_cluster


@dataclass(frozen=True)
class CleanerScore:
    """Counts and rates; "positive" = boilerplate (what the cleaner removes)."""

    boilerplate: int
    article: int
    removed_boilerplate: int  # true positives
    removed_article: int  # false positives: article lines lost
    errors: tuple[str, ...]  # "doc:line label reason text" for every mistake

    @property
    def precision(self) -> float:
        removed = self.removed_boilerplate + self.removed_article
        return self.removed_boilerplate / removed if removed else 1.0

    @property
    def recall(self) -> float:
        return self.removed_boilerplate / self.boilerplate if self.boilerplate else 1.0

    @property
    def article_lost(self) -> float:
        return self.removed_article / self.article if self.article else 0.0


def load_labels(path: str | Path) -> dict[tuple[str, int], dict]:
    rows = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows[(row["doc"], int(row["line"]))] = row
    return rows


def line_hash(text: str) -> str:
    """Short sha1 of a whitespace-normalised line (labels of licensed text keep only this)."""
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()[:12]


def _same_line(row: dict, text: str) -> bool:
    if "text" in row:
        return " ".join(row["text"].split()) == text
    return row.get("sha1") == line_hash(text)


def evaluate(clusters, labels: dict[tuple[str, int], dict]) -> CleanerScore:
    """Compare the cleaner's verdicts on a cluster (or several) with the labels."""
    clusters = [clusters] if hasattr(clusters, "documents") else list(clusters)
    counts = {"boilerplate": 0, "article": 0, "tp": 0, "fp": 0}
    errors = []
    pairs = []
    for cluster in clusters:
        verdicts = classify_cluster([d.text for d in cluster.documents], [d.title for d in cluster.documents])
        pairs.extend(zip(cluster.documents, verdicts))
    for doc, vs in pairs:
        for v in vs:
            row = labels.get((doc.id, v.index))
            if row is None:
                raise ValueError(f"no label for document {doc.id} line {v.index}: {v.text[:60]!r}")
            if not _same_line(row, v.text):
                raise ValueError(f"labelled line {doc.id}:{v.index} differs from the document's line")
            label = row["label"]
            counts[label] += 1
            removed = not v.keep
            if removed and label == "boilerplate":
                counts["tp"] += 1
            elif removed:
                counts["fp"] += 1
            if removed != (label == "boilerplate"):
                errors.append(f"{doc.id}:{v.index} labelled {label}, cleaner: {v.reason}: {v.text[:70]}")
    return CleanerScore(counts["boilerplate"], counts["article"], counts["tp"], counts["fp"], tuple(errors))
