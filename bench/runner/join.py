"""``--join``: the run a new system goes into, and why that one.

A run can be joined when it holds the same suite content (the first ``limit``
clusters of it) under the same budget. What a command did not set itself (a
`score` without ``--limit`` or a budget) it takes from the run it joins. Of the
runs that can be joined, those holding systems sumbench ran (the baselines)
come first, newest first: an outputs-only run (`score --outputs` into its own
folder) is joined only when there is no other.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..budget import Budget, describe_budget
from ..errors import SumbenchError
from ..model import Suite
from .find import FoundRun, runs_under

#: the class of systems read from an outputs file (bench.runner.imported.ImportedOutputs)
IMPORTED_CLASS = "bench.runner.imported.ImportedOutputs"


@dataclass
class Choice:
    run: FoundRun
    suite: Suite  # limited as the run is
    budget: Budget
    limit: int | None
    why: str  # one line: what was chosen and why, with the alternatives


def harness_systems(run: FoundRun) -> list[str]:
    """The systems sumbench ran in ``run`` (not read from an outputs file)."""
    return [label for label, entry in run.manifest.get("systems", {}).items()
            if isinstance(entry, dict) and entry.get("class") != IMPORTED_CLASS]


def choose(root: Path, suite: Suite, budget: Budget | None, limit: int | None, any_limit: bool) -> Choice:
    """The run to join under ``root``. ``budget`` None: any budget (the run's applies); ``any_limit``:
    ``suite`` is whole and any cluster limit will do (the run's applies), else the run's limit is ``limit``."""
    runs = runs_under(root)
    fitting: list[tuple[FoundRun, Suite]] = []
    same_suite: list[FoundRun] = []
    for run in runs:
        recorded = run.manifest["suite"].get("limit")
        if any_limit:
            limited = suite.limited(recorded)
        elif recorded == limit:
            limited = suite
        else:
            limited = None
        if limited is None or run.manifest["suite"].get("fingerprint") != limited.fingerprint():
            if run.manifest["suite"].get("name") == suite.name:
                same_suite.append(run)
            continue
        if budget is not None and run.manifest.get("budget") != budget.as_dict():
            same_suite.append(run)
            continue
        fitting.append((run, limited))
    if not fitting:
        raise SumbenchError(_none_found(root, suite, budget, limit, any_limit, same_suite))
    ranked = sorted(fitting, key=lambda pair: not harness_systems(pair[0]))  # stable: newest first within
    run, limited = ranked[0]
    recorded = run.manifest["suite"].get("limit")
    return Choice(run, limited, Budget(**run.manifest["budget"]), recorded, _why(run, [r for r, _ in ranked[1:]]))


def _why(run: FoundRun, others: list[FoundRun]) -> str:
    mine = harness_systems(run)
    limit = run.manifest["suite"].get("limit")
    line = f"joining {run.path} ({run.describe()}{f'; first {limit} clusters' if limit else ''})"
    if not mine:
        line += ": it holds only outputs read from files (no run here holds sumbench's systems)"
    elif others:
        line += f": the newest run of this suite and budget holding sumbench's systems ({_some(mine)})"
    if others:
        named = _some([f"{o.path}{'' if harness_systems(o) else ' (outputs only)'}" for o in others], 3)
        line += f"; also joinable: {named} (give --out DIR to pick one)"
    return line


def _some(names: list[str], shown: int = 4) -> str:
    """The first ``shown`` names, and how many more."""
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more" if more > 0 else "")


def _none_found(root: Path, suite: Suite, budget: Budget | None, limit: int | None, any_limit: bool,
                near: list[FoundRun]) -> str:
    wanted = f"budget {describe_budget(budget.as_dict(), 'none')}" if budget is not None else "any budget"
    if not any_limit:
        wanted += f" and --limit {limit}" if limit else " and no --limit"
    line = f"--join: no run of suite {suite.name!r} with {wanted} in {root}/"
    if not near:
        return line + "; run the baselines first (`sumbench run`), or give --out"
    named = "; ".join(f"{r.path} ({describe_budget(r.manifest.get('budget', {}))}"
                      f"{_limit_text(r)})" for r in near[:3])
    return (f"{line}; runs of this suite there: {named}; give the same --words, --bullets and --limit to "
            "join one, or --out DIR")


def _limit_text(run: FoundRun) -> str:
    limit = run.manifest["suite"].get("limit")
    return f", --limit {limit}" if limit else ""
