"""Which suite a name, folder or data file means, and loading it (``load_suite``)."""

from __future__ import annotations

from pathlib import Path

from ..errors import SuiteError
from ..model import Suite
from .local import is_suite_dir, load_suite_dir

DEFAULT_SUITE = "seed-news"


def references_root() -> Path:
    """The bundled ``references/`` folder (repository checkout or CWD)."""
    here = Path(__file__).resolve().parents[2] / "references"
    if here.is_dir():
        return here
    return Path.cwd() / "references"


def list_suites() -> list[Path]:
    root = references_root()
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if is_suite_dir(p))


def load_suite(
    spec: str | None = None,
    fmt: str | None = None,
    columns: dict[str, str] | None = None,
    split: str | None = None,
) -> Suite:
    """``spec``: a bundled suite name, a suite folder, a data file, or hf:NAME[:split]."""
    spec = spec or DEFAULT_SUITE
    path = Path(spec)
    if spec.startswith("hf:") or path.suffix.lower() in {".jsonl", ".json", ".parquet", ".csv"}:
        from .cache import cached_suite

        if fmt is None:
            raise SuiteError("a data-file suite needs --format multi_news|generic", where=spec)

        def load():
            from .tabular import load_tabular_suite

            return load_tabular_suite(spec, fmt, columns, split=split)

        if spec.startswith("hf:"):
            return load()
        return cached_suite(path, {"spec": spec, "format": fmt, "columns": columns, "split": split}, load)
    if is_suite_dir(path):
        return load_suite_dir(path)
    bundled = references_root() / spec
    if is_suite_dir(bundled):
        return load_suite_dir(bundled)
    if path.is_dir():
        raise SuiteError("folder has no suite.toml", where=spec)
    names = [p.name for p in list_suites()]
    from ..plugins.params import did_you_mean

    raise SuiteError(
        f"unknown suite {spec!r}.{did_you_mean(spec, names)} Bundled: {', '.join(names) or '(none)'};"
        " or pass a suite folder, a .jsonl/.json/.parquet/.csv file, or hf:NAME"
    )
