"""JSONL input files (outputs to score, human judgments): one decoding path, one error shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from .errors import SumbenchError
from .input_files import raw_lines
from .nesting import parse_shallow
from .text.normalize import TextError, decode_bytes


def json_objects(path: Path, error: type[SumbenchError], what: str) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """(line number, ``file:line``, object) for each non-blank line; anything else is ``error`` naming the line.

    The file is read a bounded line at a time (``bench.input_files``). Text is decoded and normalised like
    every input (strict UTF-8, BOM, NFC, invisible characters); a line break inside a line (CR, U+2028)
    starts a new line, as the normalised text reads.
    """
    extra = 0  # lines that line breaks inside earlier lines added
    for physical, raw in raw_lines(path, error, what):
        try:
            text = decode_bytes(raw.removesuffix(b"\n").removesuffix(b"\r"))
        except TextError as exc:
            raise error(str(exc), where=f"{path}:{physical}") from None
        parts = text.split("\n")
        for offset, line in enumerate(parts):
            if not line.strip():
                continue
            number = physical + extra + offset
            at = f"{path}:{number}"
            try:
                rec = parse_shallow(json.loads, line, lambda msg: error(msg, where=at))
            except json.JSONDecodeError as exc:
                raise error(f"not valid JSON ({exc.msg}, column {exc.colno})", where=at) from None
            if not isinstance(rec, dict):
                raise error("each line must be a JSON object", where=at)
            yield number, at, rec
        extra += len(parts) - 1
