"""Resampling statistics over clusters: intervals, paired tests, corrections.

Everything here takes plain sequences of floats and an explicit seed, so a
result is reproducible from the run manifest (seed) and the resample count.
"""

from .defaults import CONFIDENCE, DEFAULT_RESAMPLES

__all__ = ["CONFIDENCE", "DEFAULT_RESAMPLES"]
