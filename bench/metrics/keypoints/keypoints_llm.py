"""Key-point coverage judged by an LLM on any OpenAI-compatible Chat Completions endpoint.

One request per (summary, reference): the reference's key points and the
summary's bullets, numbered; the judge labels each key point covered / partly /
not and names the bullets that state it. Requests go through the same client,
cache, retries, request cap and accounting as the ``llm`` system.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, Sequence

from bench.llm.accounting import RequestCapReached
from bench.llm.client import ChatError
from bench.llm.pool import RequestPool
from bench.llm.prompt import Template, load_template
from bench.llm.session import (ENDPOINT, OPERATIONAL, ChatParams, ChatSession, check_params, session_for,
                               unavailable_reason)
from bench.model import stable_hash
from bench.plugins import ItemFailure, Metric, MetricResult, RunContext, ScoreItem, metric
from bench.plugins.params import resolved_params

from bench.llm.judge_format import response_format
from bench.llm.logprobs import TOP_LOGPROBS

from .judge import (REQUIRED, REQUIRED_ONE, combine, coverage_schema, judge_messages, judgment_schema,
                    reference_result, strip_citations)
from .judge_logprobs import p_covered
from .judge_parse import SCORES, Judgment, JudgmentError, parse_judgment

PROMPTS_DIR = Path(__file__).parent / "prompts"
METHODS = {
    "finesure": ("one chat request per (summary, reference): numbered key points and summary bullets; the judge labels "
                 "each key point covered/partly/not and names the bullets stating it (FineSurE key-fact alignment)"),
    "summhay": ("one chat request per key point: the summary bullets and one key point; the judge answers full/partial/"
                "no coverage and the bullets stating it (SummHay's coverage protocol, Laban et al. 2024)"),
}
PROMPTS = {"finesure": "keypoints_judge", "summhay": "keypoints_judge_summhay"}
TOTALS = ("items_ok", "failures", "judgments_ok", "judgments_failed", "keypoints_unjudged", "follow_ups", "cache_hits",
          "responses_fresh", "retries", "prompt_tokens", "completion_tokens", "truncated_by_max_tokens")
FOLLOW_UPS = 1  # requests that ask again for the key points an answer left without a label


@metric("keypoints-llm")
@dataclass
class KeyPointsLLM(ChatParams, Metric):
    """Key-point recall/precision/F1 and redundancy judged by an OpenAI-compatible chat model (cached, retried)."""

    max_tokens: int = 1024
    protocol: Literal["finesure", "summhay"] = "finesure"  # one request per summary, or per key point (SummHay)
    prompt: str = ""  # built-in template name or a file path (default: the protocol's)
    json_mode: bool = False  # send response_format={"type": "json_object"} (servers that support it)
    json_schema: bool | None = None  # send the answer's JSON schema (None: to local servers, which enforce it)
    logprobs: bool | None = None  # ask for token log-probabilities: P(covered) as the graded score (None: local,
    # and not where the server refuses them)
    multi_ref: Literal["mean", "max"] = "mean"  # mean over references, or the reference with best kp_f1
    refs: str = ""  # only references by these authors, joined by + (default: every reference)
    faithful: bool = True  # also kp_recall_faithful: only key points a faithful bullet states (offline faithfulness)
    _ctx: Any = field(default=None, init=False, repr=False, compare=False)
    _session: Any = field(default=None, init=False, repr=False, compare=False)

    headline = ("kp_recall", "kp_recall_faithful", "kp_precision", "kp_f1")
    lower_is_better = frozenset({"kp_redundancy"})
    percent = True
    operational = OPERATIONAL  # left out of the signature and the label
    endpoint_params = ENDPOINT  # left out of the label only
    path_params = frozenset({"prompt"})  # identified by the template's content

    def __post_init__(self) -> None:
        check_params(self)
        self._template()  # fail early on a bad template

    def _template(self) -> Template:
        return load_template(self.prompt or PROMPTS[self.protocol], PROMPTS_DIR,
                             required=REQUIRED if self.protocol == "finesure" else REQUIRED_ONE)

    def unavailable_reason(self) -> str | None:
        return unavailable_reason(self, "keypoints-llm")

    def signature(self) -> dict[str, Any]:
        skip = self.operational | self.path_params
        template = self._template()
        return {
            "metric": self.name,
            "params": {k: v for k, v in resolved_params(self).items() if k not in skip},
            "prompt_template": stable_hash([template.system, template.user])[:16],
            "protocol": self.protocol,
            "method": METHODS[self.protocol],
            "label_scores": dict(SCORES),
            "graded_score": "P(covered) from the answer's token log-probabilities where returned, else the label's score",
            "multi_reference": self.multi_ref,
            "versions": {},
            **({"faithful": _faithful_signature()} if self.faithful else {}),
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
            self._session = session_for(self, self._ctx, TOTALS)
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
        with RequestPool(session.workers, "kp-judge", session.client.stop) as pool:  # on interrupt: queued dropped, in-flight end
            futures = [pool.submit(self._judge, session, template, job) for job in jobs]
            outcomes = [f.result() for f in futures]  # item order kept
        per_item: dict[int, list[tuple[str, dict[str, Any] | str]]] = {}
        for (pos, author, *_), outcome in zip(jobs, outcomes):
            per_item.setdefault(pos, []).append((author, outcome))
        results = [early.get(pos) or self._item_result(per_item[pos]) for pos in range(len(items))]
        failed = sum(isinstance(r, ItemFailure) for r in results)
        session.totals.add(items_ok=len(results) - failed, failures=failed)
        if self.faithful:
            self._add_faithful(items, results)
        return results

    def _add_faithful(self, items: Sequence[ScoreItem], results: list) -> None:
        """kp_recall_faithful and per key point ``faithful``, from the offline faithfulness metric."""
        from .faithful import add_faithful, faithfulness_judge

        def value(details: dict[str, Any]) -> float:
            refs = details["references"]
            if details.get("best_reference") in refs:
                return refs[details["best_reference"]]["values"]["kp_recall_faithful"]
            return sum(r["values"]["kp_recall_faithful"] for r in refs.values()) / len(refs)

        if getattr(self, "_faith", None) is None:
            self._faith = faithfulness_judge()
        add_faithful(self._faith, items, results, _clean, value)

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
        """One reference's details and values, or the reason it has none (never raises).

        Key points an answer leaves without a label are asked again (FOLLOW_UPS
        requests); those still without one stay unlabelled, recorded per key point.
        """
        _, _, keypoints, bullets, topic = job
        if not keypoints:
            session.totals.add(judgments_failed=1)
            return "the reference has no key points"
        if self.protocol == "summhay":
            return self._judge_each(session, template, keypoints, bullets, topic)
        log: list[dict[str, Any]] = []  # each request's own time, cached or not
        labels: list[str | None] = [None] * len(keypoints)
        support: list[tuple[int, ...]] = [()] * len(keypoints)
        graded: list[float | None] = [None] * len(keypoints)
        flags: list[str] = []
        asked = list(range(len(keypoints)))
        for round_ in range(1 + FOLLOW_UPS):
            got = self._ask(session, template, [keypoints[j] for j in asked], bullets, topic, log)
            where = "" if round_ == 0 else f"asked again for key points {', '.join(str(j + 1) for j in asked)}: "
            if isinstance(got, str):
                if round_ == 0:
                    session.totals.add(judgments_failed=1)
                    return got
                flags.append(where + got)
                break
            flags += [where + f for f in got.flags]
            for k, j in enumerate(asked):
                if got.labels[k] is not None:
                    labels[j], support[j] = got.labels[k], got.bullets[k]
                    graded[j] = got.p_covered[k] if got.p_covered else None
            asked = [j for j in asked if labels[j] is None]
            if not asked or round_ == FOLLOW_UPS:
                break
            session.totals.add(follow_ups=1)
        session.totals.add(judgments_ok=1, keypoints_unjudged=len(asked))
        judgment = Judgment(tuple(labels), tuple(support), tuple(flags), p_covered=tuple(graded))
        return {**reference_result(keypoints, len(bullets), judgment), "requests": log}

    def _judge_each(self, session: ChatSession, template: Template, keypoints: list[str], bullets: list[str],
                    topic: str) -> dict[str, Any] | str:
        """SummHay's protocol: one request per key point; a key point whose answer is unusable stays unlabelled."""
        log: list[dict[str, Any]] = []
        got = [self._ask(session, template, [kp], bullets, topic, log) for kp in keypoints]
        flags = [f"key point {j}: {g if isinstance(g, str) else f}" for j, g in enumerate(got, start=1)
                 for f in ([g] if isinstance(g, str) else g.flags)]
        if all(isinstance(g, str) for g in got):
            session.totals.add(judgments_failed=1)
            return f"no key point judged ({len(got)} requests): {flags[0]}"
        one = [g if not isinstance(g, str) else None for g in got]
        judgment = Judgment(tuple(g.labels[0] if g else None for g in one), tuple(g.bullets[0] if g else () for g in one),
                            tuple(flags), p_covered=tuple(g.p_covered[0] if g and g.p_covered else None for g in one))
        session.totals.add(judgments_ok=1, keypoints_unjudged=sum(g is None or g.labels[0] is None for g in one))
        return {**reference_result(keypoints, len(bullets), judgment), "requests": log}

    def _ask(self, session: ChatSession, template: Template, keypoints: list[str], bullets: list[str],
             topic: str, log: list[dict[str, Any]]) -> Judgment | str:
        """One request (a kept unusable answer is re-read first): the judgment, or why there is none.
        Each request goes into ``log`` (its own time, cached or not, attempts, error)."""
        body = session.body(judge_messages(template, keypoints, bullets, topic),
                            **self._format(session, len(keypoints), len(bullets)))

        def fetch(fresh: bool = False) -> Any:
            return session.fetch_logged(body, log, fresh=fresh, logprobs_optional=self.logprobs is None)

        try:
            fetched = fetch()
            judgment = _read(fetched, len(keypoints), len(bullets))
            if isinstance(judgment, str) and fetched.unusable is not None:  # still unusable: ask the server
                fetched = fetch(fresh=True)
                judgment = _read(fetched, len(keypoints), len(bullets))
        except (ChatError, RequestCapReached) as exc:
            return str(exc)
        except Exception as exc:  # a bug must not lose the other items
            return f"{type(exc).__name__}: {exc}"
        response = fetched.response
        _, spent = session.cost(fetched)
        cut = response.finish_reason == "length"
        session.totals.add(cost=spent, truncated_by_max_tokens=int(cut))
        if isinstance(judgment, str):
            session.keep(fetched, unusable=judgment)  # kept, marked, for a parser fix
            hint = " (answer cut by max_tokens: finish_reason=length)" if cut else ""
            quote = "" if judgment.startswith("answer is not JSON") else f"; answer: {_snippet(response.content)!r}"
            return f"unusable judgment: {judgment}{quote}{hint}"
        if fetched.unusable is not None:  # re-read from the cache: now usable
            session.totals.add(cache_hits=1)
        session.keep(fetched)
        found = p_covered(response.logprobs, judgment.order)
        if found:
            judgment = replace(judgment, p_covered=tuple(found.get(j) for j in range(len(keypoints))))
        return judgment

    def _format(self, session: ChatSession, n_keypoints: int, n_bullets: int) -> dict[str, Any]:
        """Structured output and log-probabilities, as asked (or, left at None, for local servers)."""
        extra: dict[str, Any] = {}
        if session.local if self.logprobs is None else self.logprobs:
            extra.update(logprobs=True, top_logprobs=TOP_LOGPROBS)
        if session.local if self.json_schema is None else self.json_schema:
            schema = judgment_schema(n_keypoints, n_bullets) if self.protocol == "finesure" else coverage_schema(n_bullets)
            extra["response_format"] = response_format(schema, session.server.tokenize)
        elif self.json_mode:
            extra["response_format"] = {"type": "json_object"}
        return extra


def _read(fetched: Any, n_keypoints: int, n_bullets: int) -> Judgment | str:
    try:
        return parse_judgment(fetched.response.content, n_keypoints, n_bullets)
    except JudgmentError as exc:
        return str(exc)


def _faithful_signature() -> dict[str, Any]:
    from .faithful import faithful_signature, faithfulness_judge

    return faithful_signature(faithfulness_judge())


def _snippet(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _clean(bullets: Sequence[str]) -> list[str]:
    """Blank lines dropped, citation markers ([32][6]) removed before numbering."""
    return [b for b in (strip_citations(x) for x in bullets) if b]
