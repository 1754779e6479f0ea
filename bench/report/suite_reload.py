"""Reload a run's suite (documents, references) for the report's drill-down.

The manifest records the suite's source and fingerprint. Data-file suites
also need the schema (--format/--columns/--split): taken from
manifest["suite"]["format"|"columns"|"split"] when present, else from the
recorded command lines. The reloaded suite is used only when its
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
    from ..suites import load_suite

    info = manifest.get("suite", {})
    source = source or info.get("source")
    if not source:
        return Reloaded(None, "the run does not record where its suite came from")
    recorded = _recorded_options(manifest)
    fmt = fmt or info.get("format") or recorded.get("--format")
    columns = info.get("columns") or _columns(recorded.get("--columns"))
    split = info.get("split") or recorded.get("--split")
    try:
        suite = load_suite(source, fmt, columns, split)
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


def _recorded_options(manifest: dict[str, Any]) -> dict[str, str]:
    """Last value of each --option=value / --option value in the recorded commands."""
    out: dict[str, str] = {}
    for inv in manifest.get("invocations", []):
        args = list(inv.get("command") or [])
        for i, arg in enumerate(args):
            name, eq, value = arg.partition("=")
            if name in ("--format", "--columns", "--split"):
                if eq:
                    out[name] = value
                elif i + 1 < len(args):
                    out[name] = args[i + 1]
    return out


def _columns(text: str | None) -> dict[str, str] | None:
    if not text:
        return None
    pairs = (part.partition("=") for part in text.split(","))
    return {k.strip(): v.strip() for k, _, v in pairs if k.strip() and v.strip()}
