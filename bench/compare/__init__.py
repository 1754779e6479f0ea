"""``sumbench compare``: paired significance tests between systems and runs."""

from ..errors import SumbenchError


class CompareError(SumbenchError):
    """Two things cannot be compared honestly (different suites, metric signatures ...)."""
