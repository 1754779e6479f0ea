"""Which references a metric scores against (its ``refs=``), and refusing an author no cluster has."""

from __future__ import annotations

from typing import Any, Sequence

from ..errors import UsageError
from ..model import Reference, Suite
from ..plugins.params import did_you_mean
from ..plugins.registry import Resolved


def chosen_references(metric: Any, refs: Sequence[Reference]) -> tuple[Reference, ...]:
    """The references a metric scores against: those by the authors in its ``refs`` (+-joined), or all."""
    wanted = _wanted_authors(metric)
    return tuple(r for r in refs if not wanted or r.author in wanted)


def _wanted_authors(metric: Any) -> list[str]:
    return [a.strip() for a in (getattr(metric, "refs", "") or "").split("+") if a.strip()]


def check_references(metrics: Sequence[Resolved], suite: Suite) -> None:
    """An author in a metric's ``refs`` that no cluster has (a typo) is refused before anything runs,
    whatever authors stand beside it: it would be left out without a word."""
    authors = sorted({r.author for r in suite.references})
    for resolved in metrics:
        unknown = [a for a in _wanted_authors(resolved.instance) if a not in authors]
        if unknown:
            shown = ", ".join(authors[:10]) + (f" ... ({len(authors)} in all)" if len(authors) > 10 else "")
            raise UsageError(f"--metric {resolved.label}: refs= names {unknown[0]!r}, an author no cluster of suite "
                             f"{suite.name!r} has.{did_you_mean(unknown[0], authors)} Authors: {shown or 'none'}")
