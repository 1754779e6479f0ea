"""A run folder's manifest: its file name, format version and the one reader
(shared by the store that writes runs and the search that finds them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import RunError
from .records import MANIFEST_RECOVERY, RecordError, check_manifest

MANIFEST = "manifest.json"
FORMAT_VERSION = 1


def read_manifest(root: Path) -> dict[str, Any] | None:
    path = Path(root) / MANIFEST
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_bytes())
    except OSError as exc:
        raise RunError(f"cannot read the manifest: {exc.strerror}", where=str(path)) from None
    except ValueError:
        raise RunError(f"the manifest is not UTF-8 JSON; {MANIFEST_RECOVERY}", where=str(path)) from None
    version = data.get("format_version") if isinstance(data, dict) else None
    if isinstance(data, dict) and isinstance(version, int) and version > FORMAT_VERSION:
        raise RunError(f"results format_version {version} is newer than this sumbench reads ({FORMAT_VERSION});"
                       " upgrade sumbench", where=str(path))
    try:
        if not isinstance(data, dict):
            raise RecordError(f"not a sumbench manifest (a JSON {type(data).__name__}, not an object)")
        if version != FORMAT_VERSION:
            raise RecordError(f"not a sumbench manifest (format_version {version!r}, expected {FORMAT_VERSION})")
        check_manifest(data)
    except RecordError as exc:
        raise RunError(f"{exc}; {MANIFEST_RECOVERY}", where=str(path)) from None
    return data
