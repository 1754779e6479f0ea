"""Suites from data files or the hub, through ``datasets.load_dataset``.

Formats:
  multi_news  {"document": "a1 ||||| a2 ...", "summary": "– prose"}; the
              summary's sentences become the reference bullets.
  generic     columns mapped with --columns, defaults
              id=id, documents=documents, reference=reference, title=title;
              documents: a list of strings or one string split on |||||;
              reference: a list of bullets, or a string (Markdown bullets or
              prose split into sentences); several columns joined by + give
              several references, named after their columns.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Iterable

from ..errors import SuiteError
from ..model import Cluster, Document, Reference, Suite
from ..text.bullets import text_to_bullets
from ..text.sentences import split_sentences
from .validate import validate_suite

log = logging.getLogger(__name__)

FORMATS = ("multi_news", "generic")
DATA_SUFFIXES = {".jsonl": "json", ".json": "json", ".parquet": "parquet", ".csv": "csv"}
GENERIC_DEFAULTS = {"id": "id", "documents": "documents", "reference": "reference", "title": "title"}
MULTI_NEWS_SEP = "|||||"


def load_rows(source: str, split: str | None = None) -> tuple[Iterable[dict[str, Any]], str, int]:
    """(rows, display name, first data line offset) for a local file or ``hf:NAME[:split]``."""
    try:
        import datasets
    except ImportError:  # pragma: no cover - a required dependency
        raise SuiteError("the 'datasets' package is required for data-file suites") from None
    datasets.disable_progress_bars()
    if source.startswith("hf:"):
        name, _, hub_split = source[3:].partition(":")
        split = hub_split or split or "test"
        try:
            ds = datasets.load_dataset(name, split=split)
        except Exception as exc:
            raise SuiteError(
                f"cannot load {name!r} split {split!r} from the Hugging Face hub "
                f"(offline? download it and pass the local file): {type(exc).__name__}: {exc}",
                where=source,
            ) from None
        return ds, f"{name}-{split}", 0
    path = Path(source)
    builder = DATA_SUFFIXES.get(path.suffix.lower())
    if builder is None:
        raise SuiteError(
            f"unsupported data file type {path.suffix!r} (use {', '.join(DATA_SUFFIXES)})", where=source
        )
    if not path.is_file():
        raise SuiteError("file not found", where=source)
    try:
        ds = datasets.load_dataset(builder, data_files=str(path), split="train")
    except Exception as exc:
        raise SuiteError(f"cannot read data file: {type(exc).__name__}: {exc}", where=source) from None
    first_line = 2 if builder == "csv" else 1
    name = f"{path.parent.name}-{path.stem}" if path.parent.name else path.stem
    return ds, name, first_line


def load_tabular_suite(
    source: str,
    fmt: str,
    columns: dict[str, str] | None = None,
    name: str | None = None,
    split: str | None = None,
) -> Suite:
    if fmt not in FORMATS:
        raise SuiteError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    rows, stem, first_line = load_rows(source, split)
    clusters, references = [], []
    mapping = {**GENERIC_DEFAULTS, **(columns or {})}
    unknown = set(columns or {}) - set(GENERIC_DEFAULTS)
    if unknown:
        raise SuiteError(f"unknown column role {sorted(unknown)[0]!r}; roles: {', '.join(GENERIC_DEFAULTS)}")
    empty_docs = 0
    for index, row in enumerate(rows):
        where = f"{source}:{index + first_line}" if first_line else f"{source} row {index}"
        if fmt == "multi_news":
            cluster, ref = _multi_news_row(row, index, where)
            refs = (ref,)
        else:
            cluster, refs = _generic_row(row, index, where, mapping)
        empty_docs += sum(1 for d in cluster.documents if not d.text.strip())
        clusters.append(cluster)
        references.extend(refs)
    if empty_docs:
        log.warning("%s: %d empty document(s) kept as empty", source, empty_docs)
    suite = Suite(
        name=name or stem,
        clusters=tuple(clusters),
        references=tuple(references),
        description=f"{fmt} data from {source}",
        source=source,
    )
    validate_suite(suite, where=source)
    return suite


def _field(row: dict[str, Any], key: str, where: str) -> Any:
    if key not in row:
        raise SuiteError(f"missing field {key!r} (fields: {', '.join(map(str, row))})", where=f"{where}: {key}")
    value = row[key]
    if value is None:
        raise SuiteError(f"missing field {key!r} (empty or null)", where=f"{where}: {key}")
    return value


def _multi_news_row(row: dict[str, Any], index: int, where: str) -> tuple[Cluster, Reference]:
    document = _field(row, "document", where)
    summary = _field(row, "summary", where)
    if not isinstance(document, str) or not isinstance(summary, str):
        raise SuiteError("'document' and 'summary' must be strings", where=where)
    cid = str(row.get("id", f"{index:05d}"))
    docs = _split_documents(document, cid)
    text = summary.strip()
    if text.startswith(("–", "-", "—")):
        text = text[1:].strip()
    bullets = tuple(split_sentences(text))
    if not bullets:
        raise SuiteError("empty reference summary", where=f"{where}: summary")
    return Cluster(cid, docs), Reference(cid, "multi_news", bullets, provenance="Newser summary")


def _split_documents(text: str, cid: str) -> tuple[Document, ...]:
    parts = [p.strip() for p in text.split(MULTI_NEWS_SEP)]
    return tuple(Document(id=f"{cid}-{i}", text=p) for i, p in enumerate(parts))


def _generic_row(row: dict[str, Any], index: int, where: str, mapping: dict[str, str]) -> tuple[Cluster, tuple[Reference, ...]]:
    cid = str(row.get(mapping["id"], f"{index:05d}") or f"{index:05d}")
    raw_docs = _field(row, mapping["documents"], where)
    if isinstance(raw_docs, str):
        docs = _split_documents(raw_docs, cid)
    elif isinstance(raw_docs, (list, tuple)) and all(isinstance(d, str) for d in raw_docs):
        docs = tuple(Document(id=f"{cid}-{i}", text=d) for i, d in enumerate(raw_docs))
    else:
        raise SuiteError("documents must be a string or a list of strings", where=f"{where}: {mapping['documents']}")
    columns = [c.strip() for c in mapping["reference"].split("+") if c.strip()]
    refs = tuple(Reference(cid, col if len(columns) > 1 else "reference", _bullets(row, col, where))
                 for col in columns)
    title = row.get(mapping["title"])
    return Cluster(cid, docs, title=str(title) if title else None), refs


def _bullets(row: dict[str, Any], column: str, where: str) -> tuple[str, ...]:
    raw_ref = _field(row, column, where)
    if isinstance(raw_ref, (list, tuple)):
        bullets = tuple(str(b).strip() for b in raw_ref if str(b).strip())
    elif isinstance(raw_ref, str):
        bullets = tuple(text_to_bullets(raw_ref))
    else:
        raise SuiteError("reference must be a string or a list of strings", where=f"{where}: {column}")
    if not bullets:
        raise SuiteError("empty reference", where=f"{where}: {column}")
    return bullets


