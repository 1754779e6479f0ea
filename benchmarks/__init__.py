"""Benchmark scripts: figures against human judgments and speed ratios (run as scripts)."""
