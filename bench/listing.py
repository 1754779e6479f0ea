"""Text for ``sumbench list``."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from .plugins.discovery import discover
from .plugins.params import describe_params, display_name


def list_plugins(kind: str, plugin_paths: Iterable[Path] = ()) -> str:
    """Each plugin, its one-line doc and parameters (a preset: only what it sets), wrapped to the terminal."""
    from .terminal import fill, width

    columns = width()
    plugins = discover(plugin_paths)
    registry = plugins.systems if kind == "systems" else plugins.metrics
    out = []
    for entry in registry.entries():
        tags = ["upper bound"] if getattr(entry.cls, "upper_bound", False) else []
        if entry.preset:
            tags.append(f"preset of {getattr(entry.cls, 'name', '?')}")
        tag = f"  [{', '.join(tags)}]" if tags else ""
        out.append(fill(f"{entry.name}{tag}  {entry.summary}", columns, indent="      "))
        if entry.preset:  # what the preset sets; the rest is its base's (`sumbench list` shows those once)
            sets = ", ".join(f"{display_name(k)}={v!r}" for k, v in entry.preset.items())
            out.append(fill(f"    sets {sets}", columns, indent="      "))
            continue
        for name, type_name, default in describe_params(entry.cls):
            out.append(fill(f"    {name}: {type_name} = {default}", columns, indent="      "))
    return "".join(out)


def list_suites() -> str:
    from .terminal import fill, width
    from .suites import list_suites as bundled
    from .suites.local import load_suite_dir

    lines = []
    for path in bundled():
        suite = load_suite_dir(path)
        refs = len(suite.references)
        desc = suite.description.split(".")[0]
        n = len(suite.clusters)
        lines.append(f"{suite.name}  {n} cluster{'' if n == 1 else 's'}, {refs} reference{'' if refs == 1 else 's'}"
                     f"  {desc}")
    lines.append("Other suites for `sumbench run` and `sumbench score`: a suite folder, a .jsonl/.json/.parquet/.csv"
                 " data file, or hf:NAME[:split] (`sumbench run --help`).")
    columns = width()
    return "".join(fill(line, columns, indent="    ") for line in lines)
