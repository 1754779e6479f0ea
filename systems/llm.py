"""LLM systems: any OpenAI-compatible Chat Completions endpoint (OpenAI, vLLM, Ollama, llama.cpp, ...)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Iterator

from bench.llm.accounting import RequestCapReached
from bench.llm.cache import ResponseCache
from bench.llm.client import ChatError
from bench.llm.parse import parse_bullets
from bench.llm.judge_window import DEFAULT_WINDOW
from bench.llm.pool import RequestPool
from bench.llm.session import (CACHE_FILE, ENDPOINT, OPERATIONAL, ChatParams, ChatSession, check_params,
                               unavailable_reason)
from bench.budget import apply_budget
from bench.model import stable_hash
from bench.text.bullets import normalized
from bench.llm.prompt import Template, fit_prompt, load_template, server_counter
from bench.llm.server_info import window_in_error
from bench.llm.windows import FILE as WINDOWS_FILE
from bench.llm.windows import LearntWindows
from bench.plugins import RunContext, SummaryTask, System, SystemOutput, system

PROMPTS_DIR = Path(__file__).parent / "prompts"


class LLMFailure(Exception):
    """This cluster got no usable answer; the message is the recorded reason."""

    def __init__(self, reason: str, seconds: float | None = None) -> None:
        super().__init__(reason)
        self.seconds = seconds  # the system's own time for the cluster (the record's seconds)


@system("llm")
@dataclass
class LLM(ChatParams, System):
    """Key-point bullets from an OpenAI-compatible chat model (cached, retried, concurrent)."""

    prompt: str = "keypoints"  # built-in template name or a file path
    context_tokens: int | None = None  # the model's window, prompt + answer (None: the server's, else 8192)
    _state: Any = field(default=None, init=False, repr=False, compare=False)

    path_params = frozenset({"prompt"})  # identified by the template's content below
    operational = OPERATIONAL
    endpoint_params = ENDPOINT  # left out of the label only

    def content_fingerprint(self) -> dict[str, Any]:
        """The prompt template's content: editing a prompt file invalidates summaries."""
        template = load_template(self.prompt, PROMPTS_DIR)
        return {"prompt_template": stable_hash([template.system, template.user])[:16]}

    def __post_init__(self) -> None:
        if self.context_tokens is not None and self.context_tokens < 1:
            raise ValueError(f"context_tokens must be >= 1, got {self.context_tokens}")
        check_params(self)
        load_template(self.prompt, PROMPTS_DIR)  # fail early on a bad template

    # -- availability -------------------------------------------------------
    def unavailable_reason(self) -> str | None:
        if not self.base_url:
            return "llm: no base_url configured (give base_url=... or use a named system from systems/llm.toml)"
        return unavailable_reason(self, "llm")

    # -- run lifecycle --------------------------------------------------------
    def runs_in_workers(self) -> bool:
        return False  # I/O-bound: its own request concurrency, one response cache, run totals

    def open(self, ctx: RunContext) -> None:
        self.close()
        cache = ResponseCache(Path(ctx.cache_dir) / CACHE_FILE) if self.cache else None
        self._state = _RunState(self, cache, read_cache=not ctx.refresh, workers=ctx.max_workers,
                                windows=LearntWindows(Path(ctx.cache_dir) / WINDOWS_FILE))

    def close(self) -> None:
        if self._state is not None:
            self._state.close()  # totals stay readable for run_meta()

    def run_meta(self) -> dict[str, Any]:
        return self._state.meta() if self._state is not None else {}

    # -- summarizing ----------------------------------------------------------
    def summarize(self, cluster, budget, references=()):
        return self._ensure_state().summarize(SummaryTask(cluster, budget))

    def summarize_many(self, tasks: Iterable[SummaryTask]) -> Iterator[tuple[SummaryTask, SystemOutput | BaseException]]:
        state = self._ensure_state()
        with RequestPool(state.workers, "llm", state.client.stop) as pool:  # on interrupt: queued clusters dropped, in-flight ones end
            futures = {pool.submit(state.summarize, task): task for task in tasks}
            for future in as_completed(futures):
                exc = future.exception()
                yield futures[future], exc if exc is not None else future.result()

    def _ensure_state(self) -> "_RunState":
        if self._state is None or self._state.closed:  # used without open(): no cache
            self._state = _RunState(self, cache=None, read_cache=False)
        return self._state


class _RunState(ChatSession):
    """Per-run resources (HTTP client, cache, request gate, totals) and the prompt template."""

    def __init__(self, params: LLM, cache: ResponseCache | None, read_cache: bool, workers: int | None = None,
                 windows: LearntWindows | None = None) -> None:
        super().__init__(params, cache, read_cache, workers)
        self.template: Template = load_template(params.prompt, PROMPTS_DIR)
        self.window, self.window_source = _window(params.context_tokens, self.server.n_ctx, self.server.n_ctx_source)
        self._window_lock = threading.Lock()
        self.windows = windows  # windows learnt by earlier runs on this cache folder, and kept for later ones
        learnt = windows.get(self.endpoint, params.model) if (windows is not None and read_cache) else None
        if learnt is not None and learnt.tokens < self.window:
            self.window = learnt.tokens
            self.window_source = (f"learnt ({WINDOWS_FILE}: the server refused a longer prompt on {learnt.learnt}, "
                                  f"naming its window of {learnt.tokens} tokens)")
        self.counter = server_counter(self.server)

    def meta(self) -> dict[str, Any]:
        return {**super().meta(), "context_tokens": self.window, "context_source": self.window_source,
                "token_count": self.counter.method}

    def _learn_window(self, served: int, message: str) -> None:
        with self._window_lock:
            if served < self.window:
                self.window = served
                self.window_source = f"server (its HTTP 400: maximum context length is {served} tokens)"
        if self.windows is not None:  # later runs on this cache folder start with it
            self.windows.put(self.endpoint, self.p.model, served, message)

    def summarize(self, task: SummaryTask) -> SystemOutput:
        """The cluster's summary, timed from here (its own time, not the wait for a free worker)."""
        start = time.perf_counter()
        try:
            return replace(self._summarize(task), seconds=round(time.perf_counter() - start, 4))
        except (ChatError, RequestCapReached, LLMFailure) as exc:  # ChatError's tokens are counted by fetch()
            self.totals.add(failures=1)
            raise LLMFailure(str(exc), seconds=round(time.perf_counter() - start, 4)) from None
        except Exception:
            self.totals.add(failures=1)
            raise

    def _prompt(self, task: SummaryTask, window: int):
        """The prompt fitted to ``window`` by the server's token counts; by the estimate when the server's
        tokenizer does not answer (said in the record's meta.prompt.token_count)."""
        return fit_prompt(self.template, task.cluster, task.budget, window, self.p.max_tokens, self.counter)

    def _summarize(self, task: SummaryTask) -> SystemOutput:
        with self._window_lock:
            window, source = self.window, self.window_source
        log: list[dict[str, Any]] = []
        prompt = self._prompt(task, window)
        body = self.body(prompt.messages)
        try:
            fetched = self.fetch_logged(body, log)
        except ChatError as exc:  # a server that names its smaller window: fit to it, ask once more
            served = window_in_error(exc.reason)
            if served is None or served >= window:
                raise
            self._learn_window(served, exc.reason)
            source = f"server (its HTTP 400 for this cluster: maximum context length is {served} tokens)"
            prompt = self._prompt(task, served)
            body = self.body(prompt.messages)
            fetched = self.fetch_logged(body, log)
        bullets = parse_bullets(fetched.response.content)
        if not bullets and fetched.unusable is not None:  # a kept unusable answer, still unusable: ask again
            fetched = self.fetch_logged(body, log, fresh=True)
            bullets = parse_bullets(fetched.response.content)
        response, cached = fetched.response, fetched.cached
        if not bullets:
            reason = f"no bullets in the answer: {response.content[:300]!r}"
            self.keep(fetched, unusable=reason)  # kept, marked, for a parser fix
            raise LLMFailure(reason)
        if fetched.unusable is not None:  # re-read from the cache: now usable
            self.totals.add(cache_hits=1)
        self.keep(fetched)
        truncated = response.finish_reason == "length"
        cost, spent = self.cost(fetched)
        self.totals.add(cost=spent, clusters_ok=1, truncated_by_max_tokens=int(truncated))
        meta = {
            "prompt_hash": prompt.hash,
            "model": response.model,
            "model_requested": self.p.model,
            "usage": response.usage,
            "latency_s": response.latency_s,  # the answer's request, when it was made (a cached one: then)
            "requests": log,  # this run's requests for the cluster: own time each (0 when cached)
            "finish_reason": response.finish_reason,
            "truncated_by_max_tokens": truncated,
            "cached": cached,
            "attempts": 0 if cached else response.attempts,
            "cost_usd": cost,
            "prompt": {**prompt.meta, "context_source": source},  # where its window came from (learnt ...)
        }
        if truncated and len(bullets) > 1:  # the last bullet is where max_tokens cut: a fragment, dropped
            meta["dropped_fragment"] = bullets[-1]
            bullets = bullets[:-1]
        kept = _distinct(bullets)
        fitted = apply_budget(kept, task.budget)
        if fitted.truncated or len(kept) < len(bullets):
            # the model overshot the budget or repeated itself: cut here, recorded (the runner marks the
            # record truncated when cut_to_budget is true, since its own budget check then finds nothing to cut)
            meta["answer_bullets"] = list(bullets)
            meta["duplicates_dropped"] = len(bullets) - len(kept)
            meta["cut_to_budget"] = fitted.truncated
        return SystemOutput(fitted.bullets, meta)


def _window(given: int | None, served: int | None, source: str | None) -> tuple[int, str]:
    """The context window to fit prompts in: the one given, never more than the server serves."""
    if given is not None and served is not None and given > served:
        return served, f"server ({source}; context_tokens={given} is more than it serves)"
    if given is not None:
        return given, "context_tokens="
    if served is not None:
        return served, f"server ({source})"
    return DEFAULT_WINDOW, "default"


def _distinct(bullets: list[str]) -> list[str]:
    """Bullets in order without exact repeats (case and spacing ignored)."""
    seen, out = set(), []
    for b in bullets:
        norm = normalized(b)
        if norm not in seen:
            seen.add(norm)
            out.append(b)
    return out

