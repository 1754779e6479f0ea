"""``sumbench meta``: how well a run's metrics agree with human judgments."""

from ..errors import SumbenchError


class MetaError(SumbenchError):
    """Judgments that cannot be read or do not fit the run (``where`` is file:line:field)."""
