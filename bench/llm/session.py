"""One run's use of a chat endpoint: client with retries, request cap, response cache, totals.

Shared by the ``llm`` system and the ``keypoints-llm`` judge, whose parameters
come from one dataclass (``ChatParams``). The API key is read from the
environment here and only handed to the HTTP client.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Literal

from .accounting import Prices, RequestGate, Totals, tokens
from .cache import ResponseCache, cache_key
from .client import ChatClient, ChatError, ChatResponse, brief_reason, is_local_url
from .retry import Backoff
from .server_info import PROBE_TIMEOUT, ServerInfo, probe

CACHE_FILE = "llm-responses.sqlite3"
DEFAULT_CONCURRENCY = 4  # remote endpoints, when concurrency is not given
LOCAL_CONCURRENCY = 1  # a server on this machine that does not say how many requests it serves at once
DEFAULT_TIMEOUT = 60.0  # seconds per request to a remote endpoint, when timeout is not given
#: to a local server: a small model on a CPU takes minutes for a long prompt, the server keeps working on a
#: request the client gave up, and it is never re-sent, so giving up early only loses the answer
LOCAL_TIMEOUT = 900.0
#: parameters that change how requests run, not what is asked
OPERATIONAL = frozenset(
    {"timeout", "concurrency", "max_retries", "max_requests", "backoff_base", "backoff_max",
     "retry_after_max", "retry_seed", "price_input_per_1m", "price_output_per_1m", "cache", "api_key_env",
     "retry_timeouts"}
)
#: parameters that say where the model runs, not what it is: left out of the label (``api_key_env`` is
#: operational), kept in the system's identity and the judge's signature
ENDPOINT = frozenset({"base_url"})


@dataclass
class ChatParams:
    """How a plugin uses a chat endpoint: the parameters the llm system and keypoints-llm share."""

    model: str = ""
    base_url: str = ""  # e.g. https://api.openai.com/v1 or http://localhost:8000/v1
    api_key_env: str | None = None  # NAME of the environment variable holding the key
    temperature: float | None = 0.0  # none to omit (models that only allow their default)
    max_tokens: int = 512
    max_tokens_field: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"  # newer OpenAI models want the latter
    seed: int | None = 0  # sent to the server; none to omit
    prompt: str = ""  # built-in template name or a file path (each plugin has its default)
    timeout: float | None = None  # seconds per request (None: 60; a local server: LOCAL_TIMEOUT)
    concurrency: int | None = None  # parallel requests (None: 4; a local server: its slots, else 1)
    max_retries: int = 3  # retries after the first attempt
    retry_timeouts: bool | None = None  # re-send after a timeout (None: yes, except to a local server)
    max_requests: int | None = None  # per-run cap on HTTP requests sent (retries count)
    backoff_base: float = 1.0  # seconds before the first retry (doubles, jittered)
    backoff_max: float = 30.0
    retry_after_max: float = 60.0  # cap on a server's Retry-After
    retry_seed: int = 0  # seeds the jitter generator
    price_input_per_1m: float | None = None  # USD per 1M prompt tokens
    price_output_per_1m: float | None = None  # USD per 1M completion tokens
    cache: bool = True


def check_params(p: Any) -> None:
    """ValueError (one line) for parameters no request could be made with."""
    for name in ("max_tokens", "concurrency"):
        if getattr(p, name) is not None and getattr(p, name) < 1:
            raise ValueError(f"{name} must be >= 1, got {getattr(p, name)}")
    if p.max_retries < 0 or (p.timeout is not None and p.timeout <= 0):
        raise ValueError("max_retries must be >= 0 and timeout > 0")
    if p.max_requests is not None and p.max_requests < 0:
        raise ValueError(f"max_requests must be >= 0, got {p.max_requests}")


def unavailable_reason(p: Any, who: str) -> str | None:
    """Why no request can be made here (one line), or None."""
    if not p.base_url:
        return f"{who}: no base_url configured (give base_url=...)"
    if not p.model:
        return f"{who}: no model configured for {p.base_url}"
    if p.api_key_env and not os.environ.get(p.api_key_env) and not is_local_url(p.base_url):
        return f"{who}: environment variable {p.api_key_env} is not set (API key for {p.base_url})"
    try:
        import httpx  # noqa: F401
    except ImportError:
        return f"{who}: the httpx package is not installed"
    return None


@dataclass(frozen=True)
class Fetched:
    key: str  # cache key of the request
    response: ChatResponse
    cached: bool
    unusable: str | None = None  # a kept answer that could not be used then (why): re-parse it


class ChatSession:
    """Per-run resources: HTTP client, cache, request gate, totals (thread-safe)."""

    def __init__(self, p: Any, cache: ResponseCache | None, read_cache: bool, workers: int | None = None,
                 totals_fields: tuple[str, ...] | None = None) -> None:
        self.p = p
        self.local = is_local_url(p.base_url)
        if p.timeout is not None:
            self.timeout, self.timeout_source = p.timeout, "timeout="
        elif self.local:  # the server keeps working on a request the client gives up: wait for it
            self.timeout, self.timeout_source = LOCAL_TIMEOUT, "local server default"
        else:
            self.timeout, self.timeout_source = DEFAULT_TIMEOUT, "default"
        self.server = ServerInfo()
        self._probe_http = None
        if self.local:  # ask it once: window, slots, tokenizer (counts wait as long as a request would)
            self._probe_http = _probe_client()
            self.server = probe(self._probe_http, p.base_url, p.model, count_timeout=self.timeout)
        own, self.concurrency_source = p.concurrency, "concurrency="
        if own is None and self.local:
            own = self.server.slots or LOCAL_CONCURRENCY
            self.concurrency_source = "server slots (/props)" if self.server.slots else "local server default"
        elif own is None:
            own, self.concurrency_source = DEFAULT_CONCURRENCY, "default"
        self.workers = min(own, workers) if workers else own
        self.cache = cache
        self.read_cache = read_cache
        self.totals = Totals(totals_fields)
        self.gate = RequestGate(p.max_requests)
        self.prices = Prices(p.price_input_per_1m, p.price_output_per_1m)
        self.endpoint = p.base_url.rstrip("/")
        self.schema_as_json_object = False  # learned from a refusal: _learn_schema_dialect
        self.logprobs_refused: str | None = None  # the server's refusal of log-probabilities (fetch, rubric-llm)
        self.client = ChatClient(
            base_url=p.base_url,
            api_key=os.environ.get(p.api_key_env) if p.api_key_env else None,
            timeout=self.timeout,
            max_retries=p.max_retries,
            backoff=Backoff(p.backoff_base, p.backoff_max, p.retry_after_max, p.retry_seed),
            gate=self.gate,
            max_connections=self.workers,
            retry_timeouts=(not self.local) if p.retry_timeouts is None else p.retry_timeouts,
        )
        self.closed = False

    def close(self) -> None:
        self.client.close()
        if self._probe_http is not None:
            self._probe_http.close()
            self._probe_http = None
        if self.cache is not None:
            self.cache.close()
            self.cache = None
        self.closed = True

    def meta(self) -> dict[str, Any]:
        return {
            **self.totals.snapshot(),
            "requests_sent": self.gate.sent,
            "request_cap": self.p.max_requests,
            "concurrency": self.workers,
            "concurrency_source": self.concurrency_source,
            "timeout": self.timeout,
            "timeout_source": self.timeout_source,
            **({"server": self.server.as_meta()} if self.local else {}),
            **({"logprobs_refused": self.logprobs_refused} if self.logprobs_refused else {}),
            "model_requested": self.p.model,
            "endpoint": self.endpoint,
        }

    def body(self, messages: list[dict[str, str]], **extra: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.p.model, "messages": messages, self.p.max_tokens_field: self.p.max_tokens}
        if self.p.temperature is not None:
            body["temperature"] = self.p.temperature
        if self.p.seed is not None:
            body["seed"] = self.p.seed
        return {**body, **extra}

    def fetch(self, body: dict[str, Any], fresh: bool = False, logprobs_optional: bool = False) -> Fetched:
        """The cached answer (unless ``fresh``), else one from the server (retried).

        A kept unusable answer comes back marked (``unusable``) for the caller
        to re-parse; it counts as a cache hit only once the caller uses it.
        Counts cache hits, fresh responses, retries and tokens; raises ChatError
        (its billed tokens and retries counted) or RequestCapReached.
        ``logprobs_optional``: the caller can do without log-probabilities, so a
        server that refuses them (``refuses_logprobs``) is asked without, and not
        asked for them again this run.
        """
        body = self._schema_dialect(body)
        if logprobs_optional and self.logprobs_refused:
            body = without_logprobs(body)
        key = cache_key(self.endpoint, body)
        cached = self.cache.get(key) if (self.cache is not None and self.read_cache and not fresh) else None
        if cached is not None:
            unusable = cached.pop("unusable", None)
            if unusable is None:
                self.totals.add(cache_hits=1)
            return Fetched(key, ChatResponse(**cached), True, unusable)
        try:
            response = self.client.complete(body)
        except ChatError as exc:  # tokens of a useless answer were still billed
            self.totals.add(retries=max(exc.attempts - 1, 0), **token_counts(exc.usage))
            if logprobs_optional and "logprobs" in body and refuses_logprobs(exc):
                self.logprobs_refused = brief_reason(exc.reason)
                return self.fetch(body, fresh=fresh, logprobs_optional=True)  # without them
            if not self._learn_schema_dialect(body, exc):
                raise
            return self.fetch(body, fresh=fresh, logprobs_optional=logprobs_optional)  # in the dialect named
        self.totals.add(responses_fresh=1, retries=response.attempts - 1, **token_counts(response.usage))
        return Fetched(key, response, False)

    def _schema_dialect(self, body: dict[str, Any]) -> dict[str, Any]:
        """``body`` with its JSON schema in llama-cpp-python's form where the server refused OpenAI's."""
        fmt = body.get("response_format")
        if not (self.schema_as_json_object and isinstance(fmt, dict) and fmt.get("type") == "json_schema"):
            return body
        return {**body, "response_format": {"type": "json_object", "schema": fmt["json_schema"]["schema"]}}

    def _learn_schema_dialect(self, body: dict[str, Any], exc: ChatError) -> bool:
        """A server that refused a ``json_schema`` response format naming ``json_object`` (llama-cpp-python,
        when it was not recognised: its probe went unanswered) gets the schema in that form from now on."""
        fmt = body.get("response_format")
        if (self.schema_as_json_object or not isinstance(fmt, dict) or fmt.get("type") != "json_schema"
                or "json_object" not in exc.reason):
            return False
        self.schema_as_json_object = True
        return True

    def keep(self, fetched: Fetched, unusable: str | None = None) -> None:
        """Store an answer once the caller has read it: usable, or not (``unusable``: why),
        so that a parser fix can re-read it without a new request."""
        if self.cache is None or (fetched.cached and fetched.unusable == unusable):
            return
        marked = {"unusable": unusable} if unusable else {}
        self.cache.put(fetched.key, self.endpoint, self.p.model, {**fetched.response.to_cache(), **marked})

    def fetch_logged(self, body: dict[str, Any], log: list[dict[str, Any]], fresh: bool = False,
                     logprobs_optional: bool = False) -> Fetched:
        """fetch(), the request kept in ``log`` as a record keeps it (``request_entry``), failed or not."""
        try:
            fetched = self.fetch(body, fresh=fresh, logprobs_optional=logprobs_optional)
        except ChatError as exc:
            log.append(request_entry(error=exc))
            raise
        log.append(request_entry(fetched))
        return fetched

    def cost(self, fetched: Fetched) -> tuple[float | None, float | None]:
        """(the answer's cost, what this run spent on it): a cache hit is free."""
        cost = self.prices.cost(fetched.response.usage)
        return cost, (0.0 if (fetched.cached and cost is not None) else cost)


def refuses_logprobs(exc: ChatError) -> bool:
    """The server refused the request for its log-probabilities (HTTP 400/422 naming them: OpenAI's
    reasoning models, a vLLM asked for more than its ``max_logprobs``)."""
    return exc.reason.startswith(("HTTP 400", "HTTP 422")) and "logprob" in exc.reason.lower()


def without_logprobs(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("logprobs", "top_logprobs")}


def request_entry(fetched: Fetched | None = None, error: ChatError | None = None) -> dict[str, Any]:
    """One request as a record keeps it: its own time (send to answer, the last attempt's; 0 for an
    answer read from the cache), whether it was cached, the attempts it took, and the error if it failed."""
    if error is not None:
        return {"seconds": error.latency_s if error.latency_s is not None else 0.0, "cached": False,
                "attempts": error.attempts, "error": error.reason[:200]}
    assert fetched is not None
    if fetched.cached:
        return {"seconds": 0.0, "cached": True, "attempts": 0}
    return {"seconds": fetched.response.latency_s, "cached": False, "attempts": fetched.response.attempts}


def _probe_client() -> Any:
    import httpx

    from .deadline import bounded_client

    return bounded_client(timeout=httpx.Timeout(PROBE_TIMEOUT), trust_env=False)


def token_counts(usage: dict[str, Any]) -> dict[str, int]:
    return {
        "prompt_tokens": tokens(usage, "prompt_tokens"),
        "completion_tokens": tokens(usage, "completion_tokens"),
    }


def session_for(p: Any, ctx: Any, totals_fields: tuple[str, ...]) -> "ChatSession":
    """A judge's session for a run context (its cache file, --refresh, --workers); no context: no cache."""
    from pathlib import Path

    cache = ResponseCache(Path(ctx.cache_dir) / CACHE_FILE) if (ctx is not None and p.cache) else None
    return ChatSession(p, cache, read_cache=not (ctx and ctx.refresh), workers=ctx.max_workers if ctx else None,
                       totals_fields=totals_fields)
