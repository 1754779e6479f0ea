"""Reload a run's suite (documents, references) for the report's drill-down and for `sumbench meta`.

The manifest records the suite's source and fingerprint. Data-file suites
also need the schema (--format/--columns/--split), which the runner records
in manifest["suite"]["format"|"columns"|"split"]. The reloaded suite is used only when its
fingerprint matches the run's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..model import Suite


@dataclass
class Reloaded:
    suite: Suite | None
    message: str  # why it is missing, or where it came from


def reload_suite(manifest: dict[str, Any], source: str | None = None, fmt: str | None = None) -> Reloaded:
    from ..errors import SumbenchError
    from .loading import load_suite

    info = manifest.get("suite", {})
    source = source or info.get("source")
    if not source:
        return Reloaded(None, "the run does not record where its suite came from")
    try:
        suite = load_suite(source, fmt or info.get("format"), info.get("columns"), info.get("split"))
    except SumbenchError as exc:
        return Reloaded(None, f"cannot reload suite from {source}: {exc}")
    except Exception as exc:  # unreadable data is a report note, not a crash
        return Reloaded(None, f"cannot reload suite from {source}: {type(exc).__name__}: {exc}")
    suite = suite.limited(info.get("limit"))
    expected = info.get("fingerprint", "")
    if suite.fingerprint() != expected:
        return Reloaded(None, f"suite at {source} has changed since the run (fingerprint "
                              f"{suite.fingerprint()[:12]}… vs {expected[:12]}…); documents not shown")
    return Reloaded(suite, f"documents reloaded from {source} (fingerprint {expected[:12]}… matches)")
