"""HTTP peers on 127.0.0.1 that speak vLLM's and native llama.cpp's own routes, for the servers we
cannot run here. Shapes as those servers' sources define them:

- vLLM (``vllm/entrypoints/openai/protocol.py``, ``api_server.py``): ``GET /v1/models`` -> ModelList of
  ModelCard ``{id, object: "model", created, owned_by: "vllm", root, parent, max_model_len, permission}``;
  ``POST /tokenize`` ``{model, prompt, add_special_tokens}`` -> ``{count, max_model_len, tokens, token_strs}``;
  a route it lacks -> 404 ``{"detail": "Not Found"}`` (FastAPI); a request body it cannot validate -> 400
  ErrorResponse ``{object: "error", message, type: "BadRequestError", param, code: 400}``; a prompt over
  the window -> 400 ErrorResponse "This model's maximum context length is N tokens. However, you requested
  ...".
- llama.cpp ``llama-server`` (``tools/server/server.cpp``): ``GET /v1/models`` -> ``{models: [...],
  object: "list", data: [{id, object, created, owned_by: "llamacpp", meta: {vocab_type, n_vocab,
  n_ctx_train, n_embd, n_params, size}}]}``; ``GET /props`` -> ``{default_generation_settings: {id, id_task,
  n_ctx, speculative, is_processing, params, ...}, total_slots, model_path, modalities, chat_template,
  bos_token, eos_token, build_info}``; ``POST /tokenize`` ``{content, add_special, with_pieces}`` ->
  ``{tokens: [...]}`` (no ``content``: ``{tokens: []}``); an unknown route -> 404; a prompt over the slot's
  window -> 400 ``{error: {code: 400, message: "request (X tokens) exceeds the available context size
  (N tokens), try increasing it", type: "exceed_context_size_error", n_prompt_tokens, n_ctx}}``; at most
  ``total_slots`` requests worked on at once (the others wait in its queue).

Tokens here are words and punctuation marks (not chars/4), so a test can tell the server's count from
the estimate.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.llm_server import FakeChatServer

TOKEN = re.compile(r"\w+|[^\w\s]")


def tokens(text: str) -> list[int]:
    return [hash(t) % 50000 for t in TOKEN.findall(text)]


def chat_tokens(body: dict[str, Any]) -> int:
    """The prompt's tokens, with the chat template's markers (3 a message)."""
    return sum(len(tokens(str(m.get("content", "")))) + 3 for m in body.get("messages", []))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class Peer:
    """Common plumbing: a threaded HTTP server on a free port, request log, in-flight count."""

    def __init__(self, model: str, n_ctx: int, delay_s: float = 0.0) -> None:
        self.model, self.n_ctx, self.delay_s = model, n_ctx, delay_s
        self.chats: list[dict[str, Any]] = []  # chat request bodies received
        self.paths: list[str] = []  # every "METHOD path" received
        self.in_flight = self.max_in_flight = 0
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # subclasses: route(method, path, body) -> (status, payload)
    def route(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        raise NotImplementedError

    def completion(self, body: dict[str, Any], prompt_tokens: int) -> dict[str, Any]:
        content = FakeChatServer.answer(body)
        n = len(tokens(content))
        return {"id": "chatcmpl-peer", "object": "chat.completion", "created": int(time.time()), "model": body["model"],
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": n, "total_tokens": prompt_tokens + n}}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._answer("GET", None)

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                self._answer("POST", body)

            def _answer(self, method: str, body: Any) -> None:
                with peer._lock:
                    peer.paths.append(f"{method} {self.path}")
                status, payload = peer.route(method, self.path, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


class VLLMPeer(Peer):
    """``vllm serve MODEL --max-model-len N`` as its OpenAI-compatible server answers; ``others``
    (name -> window): models a gateway in front of several servers lists before it."""

    def __init__(self, model: str, n_ctx: int, delay_s: float = 0.0, others: dict[str, int] | None = None) -> None:
        super().__init__(model, n_ctx, delay_s)
        self.others = others or {}

    def route(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        if (method, path) == ("GET", "/v1/models"):
            card = {"id": self.model, "object": "model", "created": int(time.time()), "owned_by": "vllm",
                    "root": self.model, "parent": None, "max_model_len": self.n_ctx,
                    "permission": [{"id": "modelperm-1", "object": "model_permission", "created": int(time.time()),
                                    "allow_create_engine": False, "allow_sampling": True, "allow_logprobs": True,
                                    "allow_search_indices": False, "allow_view": True, "allow_fine_tuning": False,
                                    "organization": "*", "group": None, "is_blocking": False}]}
            # a LoRA adapter served beside it is listed first, with its base as parent
            lora = {**card, "id": "sql-lora", "root": "/adapters/sql", "parent": self.model, "max_model_len": None}
            others = [{**card, "id": name, "root": name, "max_model_len": n} for name, n in self.others.items()]
            return 200, {"object": "list", "data": [*others, lora, card]}
        if (method, path) == ("POST", "/tokenize"):
            if not isinstance(body, dict) or not isinstance(body.get("prompt", body.get("messages")), (str, list)):
                return 400, self._error("1 validation error: prompt Field required")
            ids = tokens(body["prompt"]) if "prompt" in body else [0] * chat_tokens(body)
            return 200, {"count": len(ids), "max_model_len": self.n_ctx, "tokens": ids, "token_strs": None}
        if (method, path) == ("POST", "/v1/chat/completions"):
            asked = chat_tokens(body) + int(body.get("max_tokens") or 0)
            if asked > self.n_ctx:
                return 400, self._error(
                    f"This model's maximum context length is {self.n_ctx} tokens. However, you requested {asked} "
                    f"tokens ({chat_tokens(body)} in the messages, {body.get('max_tokens')} in the completion). "
                    "Please reduce the length of the messages or completion.")
            with self._lock:
                self.chats.append(body)
            time.sleep(self.delay_s)
            return 200, self.completion(body, chat_tokens(body))
        return 404, {"detail": "Not Found"}

    @staticmethod
    def _error(message: str) -> dict[str, Any]:
        return {"object": "error", "message": message, "type": "BadRequestError", "param": None, "code": 400}


class LlamaCppPeer(Peer):
    """``llama-server -m MODEL.gguf -c N_CTX -np SLOTS`` (native llama.cpp): each slot serves N_CTX/SLOTS
    tokens; ``props=False``: behind a proxy that forwards only ``/v1`` (no /props, no /tokenize)."""

    def __init__(self, model: str, n_ctx: int, slots: int = 1, delay_s: float = 0.0, props: bool = True) -> None:
        super().__init__(model, n_ctx, delay_s)
        self.slots, self.props = slots, props
        self._slots = threading.Semaphore(slots)

    @property
    def slot_ctx(self) -> int:
        return self.n_ctx // self.slots

    def route(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        if (method, path) == ("GET", "/v1/models"):
            meta = {"vocab_type": 2, "n_vocab": 49152, "n_ctx_train": 8192, "n_embd": 576, "n_params": 134515008,
                    "size": 91702400}
            entry = {"name": self.model, "model": self.model, "modified_at": "", "size": "", "digest": "",
                     "type": "model", "description": "", "tags": [""], "capabilities": ["completion"],
                     "parameters": "", "details": {"parent_model": "", "format": "gguf", "family": "",
                                                   "families": [""], "parameter_size": "", "quantization_level": ""}}
            return 200, {"models": [entry], "object": "list",
                         "data": [{"id": self.model, "object": "model", "created": int(time.time()),
                                   "owned_by": "llamacpp", "meta": meta}]}
        if self.props and (method, path) == ("GET", "/props"):
            settings = {"id": 0, "id_task": -1, "n_ctx": self.slot_ctx, "speculative": False, "is_processing": False,
                        "params": {"n_predict": -1, "temperature": 0.8, "top_k": 40, "top_p": 0.95},
                        "prompt": "", "next_token": {"has_next_token": True, "n_remain": -1, "n_decoded": 0}}
            return 200, {"default_generation_settings": settings, "total_slots": self.slots,
                         "model_path": f"/models/{self.model}.gguf", "modalities": {"vision": False, "audio": False},
                         "chat_template": "{% for m in messages %}{{ m.content }}{% endfor %}", "bos_token": "<s>",
                         "eos_token": "</s>", "build_info": "b5890-test"}
        if self.props and (method, path) == ("POST", "/tokenize"):
            content = body.get("content") if isinstance(body, dict) else None
            return 200, {"tokens": tokens(content) if isinstance(content, str) else []}
        if (method, path) == ("POST", "/v1/chat/completions"):
            n_prompt = chat_tokens(body)
            if n_prompt >= self.slot_ctx:  # llama.cpp refuses a prompt that fills the slot (it cuts the answer)
                return 400, {"error": {"code": 400, "message": f"request ({n_prompt} tokens) exceeds the available "
                                       f"context size ({self.slot_ctx} tokens), try increasing it",
                                       "type": "exceed_context_size_error", "n_prompt_tokens": n_prompt,
                                       "n_ctx": self.slot_ctx}}
            with self._slots:  # a request beyond the slots waits in the server's queue
                with self._lock:
                    self.chats.append(body)
                    self.in_flight += 1
                    self.max_in_flight = max(self.max_in_flight, self.in_flight)
                time.sleep(self.delay_s)
                with self._lock:
                    self.in_flight -= 1
            return 200, self.completion(body, n_prompt)
        return 404, {"error": {"code": 404, "message": "File Not Found", "type": "not_found_error"}}
