"""A small OpenAI-compatible Chat Completions client with retries.

Retries 429, 408, 5xx, timeouts and connection errors (honouring Retry-After);
any other answer is final. A timeout is not retried when ``retry_timeouts`` is
off (local servers: the server may still be working on the abandoned request,
so a re-send only adds to its queue). Errors carry a one-line reason with the API key
redacted. httpx is imported only when a client is built.
"""

from __future__ import annotations

import json

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlparse

from .accounting import RequestCapReached, RequestGate
from .deadline import bounded_client, whole_request
from .retry import Backoff, is_retryable_status, parse_retry_after

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})


def is_local_url(url: str) -> bool:
    """A server on this machine (or the LAN's .local names): needs no key, no proxy."""
    host = (urlparse(url).hostname or "").lower()
    return host in LOCAL_HOSTS or host.endswith(".local")


class ChatError(Exception):
    """A request that produced no usable answer; ``reason`` is one line."""

    def __init__(self, reason: str, usage: dict[str, Any] | None = None, attempts: int = 1,
                 latency_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.usage = usage or {}  # tokens billed for a useless answer
        self.attempts = attempts  # requests sent for it
        self.latency_s = latency_s  # the last attempt's own time, send to answer (None: none was sent)


@dataclass(frozen=True)
class ChatResponse:
    content: str
    model: str  # as returned by the server
    finish_reason: str | None
    usage: dict[str, Any]
    latency_s: float
    attempts: int = 1
    logprobs: list[dict[str, Any]] | None = None  # choices[0].logprobs.content, when asked for and returned

    def to_cache(self) -> dict[str, Any]:
        out = {"content": self.content, "model": self.model, "finish_reason": self.finish_reason,
               "usage": self.usage, "latency_s": self.latency_s}
        return {**out, "logprobs": self.logprobs} if self.logprobs is not None else out


@dataclass
class ChatClient:
    base_url: str
    api_key: str | None
    timeout: float
    max_retries: int
    backoff: Backoff
    gate: RequestGate
    sleep: Callable[[float], None] | None = None  # None: wait between attempts until stop()
    clock: Callable[[], float] = time.monotonic
    max_connections: int = 8
    retry_timeouts: bool = True
    _http: Any = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _stopping: threading.Event = field(default_factory=threading.Event, init=False, repr=False)

    @property
    def url(self) -> str:
        return self.base_url.rstrip("/") + "/chat/completions"

    def _client(self) -> Any:
        with self._lock:  # one pooled client shared by the worker threads
            if self._http is None:
                import httpx

                headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
                self._http = bounded_client(
                    timeout=httpx.Timeout(self.timeout),
                    headers=headers,
                    limits=httpx.Limits(max_connections=self.max_connections),
                    trust_env=not is_local_url(self.base_url),  # proxies/certs from env, not for localhost
                )
            return self._http

    def stop(self) -> None:
        """The run is stopping (Ctrl-C, SIGTERM): no request or retry is sent from now on."""
        self._stopping.set()

    def close(self) -> None:
        with self._lock:
            if self._http is not None:
                self._http.close()
                self._http = None

    def complete(self, body: dict[str, Any]) -> ChatResponse:
        """POST one request with retries; ChatError (or RequestCapReached) if it fails."""
        import httpx

        http = self._client()
        attempts = self.max_retries + 1
        problem, latency, said = "", None, ""
        for attempt in range(1, attempts + 1):
            if self._stopping.is_set():
                raise ChatError(f"not sent: the run is stopping{f' (after {problem})' if problem else ''}",
                                attempts=attempt - 1, latency_s=latency)
            try:
                self.gate.acquire()
            except RequestCapReached as exc:
                raise RequestCapReached(f"{exc} (after {problem} on attempt {attempt - 1})" if problem else str(exc)) from None
            retry_after = None
            start = self.clock()
            try:
                with whole_request(self.timeout):  # a server trickling its answer is timed out too
                    response = http.post(self.url, json=body)
            except httpx.TimeoutException:
                problem, latency = f"timeout ({self.timeout:g}s)", round(self.clock() - start, 4)
                if not self.retry_timeouts:
                    raise ChatError(f"{problem}, not re-sent: a local server may still be working on it"
                                    " (raise timeout= or lower concurrency=)", attempts=attempt,
                                    latency_s=latency) from None
            except httpx.TransportError as exc:
                problem = f"connection error ({type(exc).__name__}: {self._redact(str(exc)) or 'no detail'})"
                latency = round(self.clock() - start, 4)
            else:
                latency = round(self.clock() - start, 4)
                if response.status_code == 200:
                    try:
                        return self._parse(response, latency, attempt)
                    except ChatError as exc:
                        exc.attempts, exc.latency_s = attempt, latency
                        raise
                if not is_retryable_status(response.status_code):  # the whole message: it often says what to change
                    detail = self._redact(_snippet(response.text, 2000))
                    raise ChatError(f"HTTP {response.status_code} (not retried): {detail}", attempts=attempt,
                                    latency_s=latency)
                problem = f"HTTP {response.status_code}"
                said = self._redact(_server_says(response.text))
                retry_after = parse_retry_after(response.headers.get("retry-after"))
            if attempt < attempts:
                (self.sleep or self._stopping.wait)(self.backoff.delay(attempt, retry_after))
        said = f": {said}" if problem.startswith("HTTP") and said else ""
        raise ChatError(f"{problem} after {attempts} attempts{said}", attempts=attempts, latency_s=latency)

    def _parse(self, response: Any, latency: float, attempts: int) -> ChatResponse:
        try:
            data = response.json()
        except ValueError:
            raise ChatError(f"malformed JSON from server: {self._redact(_snippet(response.text))!r}") from None
        if isinstance(data, dict) and "error" in data and "choices" not in data:
            raise ChatError(f"server error: {self._redact(_snippet(str(data['error'])))}")
        try:
            choice = data["choices"][0]
            content = choice["message"].get("content")
        except (KeyError, IndexError, TypeError, AttributeError):
            raise ChatError(f"malformed response from server (no choices[0].message): {self._redact(_snippet(str(data)))!r}") from None
        usage = _finite(data.get("usage")) if isinstance(data.get("usage"), dict) else {}
        finish = choice.get("finish_reason")
        if not isinstance(content, str) or not content.strip():
            cut = " (finish_reason=length: max_tokens used up)" if finish == "length" else ""
            raise ChatError(f"empty content{cut}", usage=usage)
        model = data.get("model") or "(not reported)"
        logprobs = (choice.get("logprobs") or {}).get("content") if isinstance(choice.get("logprobs"), dict) else None
        return ChatResponse(content, str(model), finish, usage, round(latency, 4), attempts,
                            logprobs if isinstance(logprobs, list) else None)

    def _redact(self, text: str) -> str:
        return text.replace(self.api_key, "[REDACTED]") if self.api_key else text


def _finite(value: Any) -> Any:
    """JSON without the numbers JSON cannot hold (a server's NaN or Infinity): left out, as if not reported."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items() if not _odd(v)}
    if isinstance(value, list):
        return [_finite(v) for v in value if not _odd(v)]
    return value


def _odd(value: Any) -> bool:
    return isinstance(value, float) and not math.isfinite(value)


def brief_reason(reason: str) -> str:
    """A ChatError's reason in one short line: ``HTTP 400: <the server's message>`` for a refusal whose
    whole body the reason quotes; any other reason as it is, cut to 300 characters."""
    status, sep, detail = reason.partition(" (not retried): ")
    return f"{status}: {_server_says(detail)}" if sep else _snippet(reason, 300)


def _server_says(text: str) -> str:
    """What an error response says: its ``error.message`` (OpenAI's shape) or the start of its text."""
    try:
        data = json.loads(text)
        message = data["error"]["message"] if isinstance(data.get("error"), dict) else data.get("error")
    except (ValueError, AttributeError, KeyError, TypeError):
        message = None
    return _snippet(message if isinstance(message, str) else text, 300)


def _snippet(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"
