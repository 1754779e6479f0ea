"""Key-point coverage judged by an LLM on any OpenAI-compatible Chat Completions endpoint.

One request per (summary, reference): the reference's key points and the
summary's bullets, numbered; the judge labels each key point covered / partly /
not and names the bullets that state it. Requests go through the same client,
cache, retries, request cap and accounting as the ``llm`` system.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Sequence

from bench.llm.accounting import RequestCapReached
from bench.llm.cache import ResponseCache
from bench.llm.client import ChatError
from bench.llm.prompt import Template, load_template
from bench.llm.session import CACHE_FILE, OPERATIONAL, ChatParams, ChatSession, check_params, unavailable_reason
from bench.model import stable_hash
from bench.plugins import ItemFailure, Metric, MetricResult, RunContext, ScoreItem, metric
from bench.plugins.params import resolved_params

from ._kp_judge import REQUIRED, combine, judge_messages, reference_result
from ._kp_judge_parse import SCORES, JudgmentError, parse_judgment

PROMPTS_DIR = Path(__file__).parent / "prompts"
METHOD = ("one chat request per (summary, reference): numbered key points and summary bullets; the judge labels "
          "each key point covered/partly/not and names the bullets stating it (FineSurE key-fact alignment)")
TOTALS = ("items_ok", "failures", "judgments_ok", "judgments_failed", "cache_hits", "responses_fresh", "retries",
          "prompt_tokens", "completion_tokens", "truncated_by_max_tokens")


@metric("keypoints-llm")
@dataclass
class KeyPointsLLM(ChatParams, Metric):
    """Key-point recall/precision/F1 and redundancy judged by an OpenAI-compatible chat model (cached, retried)."""

    max_tokens: int = 1024
    prompt: str = "keypoints_judge"  # built-in template name or a file path
    json_mode: bool = False  # send response_format={"type": "json_object"} (servers that support it)
    multi_ref: Literal["mean", "max"] = "mean"  # mean over references, or the reference with best kp_f1
    refs: str = ""  # only references by these authors, joined by + (default: every reference)
    _ctx: Any = field(default=None, init=False, repr=False, compare=False)
    _session: Any = field(default=None, init=False, repr=False, compare=False)

    headline = ("kp_recall", "kp_precision", "kp_f1")
    lower_is_better = frozenset({"kp_redundancy"})
    percent = True
    operational = OPERATIONAL  # left out of the signature and the label
    path_params = frozenset({"prompt"})  # identified by the template's content

    def __post_init__(self) -> None:
        check_params(self)
        self._template()  # fail early on a bad template

    def _template(self) -> Template:
        return load_template(self.prompt, PROMPTS_DIR, required=REQUIRED)

    def unavailable_reason(self) -> str | None:
        return unavailable_reason(self, "keypoints-llm")

    def signature(self) -> dict[str, Any]:
        skip = self.operational | self.path_params
        template = self._template()
        return {
            "metric": self.name,
            "params": {k: v for k, v in resolved_params(self).items() if k not in skip},
            "prompt_template": stable_hash([template.system, template.user])[:16],
            "method": METHOD,
            "label_scores": dict(SCORES),
            "multi_reference": self.multi_ref,
            "versions": {},
        }

    # -- run lifecycle (the runner opens before scoring, closes after) ---------
    def runs_in_workers(self) -> bool:
        return False  # I/O-bound: its own request concurrency, one response cache, run totals

    def open(self, ctx: RunContext) -> None:
        self.close()
        self._ctx, self._session = ctx, None  # the session (and cache file) starts with the first item

    def close(self) -> None:
        if self._session is not None:
            self._session.close()  # totals stay readable for accounting()
        self._ctx = None

    def accounting(self) -> dict[str, Any]:
        return self._session.meta() if self._session is not None else {}

    def _ensure_session(self) -> ChatSession:
        if self._session is None or self._session.closed:  # without open(): no cache
            ctx = self._ctx
            cache = ResponseCache(Path(ctx.cache_dir) / CACHE_FILE) if (ctx is not None and self.cache) else None
            self._session = ChatSession(self, cache, read_cache=not (ctx and ctx.refresh),
                                        workers=ctx.max_workers if ctx else None, totals_fields=TOTALS)
        return self._session

    # -- scoring --------------------------------------------------------------
    def score(self, items: Sequence[ScoreItem]) -> list[MetricResult | ItemFailure]:
        session, template = self._ensure_session(), self._template()
        jobs: list[tuple[int, str, list[str], list[str], str]] = []
        early: dict[int, ItemFailure] = {}
        for pos, item in enumerate(items):
            bullets = _clean(item.bullets)
            if not item.references:
                early[pos] = ItemFailure("no reference for this cluster")
            elif not bullets:
                early[pos] = ItemFailure("empty summary")
            else:
                jobs.extend((pos, r.author, _clean(r.bullets), bullets, item.cluster.title or "")
                            for r in item.references)
        pool = ThreadPoolExecutor(max_workers=session.workers, thread_name_prefix="kp-judge")
        try:
            futures = [pool.submit(self._judge, session, template, job) for job in jobs]
            outcomes = [f.result() for f in futures]  # item order kept
        finally:  # on interrupt: drop queued requests, let in-flight ones end
            pool.shutdown(wait=True, cancel_futures=True)
        per_item: dict[int, list[tuple[str, dict[str, Any] | str]]] = {}
        for (pos, author, *_), outcome in zip(jobs, outcomes):
            per_item.setdefault(pos, []).append((author, outcome))
        results = [early.get(pos) or self._item_result(per_item[pos]) for pos in range(len(items))]
        failed = sum(isinstance(r, ItemFailure) for r in results)
        session.totals.add(items_ok=len(results) - failed, failures=failed)
        return results

    def _item_result(self, outcomes: list[tuple[str, dict[str, Any] | str]]) -> MetricResult | ItemFailure:
        problems = [f"reference {author!r}: {o}" for author, o in outcomes if isinstance(o, str)]
        if problems:
            return ItemFailure("; ".join(problems))
        per_ref: dict[str, dict[str, Any]] = dict(outcomes)  # type: ignore[arg-type]
        values, best = combine(per_ref, self.multi_ref)
        details: dict[str, Any] = {"references": per_ref}
        if best is not None:
            details["best_reference"] = best
        return MetricResult(values, details)

    def _judge(self, session: ChatSession, template: Template,
               job: tuple[int, str, list[str], list[str], str]) -> dict[str, Any] | str:
        """One reference's details and values, or the reason it has none (never raises)."""
        _, _, keypoints, bullets, topic = job
        if not keypoints:
            session.totals.add(judgments_failed=1)
            return "the reference has no key points"
        extra = {"response_format": {"type": "json_object"}} if self.json_mode else {}
        try:
            fetched = session.fetch(session.body(judge_messages(template, keypoints, bullets, topic), **extra))
        except (ChatError, RequestCapReached) as exc:
            session.totals.add(judgments_failed=1)
            return str(exc)
        except Exception as exc:  # a bug must not lose the other items
            session.totals.add(judgments_failed=1)
            return f"{type(exc).__name__}: {exc}"
        response = fetched.response
        _, spent = session.cost(fetched)
        cut = response.finish_reason == "length"
        try:
            judgment = parse_judgment(response.content, len(keypoints), len(bullets))
        except JudgmentError as exc:
            session.totals.add(cost=spent, judgments_failed=1, truncated_by_max_tokens=int(cut))
            hint = " (answer cut by max_tokens: finish_reason=length)" if cut else ""
            return f"unusable judgment: {exc}{hint}"
        session.keep(fetched)  # only usable answers are cached
        session.totals.add(cost=spent, judgments_ok=1, truncated_by_max_tokens=int(cut))
        return reference_result(keypoints, len(bullets), judgment)


def _clean(bullets: Sequence[str]) -> list[str]:
    return [b.strip() for b in bullets if b.strip()]
