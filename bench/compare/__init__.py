"""``sumbench compare``: paired significance tests between systems and runs."""

from ..errors import CompareError

__all__ = ["CompareError"]
