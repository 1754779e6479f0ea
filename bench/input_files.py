"""Input files read as a stream of bounded lines.

An outputs, judgments or suite file is read a line at a time and no line may
pass ``MAX_LINE_BYTES`` (nor the file ``MAX_FILE_BYTES``): an endless or binary
input (``/dev/zero``, a pipe that never ends a line, a file of NUL bytes) stops
at once with an error naming the file and line instead of filling memory.
Pipes and devices are read the same bounded way (``--outputs <(cmd)`` works).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from .errors import SumbenchError

#: the longest line of an input file: a JSONL line holding a whole cluster's articles fits many times
MAX_LINE_BYTES = 64 * 2**20
#: the largest input file
MAX_FILE_BYTES = 8 * 2**30


def raw_lines(path: Path, error: type[SumbenchError], what: str) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, the line's bytes with its newline) for each line of ``path``; past a bound,
    or when the file cannot be read, ``error`` naming the file (and line)."""
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise error(f"cannot read {what}: {exc.strerror}", where=str(path)) from None
    with fh:
        number = total = 0
        while True:
            try:
                raw = fh.readline(MAX_LINE_BYTES + 1)
            except OSError as exc:
                raise error(f"cannot read {what}: {exc.strerror}", where=f"{path}:{number + 1}") from None
            if not raw:
                return
            number += 1
            total += len(raw)
            if len(raw.removesuffix(b"\n")) > MAX_LINE_BYTES:
                raise error(line_too_long(what), where=f"{path}:{number}")
            if total > MAX_FILE_BYTES:
                raise error(f"larger than {_size(MAX_FILE_BYTES)} (bench.input_files.MAX_FILE_BYTES): "
                            f"split the {what}", where=f"{path}:{number}")
            yield number, raw


def read_bytes(path: Path, error: type[SumbenchError], what: str) -> bytes:
    """The whole file, read within the same bounds."""
    return b"".join(raw for _, raw in raw_lines(path, error, what))


def line_too_long(what: str) -> str:
    return (f"line longer than {_size(MAX_LINE_BYTES)} (bench.input_files.MAX_LINE_BYTES): not a {what}, "
            "or a binary or endless one")


def _size(n: int) -> str:
    for unit, size in (("GiB", 2**30), ("MiB", 2**20)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n:,} bytes"
