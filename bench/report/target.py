"""Where a report may go: checked before anything is built or written.

A report never writes over a run's own files, nor over a file that is not an
earlier report (``report RUN -o RUN/scores.jsonl`` once replaced a run's scores
with HTML), and an existing folder is not a report's file name.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError

#: near the start of every index page this package writes (templates/report.html: its <title>)
REPORT_MARK = b"<title>sumbench report"


def check_target(output: Path, pages: Path) -> None:
    """UsageError naming the path when writing the index ``output`` or its ``pages`` folder would
    destroy something."""
    from ..runner.store import LOCK, MANIFEST, RECORD_FILES

    if output.is_dir():
        raise UsageError(f"-o {output}: is a folder; give the report's file name, e.g. {output / 'report.html'}")
    if output.name in (MANIFEST, LOCK, *RECORD_FILES) and (output.parent / MANIFEST).exists():
        raise UsageError(f"-o {output}: a file of the run in {output.parent}; write the report beside it, "
                         f"e.g. {output.parent / 'report.html'}")
    if output.exists() and not _is_report(output):
        raise UsageError(f"-o {output}: exists and is not a sumbench report; it is not written over")
    if pages.exists() and (not pages.is_dir() or (pages / MANIFEST).exists()):
        what = "a run folder" if pages.is_dir() else "not a folder"
        raise UsageError(f"-o {output}: its pages go into {pages}, which is {what}; choose another name")


def _is_report(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(8192)
    except OSError:
        return False
    return head.startswith(b"<!DOCTYPE html>") and REPORT_MARK in head
