"""Find run folders: those under a folder (newest first), and the run a new system can join."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..budget import describe_budget
from ..errors import RunError
from .manifest import MANIFEST, read_manifest


@dataclass
class FoundRun:
    path: Path
    manifest: dict[str, Any]

    @property
    def last_used(self) -> str:
        """When a command last worked in it (ISO time), else when it was created."""
        invocations = self.manifest.get("invocations") or [{}]
        return str(invocations[-1].get("started") or self.manifest.get("created", ""))

    def describe(self) -> str:
        """``seed-news · 7 systems · 120 words · 2026-12-05 19:40``: one line to tell runs apart."""
        m = self.manifest
        systems = len(m.get("systems", {}))
        budget = describe_budget(m.get("budget", {}))
        when = self.last_used[:16].replace("T", " ")
        return f"{m['suite']['name']} · {systems} system{'' if systems == 1 else 's'} · {budget} · last run {when}"


def runs_under(folder: Path) -> list[FoundRun]:
    """The run folders directly under ``folder``, last used first; unreadable ones are left out."""
    found = []
    try:
        children = [p for p in Path(folder).iterdir() if (p / MANIFEST).is_file()]
    except OSError:
        return []
    for child in children:
        try:
            manifest = read_manifest(child)
        except RunError:
            continue
        if manifest is not None:
            found.append(FoundRun(child, manifest))
    # the manifest is rewritten at the end of every command: its mtime orders runs finer than the logged seconds
    return sorted(found, key=lambda r: (r.last_used, _mtime(r.path / MANIFEST), r.path.name), reverse=True)


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0
