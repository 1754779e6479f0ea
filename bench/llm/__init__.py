"""Helpers for LLM systems and LLM judges: prompts, parsing, HTTP client, retries, cache, accounting, sessions.

Every module here is import-light: httpx is imported only when a client is built.
"""
