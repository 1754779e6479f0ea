"""``reset_caches()``: empty every process-wide cache of derived text and embeddings.

Runs keep what they compute in memory so that systems and metrics share it (a cluster
cleaned and split once, a sentence embedded once, a source index built once). Loaded
models stay loaded. Benchmarks call this to time a metric from empty caches; a
long-lived process (a notebook) may call it to free memory between suites. Only
modules already imported are touched: nothing heavy is imported here.
"""

from __future__ import annotations

import sys

#: (module, attribute): functools caches (``cache_clear``) or objects with ``clear``
_CACHES = (
    ("bench.text.sentences", "_paragraph_sentences"),
    ("bench.text.clean", "_clean_cached"),
    ("bench.text.candidates", "prepare"),
    ("bench.text.limits", "_problem"),
    ("bench.metrics.shared.vectors", "token_vectors"),
    ("bench.metrics.shared.vectors", "_porter"),
    ("bench.metrics.faithfulness.faithfulness", "_JUDGED"),
    ("bench.metrics.faithfulness.source", "SOURCES"),
    ("bench.metrics.faithfulness.words", "_normal"),
    ("bench.metrics.faithfulness.copied", "sequence"),
)


def reset_caches() -> None:
    for module_name, attr in _CACHES:
        module = sys.modules.get(module_name)
        cache = getattr(module, attr, None) if module is not None else None
        if cache is None:
            continue
        (cache.cache_clear if hasattr(cache, "cache_clear") else cache.clear)()
    embed = sys.modules.get("bench.metrics.shared.embed")
    for engine in list(getattr(embed, "LOADED", ())):
        engine.clear()


__all__ = ["reset_caches"]
