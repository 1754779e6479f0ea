"""Resampling statistics over clusters: intervals, paired tests, corrections.

Everything here takes plain sequences of floats and an explicit seed, so a
result is reproducible from the run manifest (seed) and the resample count.
"""

DEFAULT_RESAMPLES = 1000
CONFIDENCE = 0.95
