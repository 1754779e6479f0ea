"""Retry timing: seeded backoff, Retry-After (seconds and HTTP date), caps."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from bench.llm.accounting import RequestCapReached, RequestGate
from bench.llm.client import ChatClient, ChatError
from bench.llm.retry import Backoff, parse_retry_after
from tests.llm_server import FakeChatServer

BODY = {"model": "m", "messages": [{"role": "user", "content": "[Document 1] AP\nA fact. More.\n\nWrite it."}]}


def client(server: FakeChatServer, sleeps: list[float], retries: int = 3, cap: int | None = None, seed: int = 7) -> ChatClient:
    return ChatClient(base_url=server.base_url, api_key=None, timeout=2.0, max_retries=retries,
                      backoff=Backoff(base=0.5, cap=4.0, retry_after_max=30.0, seed=seed),
                      gate=RequestGate(cap), sleep=sleeps.append)


def with_fault(fault: str) -> dict:
    return {**BODY, "messages": [{"role": "user", "content": BODY["messages"][0]["content"] + f" [[fault:{fault}]]"}]}


def test_retry_after_seconds_is_honoured():
    sleeps: list[float] = []
    with FakeChatServer(retry_after="7") as server:
        response = client(server, sleeps).complete(with_fault("429:2"))
    assert response.attempts == 3 and sleeps == [7.0, 7.0]


def test_retry_after_http_date_is_honoured_and_capped():
    sleeps: list[float] = []
    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=120), usegmt=True)
    with FakeChatServer(retry_after=when) as server:
        client(server, sleeps).complete(with_fault("429:1"))
    assert sleeps == [30.0]  # 120 s asked, capped at retry_after_max


def test_backoff_is_exponential_jittered_and_seeded():
    def delays(seed: int) -> list[float]:
        sleeps: list[float] = []
        with FakeChatServer() as server:
            with pytest.raises(ChatError, match="HTTP 500 after 5 attempts"):
                client(server, sleeps, retries=4, seed=seed).complete(with_fault("500"))
        return sleeps

    first = delays(7)
    assert len(first) == 4
    for n, d in enumerate(first, 1):  # equal jitter: [c/2, c] with c = min(4, 0.5 * 2^(n-1))
        ceiling = min(4.0, 0.5 * 2 ** (n - 1))
        assert ceiling / 2 <= d <= ceiling
    assert delays(7) == first  # same seed, same waits
    assert delays(8) != first


def test_request_cap_stops_retries_with_context():
    sleeps: list[float] = []
    with FakeChatServer() as server:
        with pytest.raises(RequestCapReached, match=r"max_requests=2 .* \(after HTTP 500 on attempt 2\)"):
            client(server, sleeps, cap=2).complete(with_fault("500"))
        assert server.count == 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [("3", 3.0), ("0.5", 0.5), ("-2", 0.0), ("", None), (None, None), ("soon", None),
     ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],  # a date in the past: no wait
)
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value) == expected


def test_parse_retry_after_future_date():
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:42 GMT", now=now) == 42.0


def test_gate_counts_and_caps():
    gate = RequestGate(1)
    gate.acquire()
    with pytest.raises(RequestCapReached):
        gate.acquire()
    assert gate.sent == 1
    zero = RequestGate(0)
    with pytest.raises(RequestCapReached, match="max_requests=0"):
        zero.acquire()
