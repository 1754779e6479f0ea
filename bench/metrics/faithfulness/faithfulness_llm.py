"""Faithfulness judged by an LLM on any OpenAI-compatible endpoint (FineSurE's fact-checking step).

One request per (summary, chunk of sources): the source articles (in chunks of
whole sentences when they exceed ``context_tokens`` with the answer's
``max_tokens`` reserved) and the summary's sentences, numbered; the judge gives
every sentence "no error" or one of FRANK's error types. Requests go through the
same client, cache, retries, request cap and accounting as the ``llm`` system.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from bench.llm.accounting import RequestCapReached
from bench.llm.client import ChatError
from bench.llm.judge_format import response_format
from bench.llm.logprobs import TOP_LOGPROBS
from bench.llm.pool import RequestPool
from bench.llm.prompt import Template, load_template
from bench.llm.tokens import METHOD, estimate_tokens
from bench.llm.judge_run import JudgeRun
from bench.llm.server_info import window_in_error
from bench.llm.session import (ENDPOINT, OPERATIONAL, ChatParams, ChatSession, check_params, request_entry,
                               unavailable_reason)
from bench.plugins import ItemFailure, Metric, MetricResult, ScoreItem, metric

from ..shared.sentences import sentences
from .llm_judge import (CATEGORIES, VERDICT, FactCheckError, answer_schema, combine, p_faithful, parse_fact_check,
                        source_chunks)

PROMPTS_DIR = Path(__file__).parent / "prompts"
REQUIRED = ("documents", "sentences")
METHOD_TEXT = ("one chat request per (summary, chunk of the sources): numbered summary sentences, each labelled no "
               "error or a FRANK error type (FineSurE fact checking); over chunks, a sentence is faithful when some "
               "chunk finds no error, else it takes the first error other than out-of-article")
CHAT_MARKUP = 32  # tokens the chat template adds around the messages
TOTALS = ("items_ok", "failures", "requests_ok", "requests_failed", "cache_hits", "responses_fresh", "retries",
          "prompt_tokens", "completion_tokens", "truncated_by_max_tokens", "chunked_items", "sentences_unjudged")
_PLACEHOLDER = re.compile(r"\{(documents|sentences|n_sentences|topic)\}")


@metric("faithfulness-llm")
@dataclass
class FaithfulnessLLM(JudgeRun, ChatParams, Metric):
    """Share of summary sentences an OpenAI-compatible chat model finds free of factual errors (FineSurE fact checking)."""

    max_tokens: int = 1024
    prompt: str = "faithfulness_judge"  # built-in template name or a file path
    context_tokens: int | None = None  # the model's window (None: what a local server reports, else 8192)
    json_mode: bool = False  # send response_format={"type": "json_object"} (servers that support it)
    json_schema: bool | None = None  # send the answer's JSON schema (None: to local servers, which enforce it)
    logprobs: bool | None = None  # ask for token log-probabilities: P(no error) as a graded score (None: local,
    # and not where the server refuses them)
    _ctx: Any = field(default=None, init=False, repr=False, compare=False)
    _session: Any = field(default=None, init=False, repr=False, compare=False)

    headline = ("faithfulness", "contradicted")
    lower_is_better = frozenset({"contradicted", "unsupported"})
    operational = OPERATIONAL
    totals_fields = TOTALS
    endpoint_params = ENDPOINT  # left out of the label only
    path_params = frozenset({"prompt"})

    def __post_init__(self) -> None:
        check_params(self)
        self.check_window()
        self._template()

    def _template(self) -> Template:
        return load_template(self.prompt, PROMPTS_DIR, required=REQUIRED)

    def unavailable_reason(self) -> str | None:
        return unavailable_reason(self, "faithfulness-llm")

    def signature(self) -> dict[str, Any]:
        return {**self.judge_signature(self._template(), METHOD_TEXT), "categories": dict(CATEGORIES),
                "token_count": METHOD, "versions": {}}

    # -- scoring ------------------------------------------------------------------
    def score(self, items: Sequence[ScoreItem]) -> list[MetricResult | ItemFailure]:
        session, template = self._ensure_session(), self._template()
        window = self.window(session)[0]
        results = self._score_once(session, template, items)
        # a server that does not say its window refuses the first long prompt naming it: those items
        # are chunked again to the window it named and asked once more
        if self.window(session)[0] < window:
            again = [i for i, r in enumerate(results)
                     if isinstance(r, ItemFailure) and window_in_error(r.reason) is not None]
            for i, r in zip(again, self._score_once(session, template, [items[i] for i in again])):
                results[i] = r
        failed = sum(isinstance(r, ItemFailure) for r in results)
        session.totals.add(items_ok=len(results) - failed, failures=failed)
        return results

    def _score_once(self, session: ChatSession, template: Template,
                    items: Sequence[ScoreItem]) -> list[MetricResult | ItemFailure]:
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
        with RequestPool(session.workers, "fact-check", session.client.stop) as pool:  # on interrupt: queued dropped, in-flight end
            outcomes = [f.result() for f in [pool.submit(self._ask, session, job) for job in jobs]]
        per_item: dict[int, list] = {}
        requests: dict[int, list] = {}
        for (pos, *_), (outcome, entry) in zip(jobs, outcomes):
            per_item.setdefault(pos, []).append(outcome)
            if entry is not None:
                requests.setdefault(pos, []).append(entry)
        return [p if isinstance(p, ItemFailure) else self._item_result(*p, per_item[pos], requests.get(pos, []))
                for pos, p in enumerate(plans)]

    def _chunks(self, template: Template, item: ScoreItem, sents: list[str]) -> list[str]:
        window, _ = self.window()
        if not any(d.text.strip() for d in item.cluster.documents):
            raise ValueError("cluster has no source text")
        ratio = self._token_ratio(item)
        skeleton = self._messages(template, item, "", sents)
        prompt = sum(estimate_tokens(m["content"]) for m in skeleton) * ratio
        room = int((window - self.max_tokens - prompt - CHAT_MARKUP) / ratio)
        if room < 64:
            raise ValueError(f"a window of {window} tokens leaves no room for the sources: the prompt without them "
                             f"takes ~{int(prompt)} tokens and max_tokens={self.max_tokens} is reserved for the answer")
        return source_chunks(item.cluster, room)

    def _token_ratio(self, item: ScoreItem) -> float:
        """Server tokens per estimated token, from one count of the cluster's text by the server's tokenizer
        (where it has one; 1.0 otherwise), with a 10% margin."""
        server = self._ensure_session().server
        if not server.tokenize:
            return 1.0
        text = "\n".join(d.text for d in item.cluster.documents)[:20000]
        try:
            return 1.1 * server.count_tokens(text) / max(1, estimate_tokens(text))
        except Exception:
            return 1.25  # the count failed (server gone): a generous estimate; the request will say more

    @staticmethod
    def _messages(template: Template, item: ScoreItem, documents: str, sents: list[str]) -> list[dict[str, str]]:
        values = {"documents": documents, "sentences": "\n".join(f"{i}. {' '.join(s.split())}"
                                                                 for i, s in enumerate(sents, 1)),
                  "n_sentences": str(len(sents)), "topic": f" ({item.cluster.title})" if item.cluster.title else ""}
        fill = lambda t: _PLACEHOLDER.sub(lambda m: values[m.group(1)], t)  # noqa: E731
        system = [{"role": "system", "content": fill(template.system)}] if template.system else []
        return system + [{"role": "user", "content": fill(template.user)}]

    def _ask(self, session: ChatSession, job) -> tuple[Any, dict[str, Any] | None]:
        """One chunk's FactCheck, or the reason there is none (never raises), and the request as a record
        keeps it (its own time, cached or not, attempts, error; None when none was sent)."""
        _, messages, n = job
        extra: dict[str, Any] = {}
        if session.local if self.logprobs is None else self.logprobs:
            extra.update(logprobs=True, top_logprobs=TOP_LOGPROBS)
        if session.local if self.json_schema is None else self.json_schema:
            extra["response_format"] = response_format(answer_schema(n), session.server.tokenize, "fact_check")
        elif self.json_mode:
            extra["response_format"] = {"type": "json_object"}
        try:
            fetched = session.fetch(session.body(messages, **extra), logprobs_optional=self.logprobs is None)
        except (ChatError, RequestCapReached) as exc:
            self.learn_window(session, str(exc))  # later items are fitted to it; this one is a recorded failure
            session.totals.add(requests_failed=1)
            return str(exc), (request_entry(error=exc) if isinstance(exc, ChatError) else None)
        except Exception as exc:  # a bug must not lose the other items
            session.totals.add(requests_failed=1)
            return f"{type(exc).__name__}: {exc}", None
        entry = request_entry(fetched)
        response = fetched.response
        _, spent = session.cost(fetched)
        cut = response.finish_reason == "length"
        try:
            check = parse_fact_check(response.content, n)
        except FactCheckError as exc:
            session.totals.add(cost=spent, requests_failed=1, truncated_by_max_tokens=int(cut))
            hint = " (answer cut by max_tokens: finish_reason=length)" if cut else ""
            return f"unusable answer: {exc}{hint}; answer began: {response.content[:200]!r}", entry
        session.keep(fetched)
        session.totals.add(cost=spent, requests_ok=1, truncated_by_max_tokens=int(cut))
        return check.weighed(response.logprobs), entry

    def _item_result(self, units: list[tuple[int, str]], chunks: list[str], outcomes: list,
                     requests: list[dict[str, Any]]) -> MetricResult | ItemFailure:
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
        graded = p_faithful(checks, len(units))
        rows = [{"bullet": b, "sentence": s, "verdict": VERDICT[cats[j]] if j in cats else None,
                 "error": CATEGORIES[cats[j]] if j in cats else None, "reason": reasons.get(j, ""),
                 "p_faithful": graded.get(j) if j in cats else None}
                for j, (b, s) in enumerate(units)]
        judged = [r for r in rows if r["verdict"] is not None]
        n = len(judged)
        values = {"faithfulness": sum(r["verdict"] == "supported" for r in judged) / n,
                  "contradicted": sum(r["verdict"] == "contradicted" for r in judged) / n,
                  "unsupported": sum(r["verdict"] == "unsupported" for r in judged) / n,
                  "judged": n / len(rows)}
        if all(r["p_faithful"] is not None for r in judged):  # graded only where every judged sentence is
            values["p_faithful"] = sum(r["p_faithful"] for r in judged) / n
        details = {"sentences": rows, "chunks": len(chunks),
                   "dropped": [d for c in checks for d in c.dropped] + problems, "requests": requests}
        return MetricResult(values, details)
