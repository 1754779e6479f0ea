"""Helpers for LLM systems: prompts, parsing, HTTP client, retries, cache, accounting.

Every module here is import-light: httpx is imported only when a client is built.
"""
