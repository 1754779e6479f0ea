"""One decoding and one normalisation path for all text that enters sumbench.

Suite files, data files, imported outputs, system output and references all
pass through here, so invisible differences cannot change a score:

- bytes are decoded as strict UTF-8; a byte-order mark at the start is dropped;
  invalid bytes are an error naming the line and column;
- Unicode format characters (category Cf: zero-width space/joiner/non-joiner,
  soft hyphen, word joiner, BOM, bidirectional controls) are removed;
- control characters are removed (NUL, escape ...), except tab and newline;
  CR LF, CR and the other line separators (U+2028, U+2029, NEL, VT, FF) become
  a newline;
- text is put in Unicode normal form C (composed accents), so NFD and NFC
  spellings of a word are the same word;
- an unpaired surrogate (a broken ``\\ud800`` JSON escape) becomes U+FFFD here;
  readers that can name the file and line refuse it instead (``check_text``).

``NORMALIZATION`` names these rules; it is part of every suite fingerprint so
runs made under other rules are never mixed with these.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

NORMALIZATION = "utf8-nfc-nocf-v1"

_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ASCII_ODD = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def _dropped(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat == "Cf" or (cat == "Cc" and ch not in "\t\n")


# characters already classified (kept / dropped): a text's characters are looked up as a set
_KEPT: set[str] = set()
_DROPPED: set[str] = set()


def _drop_table(text: str) -> dict[int, None]:
    chars = set(text)
    for ch in chars - _KEPT - _DROPPED:
        (_DROPPED if _dropped(ch) else _KEPT).add(ch)
    return {ord(ch): None for ch in chars & _DROPPED}


class TextError(ValueError):
    """Text that cannot be normalised (not a string, broken Unicode, bad bytes).

    ``line`` is the 1-based line of bad bytes, when known.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def normalize_text(text: str) -> str:
    """The canonical form of ``text`` (see module docstring); idempotent."""
    if not isinstance(text, str):
        raise TextError(f"expected a string, got {describe(text)}")
    if text.isascii():
        if not _ASCII_ODD.search(text):
            return text
    text = _SURROGATE.sub("\ufffd", text)
    text = _LINE_BREAKS.sub("\n", text)
    drop = _drop_table(text)
    if drop:
        text = text.translate(drop)
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def check_text(text: Any) -> str:
    """``normalize_text`` for input that can say where it came from: broken Unicode
    (an unpaired surrogate from a bad ``\\u`` escape) is refused instead of replaced."""
    if isinstance(text, str) and not text.isascii():
        bad = _SURROGATE.search(text)
        if bad:
            raise TextError(f"broken Unicode: unpaired surrogate U+{ord(bad.group()):04X} (a bad \\u escape?)")
    return normalize_text(text)


def decode_bytes(data: bytes) -> str:
    """Strict UTF-8 (BOM dropped), then ``normalize_text``.

    Raises ``TextError`` naming line and column of the first invalid byte.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TextError("not valid UTF-8: the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8", line=1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise TextError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at column {col}); save the file as UTF-8",
                        line=line) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return normalize_text(text)


def one_line(text: str) -> bool:
    """No line break, tab or other control character: text that stays on one line of a table."""
    return not any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in text)


def describe(value: Any) -> str:
    """``1 (a number)``, ``None``, ``{...} (an object)`` for error messages."""
    kind = {str: "a string", bool: "a boolean", int: "a number", float: "a number", list: "a list", tuple: "a list",
            dict: "an object"}.get(type(value), type(value).__name__)
    text = repr(value)
    return f"{text if len(text) <= 30 else text[:29] + '…'} ({kind})"
