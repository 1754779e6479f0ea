"""Human judgments of a run's summaries, read from a JSONL file.

One JSON object per line, either a summary's ratings or a key-point label::

    {"cluster": "c1", "system": "lead", "score": 0.6}
    {"cluster": "c1", "system": "lead", "coherence": 3.7, "consistency": 5, "fluency": 5, "relevance": 4}
    {"cluster": "c1", "system": "lead", "key_point": 2, "present": 1, "reference": "editor"}

Rating dimensions: on a summary line (one without ``key_point``/``present``),
every field other than those of RESERVED is a dimension when it holds a number
on at least one summary line of the file (``score`` is the dimension named
score); fields that never do (text, a list of the raters' votes ...) are
ignored. A dimension must then be a finite number or ``null`` (not rated) on
every summary line. ``dimensions`` names the ones to read instead, and every
other field is ignored.

``key_point`` is the 0-based index into the reference's bullets after empty
bullets are dropped; without ``reference`` the cluster must have exactly one
reference. ``present`` is 0, 1 or 0.5 (partly covered). Every bad line stops
with ``FILE:LINE:FIELD: what is wrong``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..errors import MetaError
from ..jsonl import json_objects
from ..plugins.params import did_you_mean

PRESENT = (0, 0.5, 1)
SCORE = "score"  # the dimension of a plain human score, and of the score key-point labels give
RESERVED = frozenset({"cluster", "system", "key_point", "present", "reference", "subset", "dataset"})


@dataclass
class Judgments:
    path: str
    # dimension -> (cluster, system) -> the summary's human rating, in the file's order of dimensions
    ratings: dict[str, dict[tuple[str, str], float]] = field(default_factory=dict)
    # (cluster, system, reference author, key point index) -> present (0, 0.5 or 1)
    labels: dict[tuple[str, str, str, int], float] = field(default_factory=dict)
    # (cluster, system) -> the subset a summary belongs to (``subset`` or ``dataset``: cnndm, xsum ...)
    subsets: dict[tuple[str, str], str] = field(default_factory=dict)
    # dimension -> summary lines that give it as null (not rated)
    unrated: dict[str, int] = field(default_factory=dict)
    # the dimensions read, in the file's order; ``score`` too when key-point labels give it
    dimensions: list[str] = field(default_factory=list)

    @property
    def scores(self) -> dict[tuple[str, str], float]:
        """The given ``score`` of each summary (none derived from labels)."""
        return self.ratings.get(SCORE, {})


    def summary_scores(self, dimension: str = SCORE) -> dict[tuple[str, str], float]:
        """The human rating of each judged summary on ``dimension``; for ``score``, a summary without one
        gets the mean of its key points' ``present`` (a partial label counts as half)."""
        out: dict[tuple[str, str], float] = {}
        if dimension == SCORE:
            from_labels: dict[tuple[str, str], list[float]] = {}
            for (c, s, _, _), present in self.labels.items():
                from_labels.setdefault((c, s), []).append(present)
            out = {k: sum(v) / len(v) for k, v in from_labels.items()}
        out.update(self.ratings.get(dimension, {}))
        return out

    @property
    def derived(self) -> int:
        """Summaries whose human score comes from key-point labels."""
        return len({(c, s) for c, s, _, _ in self.labels} - set(self.scores))

    @property
    def partial(self) -> int:
        return sum(1 for v in self.labels.values() if v == 0.5)


def read_judgments(path: Path, clusters: Sequence[str], systems: Sequence[str],
                   references: Mapping[str, Mapping[str, int]] | None,
                   dimensions: Sequence[str] | None = None) -> Judgments:
    """Parse and check a judgments file.

    clusters: the run's cluster ids; systems: its system labels; references:
    cluster -> author -> number of non-empty bullets (None when the suite could
    not be reloaded: key-point labels are then refused); dimensions: the rating
    dimensions to read (None: every one the file has).
    """
    out = Judgments(str(path))
    known_clusters, known_systems = set(clusters), set(systems)
    first: dict[tuple, int] = {}
    summary_lines: list[tuple[str, tuple[str, str], dict[str, Any]]] = []
    label_lines: list[tuple[str, dict[str, Any]]] = []
    for number, at, rec in json_objects(path, MetaError, "judgments file"):
        cluster = _string(rec, "cluster", at)
        if cluster not in known_clusters:
            raise MetaError(f"unknown cluster {cluster!r}.{did_you_mean(cluster, sorted(known_clusters))}",
                            where=f"{at}:cluster")
        system = _string(rec, "system", at)
        if system not in known_systems:
            raise MetaError(f"system {system!r} is not in the run.{did_you_mean(system, sorted(known_systems))} "
                            f"Systems: {', '.join(sorted(known_systems))}", where=f"{at}:system")
        has_score, has_kp = SCORE in rec, ("key_point" in rec or "present" in rec)
        if has_kp:
            if has_score:
                raise MetaError("give either score (a summary's human score) or key_point and present (a "
                                "key-point label)", where=f"{at}:score")
            _label(out, first, number, at, rec, cluster, system, references)
            label_lines.append((at, rec))
            continue
        key = (cluster, system)
        _unique(first, key, number, at, _first_field(rec),
                f"second rating line for system {system!r}, cluster {cluster!r}")
        summary_lines.append((at, key, rec))
        subset = rec.get("subset", rec.get("dataset"))
        if subset is not None:
            if not isinstance(subset, str) or not subset.strip():
                raise MetaError(f"must be a non-empty string, got {json.dumps(subset)[:40]}",
                                where=f"{at}:{'subset' if 'subset' in rec else 'dataset'}")
            out.subsets[key] = subset.strip()
    names = _dimension_names(summary_lines, dimensions, out, path)
    _read_ratings(out, names, summary_lines, label_lines, explicit=dimensions is not None)
    out.dimensions = names + [SCORE] if out.labels and SCORE not in names and (
        dimensions is None or SCORE in dimensions) else names
    if not summary_lines and not out.labels:
        raise MetaError("judgments file has no records", where=str(path))
    return out


def _read_ratings(out: Judgments, names: list[str], summary_lines, label_lines, explicit: bool) -> None:
    """Each summary line's rating on each dimension (a finite number, or null: not rated), into ``out``."""
    out.ratings = {d: {} for d in names}
    out.unrated = {d: 0 for d in names}
    first_line = {d: next(at for at, _, r in summary_lines if d in r) for d in names}
    for at, rec in label_lines:
        for d in names:
            if d in rec:
                raise MetaError(f"a key-point label carries no rating: give {d} on its summary's own line "
                                f"(without key_point and present)", where=f"{at}:{d}")
    for at, key, rec in summary_lines:
        if not explicit and not any(d in rec for d in names):
            other = [k for k in rec if k not in RESERVED]
            raise MetaError((f"no rating: no number in {', '.join(other[:3])}; " if other else "")
                            + "give either score or named rating dimensions (numbers: a summary's human "
                            "ratings), or key_point and present (a key-point label)",
                            where=f"{at}:{other[0] if other else 'key_point'}")
        for d in names:
            if d not in rec:
                raise MetaError(f"missing rating {d!r} (line {first_line[d].rsplit(':', 1)[1]} has it); write "
                                f"null where a summary was not rated on it", where=f"{at}:{d}")
            if rec[d] is None:
                out.unrated[d] += 1
                continue
            out.ratings[d][key] = _number(rec, d, at)


def _dimension_names(lines, wanted: Sequence[str] | None, out: Judgments, path: Path) -> list[str]:
    """The dimensions to read: ``wanted`` (checked), else every field that is a number on some summary line."""
    found: dict[str, None] = {}
    for _, _, rec in lines:
        for k, v in rec.items():
            if k not in RESERVED and (_is_number(v) or k == SCORE or k in (wanted or ())):
                found.setdefault(k)
    if wanted is None:
        return list(found)
    available = list(found) + ([SCORE] if out.labels and SCORE not in found else [])
    for d in wanted:
        if d not in available:
            raise MetaError(f"--dimension: no rating dimension {d!r} in {path}.{did_you_mean(d, available)} "
                            f"Dimensions: {', '.join(available) or '(none)'}")
    return [d for d in dict.fromkeys(wanted) if d in found]


def _label(out: Judgments, first: dict, number: int, at: str, rec: dict[str, Any], cluster: str, system: str,
           references: Mapping[str, Mapping[str, int]] | None) -> None:
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


def _first_field(rec: dict[str, Any]) -> str:
    return SCORE if SCORE in rec else next((k for k in rec if k not in RESERVED), "system")


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


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(rec: dict[str, Any], key: str, at: str) -> float:
    value = rec.get(key)
    if not _is_number(value) or not math.isfinite(value):
        raise MetaError(f"must be a finite number or null (not rated), got {json.dumps(value)[:40]}",
                        where=f"{at}:{key}")
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
