"""Summaries aligned to their sources: ``faithfulness`` (offline), ``faithfulness-llm`` and ``grounding``,
with the one source index per process (``source``), evidence, specifics, features and calibration."""
