"""JSONL input files (outputs to score, human judgments): one decoding path, one error shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from .errors import SumbenchError
from .nesting import parse_shallow
from .text.normalize import TextError, decode_bytes


def json_objects(path: Path, error: type[SumbenchError], what: str) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """(line number, ``file:line``, object) for each non-blank line; anything else is ``error`` naming the line.

    Text is decoded and normalised like every input (strict UTF-8, BOM, NFC, invisible characters).
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise error(f"cannot read {what}: {exc.strerror}", where=str(path)) from None
    try:
        lines = decode_bytes(data).split("\n")
    except TextError as exc:
        raise error(str(exc), where=f"{path}:{exc.line}" if exc.line else str(path)) from None
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        at = f"{path}:{number}"
        try:
            rec = parse_shallow(json.loads, raw, lambda msg: error(msg, where=at))
        except json.JSONDecodeError as exc:
            raise error(f"not valid JSON ({exc.msg}, column {exc.colno})", where=at) from None
        if not isinstance(rec, dict):
            raise error("each line must be a JSON object", where=at)
        yield number, at, rec
