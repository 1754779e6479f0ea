"""Faithfulness judged by an LLM on any OpenAI-compatible endpoint (FineSurE's fact-checking step).

One request per (summary, chunk of sources): the source articles (in chunks of
whole sentences when they exceed ``context_tokens`` with the answer's
``max_tokens`` reserved) and the summary's sentences, numbered; the judge gives
every sentence "no error" or one of FRANK's error types. Requests go through the
same client, cache, retries, request cap and accounting as the ``llm`` system.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from bench.faithfulness.llm_judge import (CATEGORIES, VERDICT, FactCheckError, combine, parse_fact_check,
                                          source_chunks)
from bench.llm.accounting import RequestCapReached
from bench.llm.cache import ResponseCache
from bench.llm.client import ChatError
from bench.llm.prompt import Template, load_template
from bench.llm.tokens import METHOD, estimate_tokens
from bench.llm.session import CACHE_FILE, OPERATIONAL, ChatParams, ChatSession, check_params, unavailable_reason
from bench.model import stable_hash
from bench.plugins import ItemFailure, Metric, MetricResult, RunContext, ScoreItem, metric
from bench.plugins.params import resolved_params

PROMPTS_DIR = Path(__file__).parents[1] / "faithfulness" / "prompts"
REQUIRED = ("documents", "sentences")
METHOD_TEXT = ("one chat request per (summary, chunk of the sources): numbered summary sentences, each labelled no "
               "error or a FRANK error type (FineSurE fact checking); over chunks, a sentence is faithful when some "
               "chunk finds no error, else it takes the first error other than out-of-article")
TOTALS = ("items_ok", "failures", "requests_ok", "requests_failed", "cache_hits", "responses_fresh", "retries",
          "prompt_tokens", "completion_tokens", "truncated_by_max_tokens", "chunked_items", "sentences_unjudged")
_PLACEHOLDER = re.compile(r"\{(documents|sentences|n_sentences|topic)\}")


@metric("faithfulness-llm")
@dataclass
class FaithfulnessLLM(ChatParams, Metric):
    """Share of summary sentences an OpenAI-compatible chat model finds free of factual errors (FineSurE fact checking)."""

    max_tokens: int = 1024
    prompt: str = "faithfulness_judge"  # built-in template name or a file path
    context_tokens: int = 8000  # the model's window: sources are chunked to fit it with max_tokens reserved
    json_mode: bool = False  # send response_format={"type": "json_object"} (servers that support it)
    _ctx: Any = field(default=None, init=False, repr=False, compare=False)
    _session: Any = field(default=None, init=False, repr=False, compare=False)

    headline = ("faithfulness", "contradicted")
    lower_is_better = frozenset({"contradicted", "unsupported"})
    operational = OPERATIONAL
    path_params = frozenset({"prompt"})

    def __post_init__(self) -> None:
        check_params(self)
        if self.context_tokens <= self.max_tokens:
            raise ValueError(f"context_tokens ({self.context_tokens}) must exceed max_tokens ({self.max_tokens}): "
                             "the answer's tokens are reserved in the window")
        self._template()

    def _template(self) -> Template:
        return load_template(self.prompt, PROMPTS_DIR, required=REQUIRED)

    def unavailable_reason(self) -> str | None:
        return unavailable_reason(self, "faithfulness-llm")

    def signature(self) -> dict[str, Any]:
        skip = self.operational | self.path_params
        template = self._template()
        return {"metric": self.name, "params": {k: v for k, v in resolved_params(self).items() if k not in skip},
                "prompt_template": stable_hash([template.system, template.user])[:16], "method": METHOD_TEXT,
                "categories": dict(CATEGORIES), "token_count": METHOD, "versions": {}}

    # -- run lifecycle ------------------------------------------------------------
    def runs_in_workers(self) -> bool:
        return False  # I/O-bound: its own request concurrency, one response cache, run totals

    def open(self, ctx: RunContext) -> None:
        self.close()
        self._ctx, self._session = ctx, None

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
        self._ctx = None

    def accounting(self) -> dict[str, Any]:
        return self._session.meta() if self._session is not None else {}

    def _ensure_session(self) -> ChatSession:
        if self._session is None or self._session.closed:
            ctx = self._ctx
            cache = ResponseCache(Path(ctx.cache_dir) / CACHE_FILE) if (ctx is not None and self.cache) else None
            self._session = ChatSession(self, cache, read_cache=not (ctx and ctx.refresh),
                                        workers=ctx.max_workers if ctx else None, totals_fields=TOTALS)
        return self._session

    # -- scoring ------------------------------------------------------------------
    def score(self, items: Sequence[ScoreItem]) -> list[MetricResult | ItemFailure]:
        from .keypoints import sentences

        session, template = self._ensure_session(), self._template()
        plans: list[tuple[list[tuple[int, str]], list[str]] | ItemFailure] = []
        jobs: list[tuple[int, list[dict[str, str]], int]] = []
        for pos, item in enumerate(items):
            units = [(i, s) for i, b in enumerate(b for b in item.bullets if b.strip()) for s in sentences(b)]
            if not units:
                plans.append(ItemFailure("empty summary"))
                continue
            try:
                chunks = self._chunks(template, item, [s for _, s in units])
            except ValueError as exc:
                plans.append(ItemFailure(str(exc)))
                continue
            plans.append((units, chunks))
            jobs.extend((pos, self._messages(template, item, chunk, [s for _, s in units]), len(units))
                        for chunk in chunks)
        pool = ThreadPoolExecutor(max_workers=session.workers, thread_name_prefix="fact-check")
        try:
            outcomes = [f.result() for f in [pool.submit(self._ask, session, job) for job in jobs]]
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        per_item: dict[int, list] = {}
        for (pos, *_), outcome in zip(jobs, outcomes):
            per_item.setdefault(pos, []).append(outcome)
        results = [p if isinstance(p, ItemFailure) else self._item_result(*p, per_item[pos])
                   for pos, p in enumerate(plans)]
        failed = sum(isinstance(r, ItemFailure) for r in results)
        session.totals.add(items_ok=len(results) - failed, failures=failed)
        return results

    def _chunks(self, template: Template, item: ScoreItem, sents: list[str]) -> list[str]:
        skeleton = self._messages(template, item, "", sents)
        room = self.context_tokens - self.max_tokens - sum(estimate_tokens(m["content"]) for m in skeleton) - 16
        if room < 64:
            raise ValueError(f"context_tokens={self.context_tokens} leaves no room for the sources: the prompt "
                             f"without them takes ~{self.context_tokens - self.max_tokens - room} tokens and "
                             f"max_tokens={self.max_tokens} is reserved for the answer")
        if not any(d.text.strip() for d in item.cluster.documents):
            raise ValueError("cluster has no source text")
        return source_chunks(item.cluster, room)

    @staticmethod
    def _messages(template: Template, item: ScoreItem, documents: str, sents: list[str]) -> list[dict[str, str]]:
        values = {"documents": documents, "sentences": "\n".join(f"{i}. {' '.join(s.split())}"
                                                                 for i, s in enumerate(sents, 1)),
                  "n_sentences": str(len(sents)), "topic": f" ({item.cluster.title})" if item.cluster.title else ""}
        fill = lambda t: _PLACEHOLDER.sub(lambda m: values[m.group(1)], t)  # noqa: E731
        system = [{"role": "system", "content": fill(template.system)}] if template.system else []
        return system + [{"role": "user", "content": fill(template.user)}]

    def _ask(self, session: ChatSession, job) -> Any:
        """One chunk's FactCheck, or the reason there is none (never raises)."""
        _, messages, n = job
        extra = {"response_format": {"type": "json_object"}} if self.json_mode else {}
        try:
            fetched = session.fetch(session.body(messages, **extra))
        except (ChatError, RequestCapReached) as exc:
            session.totals.add(requests_failed=1)
            return str(exc)
        except Exception as exc:  # a bug must not lose the other items
            session.totals.add(requests_failed=1)
            return f"{type(exc).__name__}: {exc}"
        response = fetched.response
        _, spent = session.cost(fetched)
        cut = response.finish_reason == "length"
        try:
            check = parse_fact_check(response.content, n)
        except FactCheckError as exc:
            session.totals.add(cost=spent, requests_failed=1, truncated_by_max_tokens=int(cut))
            hint = " (answer cut by max_tokens: finish_reason=length)" if cut else ""
            return f"unusable answer: {exc}{hint}; answer began: {response.content[:200]!r}"
        session.keep(fetched)
        session.totals.add(cost=spent, requests_ok=1, truncated_by_max_tokens=int(cut))
        return check

    def _item_result(self, units: list[tuple[int, str]], chunks: list[str], outcomes: list) -> MetricResult | ItemFailure:
        checks = [o for o in outcomes if not isinstance(o, str)]
        problems = [o for o in outcomes if isinstance(o, str)]
        if not checks:
            return ItemFailure("; ".join(problems[:3]))
        cats, reasons = combine(checks, len(units))
        session = self._session
        if len(chunks) > 1:
            session.totals.add(chunked_items=1)
        session.totals.add(sentences_unjudged=len(units) - len(cats))
        if not cats:
            return ItemFailure("the judge gave no usable judgment for any sentence")
        rows = [{"bullet": b, "sentence": s, "verdict": VERDICT[cats[j]] if j in cats else None,
                 "error": CATEGORIES[cats[j]] if j in cats else None, "reason": reasons.get(j, "")}
                for j, (b, s) in enumerate(units)]
        judged = [r for r in rows if r["verdict"] is not None]
        n = len(judged)
        values = {"faithfulness": sum(r["verdict"] == "supported" for r in judged) / n,
                  "contradicted": sum(r["verdict"] == "contradicted" for r in judged) / n,
                  "unsupported": sum(r["verdict"] == "unsupported" for r in judged) / n,
                  "judged": n / len(rows)}
        details = {"sentences": rows, "chunks": len(chunks),
                   "dropped": [d for c in checks for d in c.dropped] + problems}
        return MetricResult(values, details)
