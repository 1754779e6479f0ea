"""Progress bars on terminals, silence for scripts."""

from __future__ import annotations

import io

from rich.console import Console

from bench.runner.progress import Reporter, RichReporter, make_reporter


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_quiet_and_non_terminal_get_quiet_reporter():
    assert type(make_reporter(True, FakeTTY())) is Reporter
    assert type(make_reporter(False, io.StringIO())) is Reporter  # piped / CI
    loud = make_reporter(False, FakeTTY())
    assert isinstance(loud, RichReporter) and not loud.quiet


def test_rich_bar_advances_and_leaves_summary_line():
    buf = io.StringIO()
    reporter = RichReporter(Console(file=buf, force_terminal=True, width=100, color_system=None))
    with reporter.task("system lead", 3) as advance:
        for _ in range(3):
            advance()
    out = buf.getvalue()
    assert "system lead" in out and "3/3" in out
    assert "system lead: 3/3 in " in out.rstrip().splitlines()[-1]


def test_run_prints_no_bars_when_quiet(tmp_path, capsys):
    from typer.testing import CliRunner

    from bench.cli import app

    res = CliRunner().invoke(app, ["run", "-q", "--out", str(tmp_path / "run"), "--table", "json"])
    assert res.exit_code == 0, res.output
    assert "━" not in res.output and "system lead" not in res.output
