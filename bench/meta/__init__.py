"""``sumbench meta``: how well a run's metrics agree with human judgments."""

from ..errors import MetaError

__all__ = ["MetaError"]
