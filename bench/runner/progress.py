"""Progress reporting: rich bars on a terminal, nothing in quiet mode.

``make_reporter`` picks the quiet reporter for ``--quiet`` and whenever
stderr is not a terminal (pipes, CI logs), so scripts never see bar frames.
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator


class Reporter:
    """Quiet reporter: notices only (one line each, to stderr)."""

    def __init__(self, quiet: bool = True) -> None:
        self.quiet = quiet

    def notice(self, message: str) -> None:
        from ..terminal import fill, width

        print(fill(message, width(), "  "), end="", file=sys.stderr)  # wrapped between words, to the terminal

    @contextmanager
    def task(self, description: str, total: int) -> Iterator[Callable[..., None]]:
        yield lambda n=1: None


class RichReporter(Reporter):
    """A progress bar per system/metric step (stderr); a summary line when it ends."""

    def __init__(self, console: Any = None) -> None:
        super().__init__(quiet=False)
        from rich.console import Console

        self.console = console or Console(stderr=True)

    def notice(self, message: str) -> None:
        self.console.print(message, markup=False, highlight=False)

    @contextmanager
    def task(self, description: str, total: int) -> Iterator[Callable[..., None]]:
        if total == 0:
            yield lambda n=1: None
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        started = time.perf_counter()
        done = 0
        shown, bar = fit_bar(description, self.console.width, len(f"{total}/{total}"))
        with Progress(
            TextColumn("{task.description}"), BarColumn(bar_width=bar), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("eta"), TimeRemainingColumn(),
            console=self.console, transient=True, disable=not self.console.is_terminal,
        ) as progress:
            tid = progress.add_task(shown, total=total)

            def advance(n: int = 1) -> None:
                nonlocal done
                done += n
                progress.advance(tid, n)

            yield advance
        # the bar is transient; leave one line so a long run's log shows each step
        self.notice(f"{description}: {done}/{total} in {time.perf_counter() - started:.1f}s")


#: columns of a bar line besides the description, the bar and the count: spaces, elapsed, "eta", remaining
_FIXED = 6 + 7 + 3 + 7


def fit_bar(description: str, columns: int, count: int) -> tuple[str, int]:
    """(description, bar width) so that the line keeps its count and ETA in ``columns``: the bar
    shrinks first (to 10), then the description is cut with '…' (the full one is printed when done)."""
    room = columns - _FIXED - count - 1  # rich leaves the last column empty
    bar = max(10, min(40, room - len(description)))
    if len(description) > room - bar:
        keep = max(8, room - bar - 1)
        description = description[:keep] + "…"
    return description, bar


def make_reporter(quiet: bool, stream: Any = None) -> Reporter:
    stream = sys.stderr if stream is None else stream
    if quiet or not _is_terminal(stream):
        return Reporter()
    return RichReporter()


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
