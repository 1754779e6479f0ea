"""What a data-file suite (a .jsonl/.csv/.parquet file or hf:NAME) runs when the command does not say.

A data file names no systems, metrics or budget of its own, so it gets the
product's: the systems and metrics the bundled suite names (its suite.toml;
key points, faithfulness and grounding are what sumbench is for), and, when the
systems are the default ones too, a word budget of its references' median
length, so that every system is cut to the length the references have. A
budget is never set for systems the user chose (`--system lead:n=3,per_doc=true`
alone is Multi-News First-3, uncut). What was chosen is said on the run's
first line.
"""

from __future__ import annotations

import statistics
from dataclasses import replace
from typing import Any

from ..model import Suite

#: the bundled suite's defaults (references/seed-news/suite.toml; a test keeps them equal)
SYSTEMS = ("lead", "random", "lexrank", "textrank", "centroid", "mmr", "oracle")
METRICS = ("rouge", "bertscore", "keypoints", "faithfulness", "grounding")
#: a median budget is rounded to this many words
ROUND_WORDS = 10


def reference_words(suite: Suite) -> int | None:
    """The median length of the suite's references in words, rounded to ROUND_WORDS (None: no references)."""
    from ..text.units import count_words

    lengths = [count_words(r.text()) for r in suite.references]
    if not lengths:
        return None
    return max(ROUND_WORDS, int(round(statistics.median(lengths) / ROUND_WORDS)) * ROUND_WORDS)


def with_product_defaults(suite: Suite, systems_given: bool, metrics_given: bool,
                          budget_given: bool) -> tuple[Suite, str]:
    """``suite`` with the product's defaults where it has none, and the line that says which apply
    ("" when the command chose everything itself)."""
    defaults: dict[str, Any] = dict(suite.defaults)
    said = []
    if "systems" not in defaults and not systems_given:
        defaults["systems"] = list(SYSTEMS)
        said.append(f"systems {', '.join(SYSTEMS)}")
    if "metrics" not in defaults and not metrics_given:
        defaults["metrics"] = list(METRICS)
        said.append(f"metrics {', '.join(METRICS)}")
    if not systems_given and not budget_given and "words" not in defaults and "bullets" not in defaults:
        words = reference_words(suite)
        if words:
            defaults["words"] = words
            said.append(f"budget {words} words (the references' median length)")
    if not said:
        return suite, ""
    line = (f"a data file names no defaults; sumbench's: {'; '.join(said)} "
            "(--system, --metric, --words choose others)")
    return replace(suite, defaults=defaults), line
