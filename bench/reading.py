"""How to read a results table: what a few clusters can say, and why two systems score alike.

Lines printed under a table (text and Markdown) where the numbers alone would
puzzle: one cluster ranks nothing (a random system can come first), two
systems that wrote the same summaries have the same scores by construction,
and a value on which every system scores the same tells them nothing apart.
"""

from __future__ import annotations

from .results import RunResults, value_name


def reading_notes(results: RunResults) -> list[str]:
    return [*_few_clusters(results), *_same_summaries(results), *_same_values(results)]


def _few_clusters(results: RunResults) -> list[str]:
    ranked = [s for s in results.systems if not s.upper_bound and s.status == "ok"]
    scored = max((len(s.clusters) for s in ranked), default=0)
    if len(ranked) < 2 or scored != 1:
        return []
    return ["one cluster ranks nothing: on a single cluster any system, random included, can come first by "
            "chance, and no difference can be tested; a suite of many clusters can (a Multi-News data file: "
            "docs/suites.md)"]


def _same_summaries(results: RunResults) -> list[str]:
    """Systems whose summaries are identical on every cluster both have."""
    by_output: dict[tuple, list[str]] = {}
    for s in results.systems:
        done = {c: tuple(r.get("bullets") or ()) for c, r in s.clusters.items() if r.get("status") == "ok"}
        if done:
            by_output.setdefault(tuple(sorted(done.items())), []).append(s.label)
    notes = []
    for output, labels in by_output.items():
        if len(labels) > 1:
            n = len(output)
            notes.append(f"{', '.join(labels[:-1])} and {labels[-1]} wrote the same summar"
                         f"{'y' if n == 1 else 'ies'} on {'the one cluster' if n == 1 else f'all {n} clusters'}, "
                         "so their scores are the same")
    return notes


def _same_values(results: RunResults) -> list[str]:
    """Headline values equal for every ranked system (three or more) on the clusters each has."""
    ranked = [s for s in results.systems if not s.upper_bound and s.status == "ok"]
    if len(ranked) < 3:
        return []
    same = []
    for column in results.metrics:
        for key in column.keys:
            means = [sum(v) / len(v) for v in (s.series(column.label, key) for s in ranked) if v]
            if len(means) == len(ranked) and max(means) - min(means) <= 1e-9 * max(1.0, abs(means[0])):
                shown = means[0] * 100 if column.percent else means[0]
                same.append(f"{value_name(results.metrics, column.label, key)} {shown:.4g}")
    if not same:
        return []
    return [f"every system scores the same on {', '.join(same)}: these values tell these systems nothing apart "
            "here (extractive systems copy the sources' sentences, so every one is supported)"
            if any(v.split()[0] in FAITHFUL_KEYS for v in same) else
            f"every system scores the same on {', '.join(same)}: these values tell these systems nothing apart here"]


#: values where copied sentences all score alike (faithfulness, grounding)
FAITHFUL_KEYS = {"faithfulness", "supported", "unsupported", "contradicted", "support", "weak_share"}
