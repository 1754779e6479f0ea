"""Built-in summarizer plugins: every module here is discovered automatically.

Named systems (presets, e.g. LLM endpoints) live in ``*.toml`` files here.
"""
