"""A real HTTP server on 127.0.0.1 that never finishes an answer: it reads each request whole, then sends
one byte every ``every_s`` seconds for as long as the client listens.

``where="headers"``: the status line itself trickles (the headers never end);
``where="body"``: whole headers announcing a large JSON body, then the body trickles.
Every request trickles, GET /v1/models included (a server stuck on a long job answers nothing quickly).
"""

from __future__ import annotations

import socket
import threading
from socketserver import BaseRequestHandler, ThreadingTCPServer
from typing import Any


class _Server(ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up is the point


class TrickleServer:
    def __init__(self, where: str = "body", every_s: float = 0.5) -> None:
        assert where in ("headers", "body")
        self.where, self.every_s = where, every_s
        self.paths: list[str] = []  # "METHOD path" of each request read
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def chats(self) -> int:
        with self._lock:
            return sum(p.startswith("POST /v1/chat/completions") for p in self.paths)

    def __enter__(self) -> "TrickleServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def _answer(self) -> bytes:
        if self.where == "headers":
            return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + b"X-Pad: " + b"a" * 10**6
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"
        return head + b'{"choices": [{"message": {"content": "' + b" " * 10**6

    def _handler(self) -> type[BaseRequestHandler]:
        server = self

        class Handler(BaseRequestHandler):
            def handle(self) -> None:
                sock: socket.socket = self.request
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = sock.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, _, body = data.partition(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                length = next((int(v) for k, _, v in (h.partition(":") for h in lines[1:])
                               if k.strip().lower() == "content-length"), 0)
                while len(body) < length:
                    chunk = sock.recv(65536)
                    if not chunk:
                        return
                    body += chunk
                with server._lock:
                    server.paths.append(" ".join(lines[0].split()[:2]))
                answer = server._answer()
                if server.where == "body":  # the headers whole, at once
                    cut = answer.index(b"\r\n\r\n") + 4
                    sock.sendall(answer[:cut])
                    answer = answer[cut:]
                for i in range(len(answer)):
                    if server._stop.wait(server.every_s):
                        return
                    try:
                        sock.sendall(answer[i:i + 1])
                    except OSError:  # the client gave up
                        return

        return Handler
