"""The run directory: a manifest plus append-only JSONL records.

run/
  manifest.json     written atomically (temp file + rename)
  summaries.jsonl   one line per (system, cluster) outcome
  scores.jsonl      one line per (system, cluster, metric signature) outcome

Each record is appended with one write, flushed and fsynced; a torn last
line left by kill -9 is cut off when the store is opened again. The last
record for a key wins (a later retry replaces an earlier failure).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import secrets
from pathlib import Path
from typing import Any, Iterator

from ..errors import RunError, naming
from .manifest import MANIFEST, read_manifest
from .records import CHECKS, RECORD_ADVICE, RecordError, located

log = logging.getLogger(__name__)

SUMMARIES = "summaries.jsonl"
SCORES = "scores.jsonl"
RECORD_FILES = (SUMMARIES, SCORES)
LOCK = ".lock"
#: what sumbench itself puts in a run folder (anything else there, without a manifest, is not a run)
RUN_FILES = frozenset({MANIFEST, SUMMARIES, SCORES, LOCK, "cache"})
#: virtual file systems: never a place for results
VIRTUAL_ROOTS = (Path("/proc"), Path("/sys"), Path("/dev"))


def write_json_atomic(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # mode 0666 less the umask, like every other file of the run (mkstemp would make it 0600)
    tmp = str(path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with naming(path), os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, ensure_ascii=False, sort_keys=False)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Records in order, each checked against its file's record type (``records.CHECKS``);
    a torn final line is skipped with a warning."""
    if not path.exists():
        return
    check = CHECKS.get(path.name)
    if not path.is_file():
        raise RunError("not a regular file; a run's records are files it writes", where=str(path))
    try:
        with path.open("rb") as fh:
            lines = fh.read().split(b"\n")
    except OSError as exc:
        raise RunError(f"cannot read: {exc.strerror}", where=str(path)) from None
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            rec = json.loads(raw)
        except ValueError:  # not JSON, or not UTF-8
            if number == len(lines):  # no trailing newline: torn write
                log.warning("%s:%d: ignoring incomplete last record", path, number)
                continue
            raise RunError(f"corrupt record (not UTF-8 JSON); {RECORD_ADVICE}", where=f"{path}:{number}") from None
        if check is not None:
            try:
                check(rec)
            except RecordError as exc:
                raise located(path, number, RecordError(f"not a sumbench record: {exc}"), RECORD_ADVICE) from None
        yield rec


def _repair_tail(path: Path) -> None:
    """Cut a torn last line (no trailing newline) so appends stay line-aligned."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb+") as fh:
        fh.seek(-1, os.SEEK_END)
        if fh.read(1) == b"\n":
            return
        fh.seek(0)
        data = fh.read()
        cut = data.rfind(b"\n") + 1
        fh.truncate(cut)
        log.warning("%s: removed an incomplete last record left by an interrupted run", path)


class RunLock:
    """Exclusive use of a run directory (an flock on ``.lock``), refused at once when busy.

    Taken before the suite is loaded, so a second process pointed at a busy
    folder stops without doing any work.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._fh = None
        self._created = False

    def acquire(self) -> "RunLock":
        if self._fh is not None:
            return self
        check_run_dir(self.root)
        self._created = not self.root.exists()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fh = open(self.root / LOCK, "w")
        except OSError as exc:
            raise RunError(f"cannot create the run folder here: {exc.strerror}; choose another --out",
                           where=str(self.root)) from None
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            raise RunError("run directory is in use by another sumbench process", where=str(self.root)) from None
        self._fh = fh
        return self

    def release(self) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None
            if self._created and [p.name for p in self.root.iterdir()] == [LOCK]:
                # nothing was run (the suite did not load ...): leave no empty run folder behind
                (self.root / LOCK).unlink(missing_ok=True)
                self.root.rmdir()

    def __enter__(self) -> "RunLock":
        return self.acquire()

    def __exit__(self, *exc: Any) -> None:
        self.release()


class RunStore:
    """Exclusive access to one run directory; the only writer of its records.

    The records are read once on entry and kept indexed by key
    (``records[SUMMARIES]``, ``records[SCORES]``); ``append`` updates the index.
    ``lock``: a RunLock the caller already holds (it stays the caller's to release).
    """

    def __init__(self, root: Path, lock: RunLock | None = None) -> None:
        self.root = Path(root)
        self._lock = lock
        self._own_lock: RunLock | None = None
        self._files: dict[str, Any] = {}
        self.records: dict[str, dict[str, dict[str, Any]]] = {}
        self.appended: dict[str, int] = {}  # records written by this process, per file

    def __enter__(self) -> "RunStore":
        if self._lock is None:
            self._own_lock = RunLock(self.root).acquire()
        for name in RECORD_FILES:
            _repair_tail(self.root / name)
        self.records = read_records(self.root)
        self._stamp = _stamp(self.root)
        return self

    def __exit__(self, *exc: Any) -> None:
        for fh in self._files.values():
            fh.close()
        self._files.clear()
        if _stamp(self.root) == self._stamp:  # nothing appended: what was read is still the files' content
            _UNCHANGED[self.root.resolve()] = (self._stamp, self.records)
        if self._own_lock is not None:
            self._own_lock.release()
            self._own_lock = None

    def append(self, name: str, record: dict[str, Any]) -> None:
        fh = self._files.get(name)
        if fh is None:
            fh = self._files[name] = open(self.root / name, "ab")
        # backslashreplace: a lone surrogate (a broken escape in an error message) becomes a JSON \u escape
        line = json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8", "backslashreplace") + b"\n"
        with naming(self.root / name):
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        self.appended[name] = self.appended.get(name, 0) + 1
        index = self.records.setdefault(name, {})
        index.pop(record["key"], None)  # re-insert: iteration order is append order
        index[record["key"]] = record

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        write_json_atomic(self.root / MANIFEST, manifest)


def read_records(root: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """Every record file of a run folder, latest record per key (the one place records are read).

    A run that appended nothing leaves what it read for the table printed next
    (the files are unchanged: same size, mtime and inode), so a rerun with
    nothing to do reads its folder once.
    """
    known = _UNCHANGED.pop(Path(root).resolve(), None)
    if known is not None and known[0] == _stamp(Path(root)):
        return {name: dict(index) for name, index in known[1].items()}
    return {name: latest_by_key(read_jsonl(Path(root) / name)) for name in RECORD_FILES}


#: run folder -> (file stamp, records) left by a RunStore that appended nothing
_UNCHANGED: dict[Path, tuple[tuple, dict[str, dict[str, dict[str, Any]]]]] = {}


def _stamp(root: Path) -> tuple:
    out = []
    for name in RECORD_FILES:
        try:
            st = (root / name).stat()
        except FileNotFoundError:
            out.append((name, None))
            continue
        out.append((name, st.st_size, st.st_mtime_ns, st.st_ino))
    return tuple(out)


def check_run_dir(root: Path) -> None:
    """``--out`` must be a folder sumbench can own: new, empty, or a run folder."""
    root = Path(root)
    resolved = root.resolve()
    for virtual in VIRTUAL_ROOTS:
        if resolved == virtual or virtual in resolved.parents:
            raise RunError(f"--out is under {virtual}, a virtual file system; choose a folder on disk", where=str(root))
    if root.exists() and not root.is_dir():
        raise RunError("--out is a file, not a folder; give a new folder (or a run folder) for the results",
                       where=str(root))
    for parent in resolved.parents:
        if parent.exists():
            if not parent.is_dir():
                raise RunError(f"--out cannot be created: {parent} is a file, not a folder", where=str(root))
            break
    if root.is_dir() and not (root / MANIFEST).exists():
        try:
            foreign = sorted(p.name for p in root.iterdir()
                             if p.name not in RUN_FILES and not p.name.startswith(f".{MANIFEST}."))
        except OSError as exc:
            raise RunError(f"cannot read the folder: {exc.strerror}", where=str(root)) from None
        if foreign:
            shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
            raise RunError(f"--out is a folder that is not a sumbench run (it holds {shown}); give a new or empty folder",
                           where=str(root))


def run_in_progress(root: Path) -> bool:
    """True while another process holds the run folder's lock (a run is writing to it)."""
    lock = Path(root) / LOCK
    try:
        fh = open(lock, "r")
    except OSError:
        return False
    try:
        fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        fh.close()  # closing releases a lock we took
    return False


def latest_by_key(records: Iterator[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The last record of each key, in the order of those last records."""
    out: dict[str, dict[str, Any]] = {}
    for rec in records:
        out.pop(rec["key"], None)
        out[rec["key"]] = rec
    return out


def load_run(root: Path) -> tuple[dict[str, Any], dict[str, dict], dict[str, dict]]:
    """(manifest, summaries by key, scores by key) of a finished or partial run."""
    root = Path(root)
    if not root.exists():
        raise RunError("no such folder (a run folder is what `sumbench run` prints on its last line; "
                       "`sumbench table results` lists them)", where=str(root))
    manifest = read_manifest(root)
    if manifest is None:
        from .find import runs_under

        inside = runs_under(root)
        held = (f"; it holds {len(inside)} run{'' if len(inside) == 1 else 's'}, the newest {inside[0].path}"
                if inside else "")
        raise RunError(f"not a run directory (no manifest.json){held}", where=str(root))
    records = read_records(root)
    return manifest, records[SUMMARIES], records[SCORES]
