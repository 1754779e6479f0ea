"""Human judgments of a run's summaries, read from a JSONL file.

One JSON object per line, either a summary score or a key-point label::

    {"cluster": "c1", "system": "lead", "score": 0.6}
    {"cluster": "c1", "system": "lead", "key_point": 2, "present": 1, "reference": "editor"}

``key_point`` is the 0-based index into the reference's bullets after empty
bullets are dropped; without ``reference`` the cluster must have exactly one
reference. ``present`` is 0, 1 or 0.5 (partly covered). Other fields (the key
point's text, the workers' votes ...) are ignored. Every bad line stops with
``FILE:LINE:FIELD: what is wrong``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..jsonl import json_objects
from ..plugins.params import did_you_mean
from . import MetaError

PRESENT = (0, 0.5, 1)


@dataclass
class Judgments:
    path: str
    # (cluster, system) -> a human score given for the whole summary
    scores: dict[tuple[str, str], float] = field(default_factory=dict)
    # (cluster, system, reference author, key point index) -> present (0, 0.5 or 1)
    labels: dict[tuple[str, str, str, int], float] = field(default_factory=dict)
    # (cluster, system) -> the subset a summary belongs to (``subset`` or ``dataset``: cnndm, xsum ...)
    subsets: dict[tuple[str, str], str] = field(default_factory=dict)

    def summary_scores(self) -> dict[tuple[str, str], float]:
        """The human score of each judged summary: its given ``score``, else the mean of its
        key points' ``present`` (a partial label counts as half)."""
        from_labels: dict[tuple[str, str], list[float]] = {}
        for (c, s, _, _), present in self.labels.items():
            from_labels.setdefault((c, s), []).append(present)
        out = {k: sum(v) / len(v) for k, v in from_labels.items()}
        out.update(self.scores)
        return out

    @property
    def derived(self) -> int:
        """Summaries whose human score comes from key-point labels."""
        return len({(c, s) for c, s, _, _ in self.labels} - set(self.scores))

    @property
    def partial(self) -> int:
        return sum(1 for v in self.labels.values() if v == 0.5)


def read_judgments(path: Path, clusters: Sequence[str], systems: Sequence[str],
                   references: Mapping[str, Mapping[str, int]] | None) -> Judgments:
    """Parse and check a judgments file.

    clusters: the run's cluster ids; systems: its system labels; references:
    cluster -> author -> number of non-empty bullets (None when the suite could
    not be reloaded: key-point labels are then refused).
    """
    out = Judgments(str(path))
    known_clusters, known_systems = set(clusters), set(systems)
    first: dict[tuple, int] = {}
    for number, at, rec in json_objects(path, MetaError, "judgments file"):
        cluster = _string(rec, "cluster", at)
        if cluster not in known_clusters:
            raise MetaError(f"unknown cluster {cluster!r}.{did_you_mean(cluster, sorted(known_clusters))}",
                            where=f"{at}:cluster")
        system = _string(rec, "system", at)
        if system not in known_systems:
            raise MetaError(f"system {system!r} is not in the run.{did_you_mean(system, sorted(known_systems))} "
                            f"Systems: {', '.join(sorted(known_systems))}", where=f"{at}:system")
        has_score, has_kp = "score" in rec, ("key_point" in rec or "present" in rec)
        if has_score == has_kp:
            raise MetaError("give either score (a summary's human score) or key_point and present (a key-point "
                            "label)", where=f"{at}:{'score' if has_score else 'key_point'}")
        if has_score:
            key: tuple = (cluster, system)
            value = _number(rec, "score", at)
            _unique(first, key, number, at, "score", f"second score for system {system!r}, cluster {cluster!r}")
            out.scores[key] = value
            subset = rec.get("subset", rec.get("dataset"))
            if subset is not None:
                if not isinstance(subset, str) or not subset.strip():
                    raise MetaError(f"must be a non-empty string, got {json.dumps(subset)[:40]}",
                                    where=f"{at}:{'subset' if 'subset' in rec else 'dataset'}")
                out.subsets[key] = subset.strip()
            continue
        if references is None:
            raise MetaError("key-point labels need the run's suite (its references), which could not be "
                            "reloaded; pass --suite", where=f"{at}:key_point")
        author = _author(rec, cluster, references.get(cluster, {}), at)
        index = rec.get("key_point")
        if isinstance(index, bool) or not isinstance(index, int):
            raise MetaError(f"must be a 0-based integer index, got {json.dumps(index)[:40]}", where=f"{at}:key_point")
        size = references[cluster][author]
        if not 0 <= index < size:
            raise MetaError(f"key point {index} out of range: reference {author!r} of cluster {cluster!r} has "
                            f"{size} key points (0-{size - 1})", where=f"{at}:key_point")
        present = rec.get("present")
        if isinstance(present, bool) or not isinstance(present, (int, float)) or present not in PRESENT:
            raise MetaError(f"must be 0, 0.5 or 1, got {json.dumps(present)[:40]}", where=f"{at}:present")
        key = (cluster, system, author, index)
        _unique(first, key, number, at, "key_point",
                f"second label for key point {index} of {author!r}, system {system!r}, cluster {cluster!r}")
        out.labels[key] = float(present)
    if not out.scores and not out.labels:
        raise MetaError("judgments file has no records", where=str(path))
    return out


def _unique(first: dict, key: tuple, number: int, at: str, fld: str, message: str) -> None:
    if key in first:
        raise MetaError(f"{message} (first on line {first[key]})", where=f"{at}:{fld}")
    first[key] = number


def _string(rec: dict[str, Any], key: str, at: str) -> str:
    value = rec.get(key)
    if value is None:
        raise MetaError("missing field", where=f"{at}:{key}")
    if not isinstance(value, str) or not value.strip():
        raise MetaError(f"must be a non-empty string, got {json.dumps(value)[:40]}", where=f"{at}:{key}")
    return value.strip()


def _number(rec: dict[str, Any], key: str, at: str) -> float:
    value = rec.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise MetaError(f"must be a finite number, got {json.dumps(value)[:40]}", where=f"{at}:{key}")
    return float(value)


def _author(rec: dict[str, Any], cluster: str, refs: Mapping[str, int], at: str) -> str:
    if "reference" in rec:
        author = _string(rec, "reference", at)
        if author not in refs:
            raise MetaError(f"cluster {cluster!r} has no reference {author!r}.{did_you_mean(author, sorted(refs))} "
                            f"References: {', '.join(sorted(refs)) or '(none)'}", where=f"{at}:reference")
        return author
    if len(refs) != 1:
        raise MetaError(f"cluster {cluster!r} has {len(refs)} references ({', '.join(sorted(refs))}); "
                        "name the one judged in \"reference\"", where=f"{at}:reference")
    return next(iter(refs))
