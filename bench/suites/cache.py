"""Loaded data-file suites, cached so that a resume does not parse them again.

Reading a data file goes through ``datasets`` and splits every reference into
sentences (pysbd): seconds for 50 clusters, minutes for thousands. The loaded
suite is stored as JSON (with its fingerprint and cluster content hashes),
keyed by the file's bytes, the load options, and the source of the code that
turns rows into a suite (bench/suites, bench/text, bench/model.py) with the
versions of datasets and pysbd: any change there is a new entry, never a
stale suite. Warnings logged while loading are logged again on a hit.

Location: ``$SUMBENCH_CACHE_DIR`` (``off`` disables it), else
``$XDG_CACHE_HOME/sumbench`` or ``~/.cache/sumbench``; the KEEP most
recently used suites are kept.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any, Callable

from ..model import Cluster, Document, Reference, Suite, stable_hash

log = logging.getLogger(__name__)

CACHE_ENV = "SUMBENCH_CACHE_DIR"
KEEP = 16
FORMAT = 1
_CODE = ("suites", "text")  # folders of bench/ whose code shapes a loaded suite
_PACKAGES = ("datasets", "pysbd")


def cache_root() -> Path | None:
    env = os.environ.get(CACHE_ENV)
    if env is not None:
        return None if env.strip().lower() in ("", "off", "0", "none") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sumbench"


def cached_suite(path: Path, options: dict[str, Any], load: Callable[[], Suite]) -> Suite:
    """``load()``'s suite, from the cache when the file, options and loader code are unchanged."""
    root = cache_root()
    if root is None or not path.is_file():
        return load()
    key = stable_hash({"format": FORMAT, "file": file_sha256(path), "options": options, "loader": loader_version()})
    entry = root / "suites" / f"{key[:32]}.json"
    if entry.is_file():
        try:
            data = json.loads(entry.read_text(encoding="utf-8"))
            suite = suite_from_json(data)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.debug("suite cache entry %s unreadable (%s); loading again", entry, exc)
        else:
            for message in data.get("warnings", []):
                logging.getLogger(data.get("logger", __name__)).warning("%s", message)
            try:
                os.utime(entry)  # recently used
            except OSError:
                pass
            return suite
    with _Capture() as warnings:
        suite = load()
    try:
        _write(entry, {**suite_to_json(suite), "warnings": warnings.messages, "logger": warnings.logger})
        _prune(entry.parent)
    except OSError as exc:  # a read-only home, a full disk: the cache is only an optimisation
        log.debug("suite cache not written (%s)", exc)
    return suite


def suite_to_json(suite: Suite) -> dict[str, Any]:
    return {
        "name": suite.name,
        "description": suite.description,
        "defaults": dict(suite.defaults),
        "source": suite.source,
        "fingerprint": suite.fingerprint(),
        "clusters": [
            {"id": c.id, "title": c.title, "content_hash": c.content_hash(),
             "documents": [[d.id, d.text, d.source, d.url, d.title, d.published] for d in c.documents]}
            for c in suite.clusters
        ],
        "references": [[r.cluster_id, r.author, list(r.bullets), r.provenance] for r in suite.references],
    }


def suite_from_json(data: dict[str, Any]) -> Suite:
    clusters = []
    for c in data["clusters"]:
        cluster = Cluster(c["id"], tuple(Document(*d) for d in c["documents"]), title=c["title"])
        cluster.__dict__["_content_hash"] = c["content_hash"]  # computed when it was stored
        clusters.append(cluster)
    suite = Suite(
        name=data["name"],
        clusters=tuple(clusters),
        references=tuple(Reference(r[0], r[1], tuple(r[2]), r[3]) for r in data["references"]),
        description=data["description"],
        defaults=data["defaults"],
        source=data["source"],
    )
    suite.__dict__["_fingerprint"] = data["fingerprint"]
    return suite


@functools.lru_cache(maxsize=1)
def loader_version() -> str:
    """Hash of the code and package versions that turn rows into a suite."""
    bench = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    files = [bench / "model.py", *(f for folder in _CODE for f in sorted((bench / folder).glob("*.py")))]
    for file in files:
        digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    for dist in _PACKAGES:
        try:
            digest.update(f"{dist}={importlib.metadata.version(dist)}".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{dist}=none".encode())
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write(entry: Path, data: dict[str, Any]) -> None:
    entry.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".suite.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
        os.replace(tmp, entry)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)


class _Capture(logging.Handler):
    """Warnings logged by bench.suites while a suite loads (to be logged again on a cache hit)."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []
        self.logger = "bench.suites"

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
        self.logger = record.name

    def __enter__(self) -> "_Capture":
        logging.getLogger("bench.suites").addHandler(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        logging.getLogger("bench.suites").removeHandler(self)
