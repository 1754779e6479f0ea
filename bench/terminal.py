"""The width text output is laid out for: ``COLUMNS``, else the terminal's, else 80."""

from __future__ import annotations

import shutil
import textwrap

#: narrower than this, tables cannot hold their numbers; lay them out for this and let lines wrap
MIN_WIDTH = 40


def width() -> int:
    """Columns of the terminal the output goes to (``COLUMNS`` first, 80 when not a terminal)."""
    return max(MIN_WIDTH, shutil.get_terminal_size((80, 24)).columns)


def fill(line: str, columns: int, indent: str = "") -> str:
    """``line`` wrapped at word boundaries to ``columns``; `commands in backticks` stay on one line."""
    parts = line.split("`")
    kept = "`".join(p.replace(" ", "\0") if i % 2 else p for i, p in enumerate(parts))
    text = textwrap.fill(kept, width=max(columns, 20), subsequent_indent=indent, break_long_words=False,
                         break_on_hyphens=False)
    return text.replace("\0", " ") + "\n"
