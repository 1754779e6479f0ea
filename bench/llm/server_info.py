"""What a local OpenAI-compatible server says about itself: context window, slots, tokenizer.

Asked once per run, only of endpoints on this machine (no key, no cost):
- ``GET {base}/models``: vLLM's ``max_model_len``, llama.cpp's ``meta.n_ctx_train``,
  llama-cpp-python's ``n_ctx`` (where the version reports it);
- ``GET {root}/props`` (llama.cpp server): ``total_slots`` and the served ``n_ctx``;
- a tokenize route: llama-cpp-python ``/extras/tokenize/count``, vLLM ``/tokenize``,
  llama.cpp ``/tokenize``; the first that answers counts tokens for prompt fitting.
Anything a server does not answer is simply unknown (None); nothing here raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlsplit, urlunsplit

from .client import ChatError
from .deadline import whole_request

PROBE_TIMEOUT = 5.0


@dataclass
class ServerInfo:
    n_ctx: int | None = None  # the window the server serves (prompt + answer)
    n_ctx_source: str | None = None
    slots: int | None = None  # requests it works on at once
    tokenize: str | None = None  # "llama-cpp-python", "vllm" or "llama.cpp"
    _count: Callable[[str], int] | None = field(default=None, repr=False)

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` by the server's tokenizer; ChatError (one line) when it does not answer."""
        if self._count is None:
            raise ValueError("the server has no tokenize route")
        try:
            return self._count(text)
        except Exception as exc:  # the server went away or refused: this item's failure, named
            detail = " ".join(str(exc).split()) or "no detail"
            raise ChatError(f"connection error (tokenize, {type(exc).__name__}: {detail[:200]})") from None

    def as_meta(self) -> dict[str, Any]:
        return {"n_ctx": self.n_ctx, "n_ctx_source": self.n_ctx_source, "slots": self.slots,
                "tokenize": self.tokenize}


def root_url(base_url: str) -> str:
    """``http://host:port/v1`` -> ``http://host:port`` (where /props and /tokenize live)."""
    parts = urlsplit(base_url.rstrip("/"))
    path = parts.path[: -len("/v1")] if parts.path.endswith("/v1") else parts.path
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def probe(http: Any, base_url: str, model: str, count_timeout: float = PROBE_TIMEOUT) -> ServerInfo:
    """Ask the server (an httpx.Client) what it tells; unknown fields stay None. Token counts later wait
    up to ``count_timeout`` (a one-slot server answers them after the request it is working on)."""
    info = ServerInfo()
    try:
        _ask(info, http, base_url, model, count_timeout)
    except _NoAnswer:  # a server that does not answer in time is not asked again: the run goes on without
        pass
    return info


def _ask(info: ServerInfo, http: Any, base_url: str, model: str, count_timeout: float) -> None:
    base, root = base_url.rstrip("/"), root_url(base_url)
    wait = min(PROBE_TIMEOUT, count_timeout)  # a question waits no longer than a request would
    models = _get(http, f"{base}/models", wait)
    entries = [e for e in (models or {}).get("data") or [] if isinstance(e, dict)]
    # the entry of the model asked for first (vLLM lists LoRA adapters beside their base model)
    for entry in sorted(entries, key=lambda e: e.get("id") != model):
        meta = entry.get("meta") if isinstance(entry.get("meta"), dict) else {}
        for where, value in (("max_model_len", entry.get("max_model_len")), ("n_ctx", entry.get("n_ctx")),
                             ("meta.n_ctx_train", meta.get("n_ctx_train"))):
            if _positive(value) and info.n_ctx is None:
                info.n_ctx, info.n_ctx_source = int(value), f"/models {where}"
    props = _get(http, f"{root}/props", wait)
    if props:
        settings = props.get("default_generation_settings") or {}
        if _positive(settings.get("n_ctx")):  # the served window beats the trained one
            info.n_ctx, info.n_ctx_source = int(settings["n_ctx"]), "/props n_ctx"
        if _positive(props.get("total_slots")):
            info.slots = int(props["total_slots"])
    for name, url, body, read in _TOKENIZERS:
        counter = _counter(http, url.format(base=base, root=root), body, read, model, count_timeout, wait)
        if counter is not None:
            info.tokenize, info._count = name, counter
            break


def _tokens(data: dict[str, Any]) -> int | None:
    if _positive(data.get("count")) or data.get("count") == 0:
        return int(data["count"])
    tokens = data.get("tokens")
    return len(tokens) if isinstance(tokens, list) else None


_TOKENIZERS = (
    ("llama-cpp-python", "{root}/extras/tokenize/count", lambda text, model: {"input": text, "model": model}, _tokens),
    ("vllm", "{root}/tokenize", lambda text, model: {"prompt": text, "model": model}, _tokens),
    ("llama.cpp", "{root}/tokenize", lambda text, model: {"content": text}, _tokens),
)


def _counter(http: Any, url: str, body: Callable[[str, str], dict], read: Callable, model: str,
             timeout: float = PROBE_TIMEOUT, first_wait: float = PROBE_TIMEOUT):
    """A token counter through ``url`` if it answers a test text sensibly, else None."""
    def count(text: str, wait: float = timeout) -> int:
        with whole_request(wait):
            response = http.post(url, json=body(text, model), timeout=wait)
        response.raise_for_status()
        n = read(response.json())
        if n is None:
            raise ValueError(f"no token count from {url}")
        return n

    try:
        return count if count("Hello, world.", first_wait) > 0 else None
    except Exception as exc:  # any refusal: not this route
        _raise_if_timeout(exc)
        return None


def _get(http: Any, url: str, wait: float = PROBE_TIMEOUT) -> dict[str, Any] | None:
    try:
        with whole_request(wait):
            response = http.get(url, timeout=wait)
        data = response.json() if response.status_code == 200 else None
    except Exception as exc:  # not served, not JSON, refused: unknown
        _raise_if_timeout(exc)
        return None
    return data if isinstance(data, dict) else None


class _NoAnswer(Exception):
    """The server did not answer a question in time: asking it more would only wait as long again."""


def _raise_if_timeout(exc: Exception) -> None:
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        raise _NoAnswer from None


def _positive(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


_SERVED_WINDOW = (
    # OpenAI, vLLM, llama-cpp-python: "This model's maximum context length is N tokens"
    re.compile(r"maximum context length is (\d+) tokens", re.I),
    # llama.cpp server: "request (X tokens) exceeds the available context size (N tokens), try increasing it"
    re.compile(r"exceeds the available context size \((\d+) tokens\)", re.I),
    # llama.cpp server, older wording without the number: its exceed_context_size_error carries "n_ctx": N
    re.compile(r"exceed_context_size_error.*?\"n_ctx\":\s*(\d+)", re.I | re.S),
)


def window_in_error(reason: str) -> int | None:
    """The window a server's refusal of a too-long prompt names, else None."""
    for pattern in _SERVED_WINDOW:
        match = pattern.search(reason)
        if match:
            return int(match.group(1))
    return None
