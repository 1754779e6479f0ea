"""The width text output is laid out for: ``COLUMNS``, else the terminal's, else 80."""

from __future__ import annotations

import re
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


#: a name breaks after these (``llm:model=qwen2.5-coder,temperature=0.7``), not before a "/" ("http://" stays
#: whole); a piece longer than its column is cut
_NAME_PIECE = re.compile(r"(?:[^:,=/_\- ]|[:,=/_\- ](?=/))*[:,=/_\- ]?")
#: a name column is never made narrower than this to fit a table
MIN_NAME_WIDTH = 12


def name_pieces(name: str) -> list[str]:
    """``name`` cut after each place it may break (the terminal's tables and the HTML report break long
    names at the same places)."""
    return [p for p in _NAME_PIECE.findall(name) if p]


def wrap_name(name: str, columns: int) -> str:
    """``name`` in lines of at most ``columns``, broken after ``:,=/_-`` or a space where it can be
    (each of its own lines on its own)."""
    if "\n" in name:
        return "\n".join(wrap_name(line, columns) for line in name.split("\n"))
    if len(name) <= columns:
        return name
    lines, line = [], ""
    for piece in name_pieces(name):
        if line and len(line.rstrip()) + len(piece.rstrip()) > columns:
            lines.append(line.rstrip())
            line = ""
        while len(piece.rstrip()) > columns:
            lines.append(piece[:columns])
            piece = piece[columns:]
        line += piece
    if line.strip():
        lines.append(line.rstrip())
    return "\n".join(lines)


def fit_names(head: list[str], rows: list[list[str]], names: frozenset[str] | set[str], columns: int,
              build) -> list[list[str]]:
    """``rows`` with the cells of the ``names`` columns wrapped at name boundaries so that the table
    ``build(head, rows)`` makes fits ``columns`` (each name column gets an equal share of what the
    other columns leave, at least MIN_NAME_WIDTH)."""
    picked = [i for i, h in enumerate(head) if h in names]
    if not picked or natural_width(build(head, rows)) <= columns:
        return rows
    blank = [[("" if i in picked else c) for i, c in enumerate(r)] for r in rows]
    rest = natural_width(build(head, blank)) - sum(len(head[i]) for i in picked)
    share = max(MIN_NAME_WIDTH, (columns - rest) // len(picked))
    return [[wrap_name(c, share) if i in picked else c for i, c in enumerate(r)] for r in rows]


def fitted_tables(title: str, head: list[str], rows: list[list[str]], columns: int, keep: int = 1,
                  right: frozenset[str] | set[str] = frozenset(), names: frozenset[str] | set[str] = frozenset()):
    """Rich tables of ``rows`` in ``columns``: the whole table when it fits (long names folded at their
    boundaries), else parts of as many columns as fit, each repeating the first ``keep`` columns. Names
    (``names``) fold; other cells stay on one line."""
    from rich import box
    from rich.table import Table

    def build(picked_head: list[str], picked_rows: list[list[str]], heading: str = "") -> Table:
        t = Table(title=heading or None, box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left")
        for h in picked_head:
            t.add_column(h, justify="right" if h in right else "left", overflow="fold", no_wrap=h not in names)
        for row in picked_rows:
            t.add_row(*row)
        return t

    def table(picked: list[int], heading: str, fit: bool = True) -> Table:
        sub_head, sub_rows = [head[i] for i in picked], [[row[i] for i in picked] for row in rows]
        return build(sub_head, fit_names(sub_head, sub_rows, names, columns, build) if fit else sub_rows, heading)

    first, rest = list(range(keep)), list(range(keep, len(head)))
    if natural_width(table(first + rest, "")) <= columns:  # whole, once long names fold
        return [table(first + rest, title)]
    parts: list[list[int]] = []
    for i in rest:
        if parts and natural_width(table(first + parts[-1] + [i], "", fit=False)) <= columns:
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
