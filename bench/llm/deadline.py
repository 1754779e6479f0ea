"""A time limit on a whole HTTP request: connect, send, headers and body.

httpx's timeouts bound each network operation (one connect, one read, one
write), so a server that sends a byte every half second never times out.
Inside ``whole_request(seconds)`` every connect, read and write of a client
made by ``bounded_client`` waits at most the time left, and past it fails as
httpx's own timeouts do (``httpx.TimeoutException``). The deadline belongs to
the thread that set it: worker threads each bound their own request.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any, Iterator

log = logging.getLogger(__name__)
_local = threading.local()


@contextlib.contextmanager
def whole_request(seconds: float) -> Iterator[None]:
    """Requests this thread makes inside take at most ``seconds`` in all."""
    before = getattr(_local, "deadline", None)
    _local.deadline = time.monotonic() + seconds
    try:
        yield
    finally:
        _local.deadline = before


def _left(timeout: float | None, expired: type[Exception]) -> float | None:
    """The wait an operation may take: its own timeout, cut to what is left of the request's."""
    deadline = getattr(_local, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("the request's time limit passed before it ended")
    return left if timeout is None else min(timeout, left)


def bounded_client(**kwargs: Any) -> Any:
    """An ``httpx.Client(**kwargs)`` whose requests ``whole_request`` bounds."""
    import httpx

    client = httpx.Client(**kwargs)
    for transport in (client._transport, *client._mounts.values()):  # the default and any proxy's
        if transport is None:  # a NO_PROXY host: the default transport serves it
            continue
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if backend is None:  # another httpx: each operation is still bounded, the whole request not
            log.warning("this httpx (%s) cannot bound a whole request: a server that answers a byte at a"
                        " time may hold a request past its timeout", httpx.__version__)
            continue
        pool._network_backend = _Backend(backend)
    return client


class _Stream:
    """A connection whose operations wait no longer than the request's time left."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        import httpcore

        return self._inner.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        import httpcore

        self._inner.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None) -> Any:
        import httpcore

        return _Stream(self._inner.start_tls(ssl_context, server_hostname, _left(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend:
    """httpcore's network backend, its connections bounded by ``_Stream``."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> _Stream:
        import httpcore

        return _Stream(self._inner.connect_tcp(host, port, _left(timeout, httpcore.ConnectTimeout), local_address,
                                               socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> _Stream:
        import httpcore

        return _Stream(self._inner.connect_unix_socket(path, _left(timeout, httpcore.ConnectTimeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)
