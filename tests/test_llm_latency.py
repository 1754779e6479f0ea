"""Per-request latency under concurrency: each summary's ``seconds`` is the system's own time for
its cluster, and ``meta.requests`` has each request's own send-to-answer time (0 when cached)."""

from __future__ import annotations

from typer.testing import CliRunner

from bench.cli import app
from tests.llm_server import FakeChatServer
from tests.test_llm_cli import llm_spec, news_suite, summaries

runner = CliRunner()
DELAY = 0.4


def run(*args: str) -> None:
    result = runner.invoke(app, ["run", "-q", *args])
    assert result.exit_code == 0, result.output


def test_concurrent_requests_each_record_their_own_time_not_the_gap_between_completions(tmp_path):
    suite, out = news_suite(tmp_path / "suite"), tmp_path / "run"
    with FakeChatServer(delay_s=DELAY) as server:
        args = ["--suite", str(suite), "--system", llm_spec(server, "concurrency=2"), "--metric", "rouge",
                "--out", str(out)]
        run(*args)
        assert server.max_in_flight == 2  # both clusters were asked at once
        first = summaries(out)
        for rec in first.values():
            (req,) = rec["meta"]["requests"]
            assert req["cached"] is False and req["attempts"] == 1
            assert DELAY <= req["seconds"] < DELAY + 1.0  # the server's delay, seen by each request
            # the record's seconds: this cluster's own time (the gap between completions would be ~0 for one)
            assert DELAY <= rec["seconds"] < DELAY + 1.0
            assert rec["seconds"] >= req["seconds"]

        again = tmp_path / "again"  # a new run on the same cache: answered from it
        run(*args[:-1], str(again), "--cache-dir", str(out / "cache"))
        assert server.count == 2
    for rec in summaries(again).values():
        assert rec["meta"]["requests"] == [{"seconds": 0.0, "cached": True, "attempts": 0}]
        assert rec["seconds"] < DELAY  # no request waited on


def test_a_retried_request_counts_its_attempts_and_a_failure_keeps_its_own_time(tmp_path):
    suite, out = news_suite(tmp_path / "suite", {"vote": "[[fault:500]]", "quake": "[[fault:500:1]]"}), tmp_path / "run"
    with FakeChatServer() as server:
        result = runner.invoke(app, ["run", "-q", "--suite", str(suite), "--system", llm_spec(server),
                                     "--metric", "rouge", "--out", str(out)])
    assert result.exit_code == 0, result.output
    recs = summaries(out)
    assert recs["vote"]["status"] == "failed" and 0 <= recs["vote"]["seconds"] < 5
    (req,) = recs["quake"]["meta"]["requests"]
    assert req["attempts"] == 2 and req["cached"] is False and req["seconds"] >= 0
