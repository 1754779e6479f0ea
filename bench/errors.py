"""Errors the CLI turns into one readable line."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator


class SumbenchError(Exception):
    """A user-facing error: bad input, unknown plugin, unusable data.

    ``where`` names the file (and line or field) at fault when known.
    """

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class UsageError(SumbenchError):
    """A bad command line: an option or parameter value, or options that do not go together (exit 2)."""


class SuiteError(SumbenchError):
    """A suite on disk or in a data file is malformed."""


class PluginError(SumbenchError):
    """A system/metric name, parameter or plugin module is wrong."""


class PluginFileError(PluginError):
    """A file a plugin parameter names (a prompt template) is unreadable or malformed: bad input, not a bad
    command line."""


class MetricUnavailable(SumbenchError):
    """A metric cannot be computed here (missing model or package)."""


class RunError(SumbenchError):
    """A run directory is unusable or inconsistent with the request."""


@contextlib.contextmanager
def naming(path: str | Path) -> Iterator[None]:
    """An OSError while writing ``path`` that names no file (No space left on device, File too large)
    names it, for the one-line error."""
    try:
        yield
    except OSError as exc:
        if exc.filename is None:
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None
        raise


class CompareError(SumbenchError):
    """Two things cannot be compared honestly (different suites, metric signatures ...)."""


class MetaError(SumbenchError):
    """Judgments that cannot be read or do not fit the run (``where`` is file:line:field)."""
