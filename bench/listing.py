"""Text for ``sumbench list``."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from .plugins.discovery import discover
from .plugins.params import describe_params, display_name


def list_plugins(kind: str, plugin_paths: Iterable[Path] = ()) -> str:
    plugins = discover(plugin_paths)
    registry = plugins.systems if kind == "systems" else plugins.metrics
    lines = []
    for entry in registry.entries():
        tags = []
        if getattr(entry.cls, "upper_bound", False):
            tags.append("upper bound")
        if entry.preset:
            tags.append(f"preset of {getattr(entry.cls, 'name', '?')}")
        tag = f"  [{', '.join(tags)}]" if tags else ""
        lines.append(f"{entry.name}{tag}  {entry.summary}")
        preset = {display_name(k): v for k, v in entry.preset.items()}
        for name, type_name, default in describe_params(entry.cls):
            if name in preset:
                default = repr(preset[name])
            lines.append(f"    {name}: {type_name} = {default}")
    return "\n".join(lines) + "\n"


def list_suites() -> str:
    from .suites import list_suites as bundled
    from .suites.local import load_suite_dir

    lines = []
    for path in bundled():
        suite = load_suite_dir(path)
        refs = len(suite.references)
        desc = suite.description.split(".")[0]
        lines.append(f"{suite.name}  {len(suite.clusters)} clusters, {refs} references  {desc}")
    lines.append("Also: a suite folder, a .jsonl/.json/.parquet/.csv file with --format, or hf:NAME[:split].")
    return "\n".join(lines) + "\n"
