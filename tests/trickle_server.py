"""A real HTTP server on 127.0.0.1 that never finishes an answer: it reads each request whole, then sends
one byte every ``every_s`` seconds for as long as the client listens.

``where="headers"``: the status line itself trickles (the headers never end);
``where="body"``: whole headers announcing a large JSON body, then the body trickles.
Every request trickles, GET /v1/models included (a server stuck on a long job answers nothing quickly).
"""

from __future__ import annotations

import socket
import threading
from socketserver import BaseRequestHandler
from typing import Any

from tests.server_peers import Peer


class TrickleServer(Peer):
    def __init__(self, where: str = "body", every_s: float = 0.5) -> None:
        assert where in ("headers", "body")
        self.where, self.every_s = where, every_s
        self._stop = threading.Event()
        super().__init__("m", n_ctx=0)  # ``paths``: "METHOD path" of each request read

    def chat_requests(self) -> int:
        with self._lock:
            return sum(p.startswith("POST /v1/chat/completions") for p in self.paths)

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        super().__exit__(*exc)

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
