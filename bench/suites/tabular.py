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

import json
import logging
from pathlib import Path
from typing import Any, Iterable

from .. import input_files
from ..errors import SuiteError
from ..nesting import parse_shallow
from ..model import Cluster, Document, Reference, Suite
from ..text.bullets import text_to_bullets
from ..text.normalize import TextError, decode_bytes, describe, normalize_text
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
        raise SuiteError("not a regular file (a data file is read more than once)" if path.exists()
                         else "file not found", where=source)
    if builder in ("json", "csv"):
        check_text_file(path, json_lines=path.suffix.lower() == ".jsonl")
    datasets.logging.set_verbosity(datasets.logging.CRITICAL)  # its own report of a bad file would repeat ours
    try:
        ds = datasets.load_dataset(builder, data_files=str(path), split="train")
    except Exception as exc:
        raise SuiteError(f"cannot read data file: {_root_cause(exc)}", where=source) from None
    first_line = 2 if builder == "csv" else 1
    name = f"{path.parent.name}-{path.stem}" if path.parent.name else path.stem
    return ds, name, first_line


def _root_cause(exc: BaseException) -> str:
    """'Type: message' of the innermost cause (datasets wraps the parser's error), on one line."""
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return " ".join(f"{type(exc).__name__}: {exc}".split())


def check_text_file(path: Path, json_lines: bool = False, chunk_size: int = 1 << 24) -> None:
    """Refuse a text data file that is not UTF-8 (and, for JSON Lines, a line that is
    not JSON), naming the line; read in chunks."""
    line = 1
    carry = b""
    try:
        with path.open("rb") as fh:
            while True:
                chunk = fh.read(chunk_size)
                data = carry + chunk
                cut = data.rfind(b"\n") + 1 if chunk else len(data)  # decode whole lines only
                try:
                    decode_bytes(data[:cut])
                except TextError as exc:
                    at = f"{path}:{exc.line + line - 1}" if exc.line else str(path)
                    raise SuiteError(str(exc), where=at) from None
                if json_lines:
                    _check_json_lines(data[:cut], path, line)
                _check_line_lengths(data[:cut], path, line)
                line += data.count(b"\n", 0, cut)
                carry = data[cut:]
                if len(carry) > input_files.MAX_LINE_BYTES:
                    raise SuiteError(input_files.line_too_long("data file"), where=f"{path}:{line}")
                if not chunk:
                    return
    except OSError as exc:
        raise SuiteError(f"cannot read file: {exc.strerror}", where=str(path)) from None


def _check_line_lengths(data: bytes, path: Path, first: int) -> None:
    if len(data) > input_files.MAX_LINE_BYTES:
        for number, raw in enumerate(data.split(b"\n"), start=first):
            if len(raw) > input_files.MAX_LINE_BYTES:
                raise SuiteError(input_files.line_too_long("data file"), where=f"{path}:{number}")


def _check_json_lines(data: bytes, path: Path, first: int) -> None:
    for number, raw in enumerate(data.split(b"\n"), start=first):
        raw = raw.removeprefix(b"\xef\xbb\xbf") if number == 1 else raw
        if not raw.strip():
            continue
        try:
            row = parse_shallow(json.loads, raw, lambda msg: SuiteError(msg, where=f"{path}:{number}"))
        except ValueError as exc:
            raise SuiteError(f"not valid JSON ({getattr(exc, 'msg', exc)}, column {getattr(exc, 'colno', '?')});"
                             " each line of a .jsonl file is one JSON object", where=f"{path}:{number}") from None
        if not isinstance(row, dict):
            raise SuiteError(f"each line of a .jsonl file must be a JSON object, got {describe(row)}",
                             where=f"{path}:{number}")


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
        try:
            if fmt == "multi_news":
                cluster, ref = _multi_news_row(row, index, where)
                refs = (ref,)
            else:
                cluster, refs = _generic_row(row, index, where, mapping)
        except ValueError as exc:  # text the data model refuses
            raise SuiteError(str(exc), where=where) from None
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
    text = normalize_text(summary).strip()
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
    raw_id = row.get(mapping["id"])
    if raw_id is not None and (isinstance(raw_id, bool) or not isinstance(raw_id, (str, int))):
        raise SuiteError(f"id must be a string or a whole number, got {describe(raw_id)}", where=f"{where}: {mapping['id']}")
    cid = normalize_text(str(raw_id)).strip() if raw_id is not None else ""
    cid = cid or f"{index:05d}"
    docs_col = mapping["documents"]
    raw_docs = _field(row, docs_col, where)
    if isinstance(raw_docs, str):
        docs = _split_documents(raw_docs, cid)
    elif isinstance(raw_docs, (list, tuple)) and raw_docs:
        for k, d in enumerate(raw_docs):
            if not isinstance(d, str):
                raise SuiteError(f"document {k} must be a string, got {describe(d)}", where=f"{where}: {docs_col}[{k}]")
        docs = tuple(Document(id=f"{cid}-{i}", text=d) for i, d in enumerate(raw_docs))
    else:
        raise SuiteError(f"documents must be a string or a non-empty list of strings, got {describe(raw_docs)}",
                         where=f"{where}: {docs_col}")
    columns = [c.strip() for c in mapping["reference"].split("+") if c.strip()]
    refs = tuple(Reference(cid, col if len(columns) > 1 else "reference", _bullets(row, col, where))
                 for col in columns)
    title = row.get(mapping["title"])
    if title is not None and not isinstance(title, str):
        raise SuiteError(f"title must be a string, got {describe(title)}", where=f"{where}: {mapping['title']}")
    return Cluster(cid, docs, title=title or None), refs


def _bullets(row: dict[str, Any], ref_col: str, where: str) -> tuple[str, ...]:
    raw_ref = _field(row, ref_col, where)
    if isinstance(raw_ref, (list, tuple)):
        items = []
        for k, b in enumerate(raw_ref):
            if not isinstance(b, str):
                raise SuiteError(f"reference bullet {k} must be a string, got {describe(b)}", where=f"{where}: {ref_col}[{k}]")
            if not normalize_text(b).strip():
                raise SuiteError(f"reference bullet {k} is empty (no visible text)", where=f"{where}: {ref_col}[{k}]")
            items.append(b)
        bullets = tuple(items)
    elif isinstance(raw_ref, str):
        bullets = tuple(text_to_bullets(normalize_text(raw_ref)))
    else:
        raise SuiteError(f"reference must be a string or a list of strings, got {describe(raw_ref)}",
                         where=f"{where}: {ref_col}")
    if not bullets:
        raise SuiteError("empty reference", where=f"{where}: {ref_col}")
    return bullets


