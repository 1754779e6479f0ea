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


def fitted_tables(title: str, head: list[str], rows: list[list[str]], columns: int, keep: int = 1,
                  right: frozenset[str] | set[str] = frozenset(), names: frozenset[str] | set[str] = frozenset()):
    """Rich tables of ``rows`` in ``columns``: the whole table when it fits, else parts of as many columns as fit,
    each repeating the first ``keep`` columns. Names (``names``) fold; other cells stay on one line."""
    from rich import box
    from rich.table import Table

    def table(picked: list[int], heading: str) -> Table:
        t = Table(title=heading or None, box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left")
        for i in picked:
            t.add_column(head[i], justify="right" if head[i] in right else "left", overflow="fold",
                         no_wrap=head[i] not in names)
        for row in rows:
            t.add_row(*(row[i] for i in picked))
        return t

    first, rest = list(range(keep)), list(range(keep, len(head)))
    parts: list[list[int]] = []
    for i in rest:
        if parts and natural_width(table(first + parts[-1] + [i], "")) <= columns:
            parts[-1].append(i)
        else:
            parts.append([i])
    if len(parts) <= 1:
        return [table(first + rest, title)]
    return [table(first + p, f"{title} (part {k + 1} of {len(parts)})") for k, p in enumerate(parts)]


def natural_width(renderable) -> int:
    """Columns a rich renderable needs when nothing wraps."""
    import io

    from rich.console import Console

    console = Console(width=10_000, file=io.StringIO(), color_system=None)
    return console.measure(renderable).maximum
