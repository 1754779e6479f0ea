"""Summaries made outside the harness, read from a JSONL outputs file.

One JSON object per line::

    {"cluster": "japan-defense-trump-visit", "system": "pegasus-multinews",
     "bullets": ["...", "..."]}          # or "text": "one string"

``text`` is split into bullets by lines (list markers stripped), or into
sentences when it is a single line. Each system in the file becomes an
ordinary system of the run (class ImportedOutputs), so the runner stores,
budgets and scores its summaries exactly like the harness's own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ..errors import SumbenchError
from ..jsonl import json_objects
from ..model import Suite, stable_hash
from ..plugins.params import did_you_mean
from ..plugins.registry import Entry, Resolved
from ..plugins.system import System, SystemOutput
from ..text.bullets import text_to_bullets
from ..text.limits import summary_too_long
from ..text.normalize import TextError, check_text, normalize_text, one_line
from ..text.units import count_words

FIELDS = ("cluster", "system", "bullets", "text", "meta")
SOURCE = "imported_from"  # the summary's meta key naming the file it came from


class OutputsError(SumbenchError):
    """An outputs file line is malformed (``where`` is file:line:field)."""


@dataclass
class ImportedOutputs(System):
    """Summaries read from an outputs file (``sumbench score``)."""

    system: str
    outputs_sha256: str  # of this system's records (provenance; each cluster's summary is keyed by its own text)
    _by_cluster: dict[str, tuple[tuple[str, ...], dict]] = field(default_factory=dict, repr=False)
    _file: str = ""
    operational: ClassVar[frozenset[str]] = frozenset({"outputs_sha256"})

    def runs_in_workers(self) -> bool:
        return False  # a lookup in data already in this process

    def has_output(self, cluster_id: str) -> bool:
        """A cluster the file has no output for is missing for this system, not failed: the runner skips it."""
        return cluster_id in self._by_cluster

    def output_fingerprint(self, cluster_id: str) -> str:
        """What the cluster's summary key depends on: its bullets and meta (another shard of the file,
        or the same file again, leaves the other clusters' summaries and scores as they are)."""
        bullets, meta = self._by_cluster[cluster_id]
        return stable_hash({"bullets": _plain(bullets), "meta": {k: v for k, v in meta.items() if k != SOURCE}})

    def summarize(self, cluster, budget, references=()):
        if cluster.id not in self._by_cluster:
            raise LookupError(f"no output for cluster {cluster.id!r} in {self._file}")
        bullets, meta = self._by_cluster[cluster.id]
        return SystemOutput(bullets, {SOURCE: self._file, **meta})  # an earlier file's cluster keeps its SOURCE


def split_text(text: str) -> list[str]:
    """Bullets from free text: its lines, or its sentences when it is one line."""
    return text_to_bullets(text, lines_are_bullets=True)


def read_outputs(path: Path, suite: Suite, first_line: dict[tuple[str, str], int] | None = None
                 ) -> dict[str, dict[str, tuple[tuple[str, ...], dict]]]:
    """system -> cluster -> (bullets, meta); errors name file:line:field. ``first_line`` is filled with
    the line of each (system, cluster)."""
    clusters = [c.id for c in suite.clusters]
    out: dict[str, dict[str, tuple[tuple[str, ...], dict]]] = {}
    first_line = {} if first_line is None else first_line
    for number, at, rec in json_objects(path, OutputsError, "outputs file"):
        for key in rec:
            if key not in FIELDS:
                raise OutputsError(f"unknown field.{did_you_mean(key, list(FIELDS))} Fields: {', '.join(FIELDS)}",
                                   where=f"{at}:{key}")
        cluster = _string(rec, "cluster", at)
        if cluster not in clusters:
            raise OutputsError(f"cluster {cluster!r} is not in suite {suite.name!r}.{did_you_mean(cluster, clusters)}",
                               where=f"{at}:cluster")
        system = _string(rec, "system", at)
        bullets = _bullets(rec, at)
        meta = rec.get("meta", {})
        if not isinstance(meta, dict):
            raise OutputsError("must be an object", where=f"{at}:meta")
        if (system, cluster) in first_line:
            raise OutputsError(
                f"second output for system {system!r}, cluster {cluster!r} (first on line {first_line[system, cluster]})",
                where=f"{at}:cluster",
            )
        first_line[system, cluster] = number
        out.setdefault(system, {})[cluster] = (tuple(bullets), meta)
    if not out:
        raise OutputsError("outputs file has no records", where=str(path))
    return out


def _string(rec: dict[str, Any], key: str, at: str) -> str:
    value = rec.get(key)
    if value is None:
        raise OutputsError("missing field", where=f"{at}:{key}")
    if not isinstance(value, str) or not _visible(value, f"{at}:{key}"):
        raise OutputsError(f"must be a non-empty string, got {json.dumps(value)[:40]}", where=f"{at}:{key}")
    text = normalize_text(value).strip()
    if not one_line(text):  # a name is one line of a table
        raise OutputsError(f"must be one line without control characters (a line break, a tab ...), got "
                           f"{json.dumps(value)[:40]}", where=f"{at}:{key}")
    return text


def _visible(text: str, where: str) -> str:
    """The normalised text (empty when only invisible characters); broken Unicode is an error."""
    try:
        return check_text(text).strip()
    except TextError as exc:
        raise OutputsError(str(exc), where=where) from None


def _bullets(rec: dict[str, Any], at: str) -> list[str]:
    if ("bullets" in rec) == ("text" in rec):
        raise OutputsError("give exactly one of bullets (list of strings) or text (string)", where=f"{at}:bullets")
    if "text" in rec:
        text = rec["text"]
        if not isinstance(text, str) or not _visible(text, f"{at}:text"):
            raise OutputsError("must be a non-empty string", where=f"{at}:text")
        _check_length([text], f"{at}:text")  # before splitting it into sentences
        return split_text(normalize_text(text))
    bullets = rec["bullets"]
    if not isinstance(bullets, list) or not bullets:
        raise OutputsError("must be a non-empty list of strings", where=f"{at}:bullets")
    for k, b in enumerate(bullets):
        if not isinstance(b, str):
            raise OutputsError(f"item {k} must be a string, got {json.dumps(b)[:40]}", where=f"{at}:bullets")
    kept = [normalize_text(b).strip() for b in bullets if _visible(b, f"{at}:bullets")]  # empty bullets dropped
    if not kept:
        raise OutputsError("every bullet is empty (empty bullets are dropped; at least one must have text)",
                           where=f"{at}:bullets")
    _check_length(kept, f"{at}:bullets")
    return kept


def _check_length(texts: list[str], where: str) -> None:
    too_long = summary_too_long(sum(count_words(t) for t in texts))
    if too_long:
        raise OutputsError(too_long, where=where)


def imported_systems(path: Path, records: dict[str, dict[str, tuple[tuple[str, ...], dict]]],
                     lines: dict[tuple[str, str], int], taken: dict[str, str] | None = None,
                     run_dir: Path | None = None) -> list[Resolved]:
    """One runner system per system name in the file (``read_outputs``: its records and their lines).

    ``taken``: labels already in the run directory ``run_dir`` -> their class; an imported
    name may not replace a harness system of the same name. A name imported before gets
    this file's clusters added to those it has (shards of one system's outputs); a cluster
    it has with other bullets is refused, naming the line.
    """
    cls_name = f"{ImportedOutputs.__module__}.{ImportedOutputs.__qualname__}"
    resolved = []
    for name, by_cluster in records.items():
        if taken and name in taken and taken[name] != cls_name:
            raise OutputsError(
                f"system name {name!r} is already a harness system in this run directory; rename it in the file",
                where=str(path),
            )
        if taken and name in taken and run_dir is not None:
            by_cluster = _merged(earlier_outputs(run_dir, name), by_cluster, name, path, lines, run_dir)
        digest = stable_hash({c: list(b) for c, (b, _) in sorted(by_cluster.items())})
        inst = ImportedOutputs(system=name, outputs_sha256=digest, _by_cluster=by_cluster, _file=str(path))
        entry = Entry("system", name, ImportedOutputs, f"outputs file {path}", doc="imported outputs")
        resolved.append(Resolved(entry, inst, {}))
    return resolved


def earlier_outputs(run_dir: Path, label: str) -> dict[str, tuple[tuple[str, ...], dict]]:
    """cluster -> (bullets, meta) of the imported system ``label`` as the run holds it (its current summaries)."""
    from .store import load_run

    manifest, summaries, _ = load_run(run_dir)
    identity = manifest.get("systems", {}).get(label, {}).get("identity")
    out: dict[str, tuple[tuple[str, ...], dict]] = {}
    for rec in summaries.values():  # in append order: the last one wins
        if rec.get("system") == label and rec.get("identity") == identity and rec.get("status") == "ok":
            out[rec["cluster"]] = (tuple(rec.get("raw_bullets") or rec["bullets"]), dict(rec.get("meta") or {}))
    return out


def _merged(earlier: dict, new: dict, name: str, path: Path, lines: dict, run_dir: Path) -> dict:
    for cluster, (bullets, _) in new.items():
        if cluster in earlier and _plain(earlier[cluster][0]) != _plain(bullets):
            source = earlier[cluster][1].get(SOURCE, "an earlier outputs file")
            raise OutputsError(
                f"system {name!r} already has other bullets for cluster {cluster!r} in {run_dir} (from {source}); "
                "rename the system in the file, or score into another folder (--out)",
                where=f"{path}:{lines[name, cluster]}:bullets")
    return {**earlier, **new}


def _plain(bullets: tuple[str, ...] | list[str]) -> list[str]:
    """Bullets as budgets count them (whitespace collapsed, empty ones dropped)."""
    return [" ".join(b.split()) for b in bullets if b.split()]
