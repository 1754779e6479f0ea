"""Suites as plain files a person edits by hand.

references/<suite>/
  suite.toml                      name, description, [defaults]
  <cluster-id>/
    cluster.toml                  title (optional)
    documents/<doc-id>.txt        +++ TOML header +++ then the text as scraped
    references/<author>.md        +++ TOML header +++ then a Markdown bullet list

Document header fields: id, outlet, url, title, published. Reference header
fields: author, provenance, cluster (defaults to the folder's cluster id).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import tomllib
from pathlib import Path
from typing import Any

from ..errors import SuiteError
from ..input_files import read_bytes
from ..nesting import parse_shallow
from ..model import Cluster, Document, Reference, Suite
from ..plugins.params import did_you_mean
from ..text.bullets import MARKER
from ..text.normalize import TextError, decode_bytes, describe
from .validate import validate_suite

log = logging.getLogger(__name__)

_DOC_FIELDS = {"id", "outlet", "url", "title", "published"}
_REF_FIELDS = {"author", "provenance", "cluster"}
_CLUSTER_FIELDS = {"id", "title"}
_BARE_MARKER = re.compile(r"\s*(?:[-*+•]|\d+[.)])\s*")
_SUITE_FIELDS = {"name", "description", "defaults"}
_DEFAULTS_FIELDS = {"words", "bullets", "systems", "metrics"}


def is_suite_dir(path: Path) -> bool:
    return path.is_dir() and (path / "suite.toml").is_file()


def load_suite_dir(root: Path) -> Suite:
    meta = _read_toml(root / "suite.toml")
    name, description, defaults = _suite_settings(meta, root / "suite.toml", root.name)
    clusters, references = [], []
    folders: dict[str, Path] = {}
    ref_files: list[tuple[Reference, Path]] = []
    for cdir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        cluster, refs = _load_cluster(cdir)
        if cluster.id in folders:
            raise SuiteError(
                f"duplicate cluster id {cluster.id!r} (also used by {folders[cluster.id]})",
                where=f"{cdir / 'cluster.toml'}: id",
            )
        folders[cluster.id] = cdir
        clusters.append(cluster)
        references.extend(r for r, _ in refs)
        ref_files.extend(refs)
    for ref, path in ref_files:
        if ref.cluster_id not in folders:
            raise SuiteError(f"reference is for unknown cluster {ref.cluster_id!r}", where=f"{path}: cluster")
    with_refs = {r.cluster_id for r in references}
    for cid, cdir in folders.items():
        if cid not in with_refs:
            raise SuiteError(f"cluster {cid!r} has no reference (add references/<author>.md)", where=str(cdir))
    suite = Suite(
        name=name,
        description=description,
        clusters=tuple(clusters),
        references=tuple(references),
        defaults=defaults,
        source=str(root),
    )
    validate_suite(suite, where=str(root))
    return suite


def _suite_settings(meta: dict[str, Any], path: Path, default_name: str) -> tuple[str, str, dict[str, Any]]:
    """(name, description, defaults) of suite.toml, every key and type checked."""
    _check_keys(meta, _SUITE_FIELDS, path, "")
    name = _string_field(meta, "name", path) or default_name
    description = _string_field(meta, "description", path) or ""
    defaults = meta.get("defaults", {})
    if not isinstance(defaults, dict):
        raise SuiteError(f"must be a [defaults] table, got {describe(defaults)}", where=f"{path}: defaults")
    _check_keys(defaults, _DEFAULTS_FIELDS, path, "defaults.")
    for key in ("words", "bullets"):
        value = defaults.get(key)
        if value is not None and (type(value) is not int or value < 1):
            raise SuiteError(f"must be a whole number >= 1, got {describe(value)}", where=f"{path}: defaults.{key}")
    for key in ("systems", "metrics"):
        value = defaults.get(key)
        if value is not None and (not isinstance(value, list) or not value
                                  or not all(isinstance(v, str) and v.strip() for v in value)):
            raise SuiteError(f'must be a non-empty list of specs like ["lead", "lead:n=5"], got {describe(value)}',
                             where=f"{path}: defaults.{key}")
    return name, description, dict(defaults)


def _check_keys(table: dict[str, Any], allowed: set[str], path: Path, prefix: str) -> None:
    for key in table:
        if key not in allowed:
            raise SuiteError(f"unknown setting {prefix + key!r}.{did_you_mean(key, sorted(allowed))}"
                             f" Allowed: {', '.join(prefix + k for k in sorted(allowed))}", where=f"{path}: {prefix}{key}")


def _string_field(table: dict[str, Any], key: str, path: Path) -> str | None:
    value = table.get(key)
    if value is not None and not isinstance(value, str):
        raise SuiteError(f"must be a string, got {describe(value)}", where=f"{path}: {key}")
    return value


def _load_cluster(cdir: Path) -> tuple[Cluster, list[tuple[Reference, Path]]]:
    meta = _read_toml(cdir / "cluster.toml") if (cdir / "cluster.toml").exists() else {}
    _check_keys(meta, _CLUSTER_FIELDS, cdir / "cluster.toml", "")
    cid = _string_field(meta, "id", cdir / "cluster.toml") or cdir.name
    _string_field(meta, "title", cdir / "cluster.toml")
    doc_dir, ref_dir = cdir / "documents", cdir / "references"
    if not doc_dir.is_dir():
        raise SuiteError("cluster has no documents/ folder", where=str(cdir))
    docs = tuple(_load_document(p) for p in sorted(doc_dir.iterdir()) if not p.is_dir() and not p.name.startswith("."))
    refs = []
    if ref_dir.is_dir():
        for p in sorted(ref_dir.glob("*.md")):
            refs.append((_load_reference(p, cid), p))
    return Cluster(id=cid, documents=docs, title=meta.get("title")), refs


def _load_document(path: Path) -> Document:
    header, body, _ = _split_front_matter(path)
    _check_fields(header, _DOC_FIELDS, path)
    text = body.strip("\n")
    doc = _build(path, Document,
        id=str(header.get("id", path.stem)),
        text=text,
        source=_opt(header, "outlet"),
        url=_opt(header, "url"),
        title=_opt(header, "title"),
        published=_opt(header, "published"),
    )
    if not text.strip():
        log.warning("%s: document is empty", path)
    return doc


def _load_reference(path: Path, cluster_id: str) -> Reference:
    header, body, body_line = _split_front_matter(path)
    _check_fields(header, _REF_FIELDS, path)
    bullets: list[str] = []
    for offset, line in enumerate(body.split("\n")):
        if not line.strip():
            continue
        if _BARE_MARKER.fullmatch(line):
            raise SuiteError("empty bullet: no visible text after the list marker (invisible characters such as"
                             " zero-width spaces are removed)", where=f"{path}:{body_line + offset}")
        if MARKER.match(line):
            bullets.append(MARKER.sub("", line).strip())
        elif line.startswith((" ", "\t")) and bullets:
            bullets[-1] += " " + line.strip()  # wrapped continuation line
        else:
            raise SuiteError(
                f"expected a Markdown bullet ('- text'), got {line.strip()[:60]!r}",
                where=f"{path}:{body_line + offset}",
            )
    if not bullets:
        raise SuiteError("reference has no bullets", where=str(path))
    return _build(path, Reference,
        cluster_id=str(header.get("cluster", cluster_id)),
        author=str(header.get("author", path.stem)),
        bullets=tuple(bullets),
        provenance=_opt(header, "provenance"),
    )


def _split_front_matter(path: Path) -> tuple[dict[str, Any], str, int]:
    """(header, body, 1-based line number where the body starts)."""
    text = _read_text(path)
    lines = text.split("\n")
    lines = [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    if not lines or lines[0].strip() != "+++":
        return {}, text, 1
    for i in range(1, len(lines)):
        if lines[i].strip() == "+++":
            try:
                header = parse_shallow(tomllib.loads, "".join(lines[1:i]), lambda msg: SuiteError(msg, where=str(path)))
            except tomllib.TOMLDecodeError as exc:
                raise SuiteError(f"invalid TOML header: {exc}", where=str(path)) from None
            return header, "".join(lines[i + 1 :]), i + 2
    raise SuiteError("TOML header opened with +++ is never closed", where=f"{path}:1")


def _check_fields(header: dict, allowed: set[str], path: Path) -> None:
    for key, value in header.items():
        if key not in allowed:
            raise SuiteError(
                f"unknown field {key!r}.{did_you_mean(key, sorted(allowed))} Allowed: {', '.join(sorted(allowed))}",
                where=f"{path}: {key}",
            )
        if isinstance(value, (dt.date, dt.time)) and key == "published":
            header[key] = value.isoformat()  # an unquoted TOML date
        elif not isinstance(value, (str, int)) or isinstance(value, bool):
            raise SuiteError(f"field {key!r} must be a string, got {describe(value)}", where=f"{path}: {key}")


def _opt(header: dict, key: str) -> str | None:
    value = header.get(key)
    return None if value is None else str(value)


def _build(path: Path, cls: type, **fields: Any) -> Any:
    """A Document or Reference; a value the model refuses is an error naming the file."""
    try:
        return cls(**fields)
    except ValueError as exc:
        raise SuiteError(str(exc), where=str(path)) from None


def _read_text(path: Path) -> str:
    """The one way suite files are read: strict UTF-8, BOM dropped, normalised text."""
    if not path.exists():
        raise SuiteError("file not found", where=str(path))
    if path.is_dir():
        raise SuiteError("is a folder, expected a file", where=str(path))
    if not path.is_file():
        raise SuiteError("not a regular file (a device, pipe or socket): a suite is read more than once",
                         where=str(path))
    data = read_bytes(path, SuiteError, "suite file")  # bounded lines: not /dev/zero's endless one
    try:
        return decode_bytes(data)
    except TextError as exc:
        raise SuiteError(str(exc), where=f"{path}:{exc.line}" if exc.line else str(path)) from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return parse_shallow(tomllib.loads, _read_text(path), lambda msg: SuiteError(msg, where=str(path)))
    except tomllib.TOMLDecodeError as exc:
        raise SuiteError(f"invalid TOML: {exc}", where=str(path)) from None
