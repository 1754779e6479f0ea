"""``rubric-llm``: an LLM judge's ratings on named criteria, its criteria and score reading."""
