"""Errors the CLI turns into one readable line."""

from __future__ import annotations


class SumbenchError(Exception):
    """A user-facing error: bad input, unknown plugin, unusable data.

    ``where`` names the file (and line or field) at fault when known.
    """

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class SuiteError(SumbenchError):
    """A suite on disk or in a data file is malformed."""


class PluginError(SumbenchError):
    """A system/metric name, parameter or plugin module is wrong."""


class MetricUnavailable(SumbenchError):
    """A metric cannot be computed here (missing model or package)."""


class RunError(SumbenchError):
    """A run directory is unusable or inconsistent with the request."""


class CompareError(SumbenchError):
    """Two things cannot be compared honestly (different suites, metric signatures ...)."""


class MetaError(SumbenchError):
    """Judgments that cannot be read or do not fit the run (``where`` is file:line:field)."""
