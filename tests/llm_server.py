"""A real Chat Completions server on 127.0.0.1 for tests, with injectable faults.

Answers are derived from the prompt: one bullet per ``[Document N] outlet``
block, made from that document's first sentence, wrapped in a preamble and a
closing remark (as chat models do); ``answer=`` replaces that rule (e.g. a
scripted judge, tests/judge_server.py). A marker ``[[fault:KIND]]`` or
``[[fault:KIND:N]]`` in the prompt makes the first N requests for that prompt
(every request when N is absent) misbehave:

429 (with Retry-After), 500, slow (sleeps ``slow_s`` first), malformed (broken
JSON), empty (empty content), length (finish_reason=length, cut answer),
drop (closes the connection without answering), error401 (echoes the
Authorization header, as some servers do), nochoices (valid JSON, no choices),
emptylength (no content, finish_reason=length).
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

import pytest

from bench.model import Cluster, Document

FAULT = re.compile(r"\[\[fault:(\w+)(?::(\d+))?\]\]")
DOC = re.compile(r"\[Document (\d+)\] ([^\n,]*)[^\n]*\n(?:Headline: [^\n]*\n)?(.*?)(?=\n\n\[Document |\n\n[A-Z][a-z]+ |\Z)", re.S)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (timeout test) is expected


class FakeChatServer:
    def __init__(self, *, delay_s: float = 0.0, slow_s: float = 1.0, retry_after: str = "0.01",
                 answer: Callable[[dict[str, Any]], str] | None = None, window: int | None = None,
                 logprobs: Callable[[str], list[dict[str, Any]]] | None = None, refuse_logprobs: bool = False) -> None:
        self.answer_for = answer or self.answer  # request body -> the assistant's content
        #: content -> choices[0].logprobs.content, sent when a request asks for logprobs (as OpenAI shapes it)
        self.logprobs_for = logprobs
        #: refuse (HTTP 400, as OpenAI words it for its reasoning models) a request that asks for logprobs
        self.refuse_logprobs = refuse_logprobs
        #: refuse (HTTP 400, as OpenAI and vLLM word it) a request whose prompt (chars/4) and max_tokens exceed it
        self.window = window
        self.delay_s = delay_s  # every answer waits this long (for concurrency tests)
        self.slow_s = slow_s
        self.retry_after = retry_after
        self.requests: list[dict[str, Any]] = []  # bodies received
        self.auth_headers: list[str | None] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._fault_counts: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()
        self._httpd = _QuietServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    def __enter__(self) -> "FakeChatServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # -- behaviour --------------------------------------------------------------
    def fault_for(self, body: dict[str, Any]) -> str | None:
        text = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
        match = FAULT.search(text)
        if not match:
            return None
        kind, limit = match.group(1), match.group(2)
        key = (kind, hashlib.sha256(text.encode()).hexdigest())
        with self._lock:
            seen = self._fault_counts.get(key, 0)
            self._fault_counts[key] = seen + 1
        return kind if limit is None or seen < int(limit) else None

    @staticmethod
    def answer(body: dict[str, Any]) -> str:
        user = body["messages"][-1]["content"]
        lines = []
        for n, outlet, text in DOC.findall(user):
            text = FAULT.sub("", text).strip()
            first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
            lines.append(f"{n}. **{outlet.strip()}**: {first}")
        return "Here are the key points:\n\n" + "\n".join(lines) + "\n\nLet me know if you need more detail."

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:
                if self.path != "/v1/chat/completions":
                    return self._send(404, {"error": {"message": "not found"}})
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = json.loads(raw)
                with server._lock:
                    server.requests.append(body)
                    server.auth_headers.append(self.headers.get("Authorization"))
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                self._counted = True
                try:
                    self._respond(body)
                finally:
                    self._uncount()

            def _uncount(self) -> None:
                # before the answer goes out: the client may send its next request at once
                if getattr(self, "_counted", False):
                    self._counted = False
                    with server._lock:
                        server.in_flight -= 1

            def _respond(self, body: dict[str, Any]) -> None:
                fault = server.fault_for(body)
                if server.delay_s:
                    time.sleep(server.delay_s)
                if fault == "429":
                    return self._send(429, {"error": {"message": "rate limited"}}, {"Retry-After": server.retry_after})
                if fault == "500":
                    return self._send(500, {"error": {"message": "internal error"}})
                if fault == "error401":
                    return self._send(401, {"error": {"message": "Incorrect API key provided: " + str(self.headers.get("Authorization"))}})
                if fault == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return None
                asked = sum(len(m["content"]) for m in body["messages"]) // 4 + int(body.get("max_tokens") or 0)
                if server.window is not None and asked > server.window:
                    return self._send(400, {"error": {
                        "message": f"This model's maximum context length is {server.window} tokens. However, you "
                                   f"requested {asked} tokens. Please reduce the length of the messages or completion.",
                        "type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded"}})
                if server.refuse_logprobs and body.get("logprobs"):
                    return self._send(400, {"error": {
                        "message": "Unsupported parameter: 'logprobs' is not supported with this model.",
                        "type": "invalid_request_error", "param": "logprobs", "code": "unsupported_parameter"}})
                if fault == "slow":
                    time.sleep(server.slow_s)
                if fault == "nochoices":
                    return self._send(200, {"object": "chat.completion", "model": body["model"], "choices": []})
                if fault == "malformed":
                    return self._send_raw(200, b'{"choices": [{"message": {"content": "- cut', "application/json")
                content = server.answer_for(body)
                finish = "stop"
                if fault in ("empty", "emptylength"):
                    content, finish = "", "length" if fault == "emptylength" else "stop"
                elif fault == "length":
                    content, finish = content[: len(content) * 2 // 3], "length"
                prompt_chars = sum(len(m["content"]) for m in body["messages"])
                self._send(200, {
                    "id": "chatcmpl-test",
                    "object": "chat.completion",
                    "model": body["model"] + "-2024-07-18",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish,
                                 **({"logprobs": {"content": server.logprobs_for(content)}}
                                    if body.get("logprobs") and server.logprobs_for else {})}],
                    "usage": {"prompt_tokens": prompt_chars // 4, "completion_tokens": len(content) // 4,
                              "total_tokens": prompt_chars // 4 + len(content) // 4},
                })

            def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                self._send_raw(status, json.dumps(payload).encode(), "application/json", headers)

            def _send_raw(self, status: int, data: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
                self._uncount()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        return Handler


# -- fixtures and helpers for the llm tests (import them into a test module) ----

@pytest.fixture
def chat_server():
    with FakeChatServer() as server:
        yield server


@pytest.fixture
def free_port() -> int:
    """A port with nothing listening (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_cluster(cid: str, marker: str = "", n_docs: int = 2) -> Cluster:
    """``n_docs`` short articles from different outlets; ``marker`` injects a fault."""
    outlets = ["Reuters", "AP", "BBC", "NHK"]
    docs = tuple(
        Document(
            id=f"{cid}-{i}",
            text=f"{outlets[i]} reports that event {cid} happened on day {i}. {marker} More details followed later. "
            "Officials declined to comment further.",
            source=outlets[i],
            title=f"Story {cid}",
        )
        for i in range(n_docs)
    )
    return Cluster(cid, docs, title=f"Story {cid}")
