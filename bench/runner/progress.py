"""Progress reporting: rich bars on a terminal, nothing in quiet mode."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator


class Reporter:
    """Quiet reporter: notices only (one line each, to stderr)."""

    def __init__(self, quiet: bool = True) -> None:
        self.quiet = quiet

    def notice(self, message: str) -> None:
        print(message, file=sys.stderr)

    @contextmanager
    def task(self, description: str, total: int) -> Iterator["callable"]:
        yield lambda n=1: None


class RichReporter(Reporter):
    """A progress bar per system/metric step (stderr, transient)."""

    def __init__(self) -> None:
        super().__init__(quiet=False)
        from rich.console import Console

        self.console = Console(stderr=True)

    def notice(self, message: str) -> None:
        self.console.print(message, markup=False, highlight=False)

    @contextmanager
    def task(self, description: str, total: int) -> Iterator["callable"]:
        if total == 0:
            yield lambda n=1: None
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=self.console, transient=True, disable=not self.console.is_terminal,
        ) as progress:
            tid = progress.add_task(description, total=total)
            yield lambda n=1: progress.advance(tid, n)


def make_reporter(quiet: bool) -> Reporter:
    return Reporter() if quiet else RichReporter()
