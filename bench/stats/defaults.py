"""The resampling defaults every interval and paired test shares."""

DEFAULT_RESAMPLES = 1000
CONFIDENCE = 0.95
