"""``report -o`` never destroys anything (issue 25, class 5): not a run's own files, not a file that is
not an earlier report, and a folder given as -o is refused before any page is written."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bench.cli import app
from conftest import make_suite


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("report-target")
    out = root / "run"
    res = CliRunner().invoke(app, ["run", "-q", "--suite", str(make_suite(root / "suite")), "--system", "lead",
                                   "--metric", "length", "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out


def report(run, output):
    return CliRunner().invoke(app, ["report", str(run), "-o", str(output)])


def files(folder):
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name", ["scores.jsonl", "summaries.jsonl", "manifest.json"])
def test_a_runs_own_file_is_never_written_over(run, name):
    before = files(run)
    res = report(run, run / name)
    assert res.exit_code == 2, res.output
    assert res.output.strip() == (f"error: -o {run / name}: a file of the run in {run}; write the report beside it, "
                                  f"e.g. {run / 'report.html'}")
    assert files(run) == before  # before: scores.jsonl held HTML and every later command refused the folder
    assert CliRunner().invoke(app, ["table", str(run)]).exit_code == 0


def test_a_folder_as_output_is_refused_before_any_page_is_written(run, tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    res = report(run, folder)
    assert res.exit_code == 2, res.output
    assert res.output.strip().startswith(f"error: -o {folder}: is a folder; give the report's file name")
    assert not (tmp_path / "reports_files").exists()


def test_only_an_earlier_report_is_written_over(run, tmp_path):
    notes = tmp_path / "notes.html"
    notes.write_text("my notes")
    res = report(run, notes)
    assert res.exit_code == 2 and "exists and is not a sumbench report" in res.output
    assert notes.read_text() == "my notes" and not (tmp_path / "notes_files").exists()
    beside = run / "report.html"  # a report inside the run folder, beside its files: fine, and again
    assert report(run, beside).exit_code == 0 and report(run, beside).exit_code == 0
