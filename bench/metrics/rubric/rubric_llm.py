"""Ratings of a summary on stated criteria by an LLM, read the way G-Eval reads them.

One request per (summary, criterion): the source articles (fitted to the
window with the answer's ``max_tokens`` reserved; long ones cut fairly), the
criterion (definition, scale, what its ends mean, the rater's steps), the
reference where the criterion asks for it, and the summary. The score is the
probability-weighted mean over the scale's values where the server returns
token log-probabilities, else the mean of ``samples`` sampled answers
(``_rubric_score``). Requests go through the client, cache, retries, request
cap and accounting of the ``llm`` system.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Sequence

from bench.budget import Budget
from bench.errors import PluginError
from bench.llm.accounting import RequestCapReached
from bench.llm.client import ChatError, brief_reason
from bench.llm.judge_format import numbered, response_format
from bench.llm.judge_run import JudgeRun
from bench.llm.pool import RequestPool
from bench.llm.prompt import Prompt, Template, fit_prompt, load_template, server_counter
from bench.llm.session import (ENDPOINT, OPERATIONAL, ChatParams, ChatSession, Fetched, check_params,
                               refuses_logprobs, unavailable_reason)
from bench.llm.tokens import TokenCounter
from bench.model import Cluster
from bench.plugins import ItemFailure, Metric, MetricResult, ScoreItem, metric
from bench.plugins.params import did_you_mean

from .criteria import BUILTIN, Criterion, load_criteria
from .score import OffScale, read_score, weighted

PROMPTS_DIR = Path(__file__).parent / "prompts"  # its own: a judge lists only its own templates
REQUIRED = ("documents", "summary", "criterion")
METHOD_TEXT = ("one chat request per (summary, criterion): the sources fitted to the window, the criterion's "
               "definition, scale and steps, the summary; the score is the probability-weighted mean over the "
               "scale's values at the answer's score token (G-Eval) where the server returns log-probabilities, "
               "else the mean of sampled answers; an answer off the scale is a failure")
TOTALS = ("items_ok", "failures", "ratings_ok", "ratings_failed", "rated_by_logprobs", "rated_by_samples",
          "off_scale_answers", "documents_truncated", "cache_hits", "responses_fresh", "retries", "prompt_tokens",
          "completion_tokens", "truncated_by_max_tokens")
TOP_LOGPROBS = 20  # alternatives asked at each token (OpenAI's most): the scale's values among the model's favourites


@metric("rubric-llm")
@dataclass
class RubricLLM(JudgeRun, ChatParams, Metric):
    """Ratings on stated criteria (SummEval's four built in, or your own in TOML) by a chat model (G-Eval)."""

    max_tokens: int = 16  # the answer is a number
    prompt: str = "rubric_judge"  # built-in template name or a file path
    criteria: str = ""  # criteria to rate, joined by + (default: those of criteria_file, else the four built in)
    criteria_file: str = ""  # a TOML file of [criteria.NAME] tables
    method: Literal["auto", "logprobs", "samples"] = "auto"  # auto: log-probabilities where returned, else samples
    samples: int = 5  # sampled answers per rating when there are no log-probabilities
    sample_temperature: float = 1.0
    context_tokens: int | None = None  # the model's window (None: what a local server reports, else 8192)
    json_schema: bool | None = None  # allow only the scale's values (a grammar; None: to local servers, which enforce it)
    _ctx: Any = field(default=None, init=False, repr=False, compare=False)
    _session: Any = field(default=None, init=False, repr=False, compare=False)
    _tokens: Any = field(default=None, init=False, repr=False, compare=False)  # (session, its token counter)

    operational = OPERATIONAL
    totals_fields = TOTALS
    endpoint_params = ENDPOINT  # left out of the label only
    path_params = frozenset({"prompt", "criteria_file"})  # identified by their content

    def __post_init__(self) -> None:
        check_params(self)
        self.check_window()
        if self.samples < 1 or self.sample_temperature <= 0:
            raise ValueError("samples must be >= 1 and sample_temperature > 0 (samples at temperature 0 are one answer)")
        self._criteria = self._load_criteria()
        self.headline = tuple(c.name for c in self._criteria)
        if self.method == "logprobs":
            wide = [c for c in self._criteria if not c.one_token]
            if wide:
                raise ValueError(f"method=logprobs reads one-digit scales only; {wide[0].name} is rated "
                                 f"{wide[0].low}-{wide[0].high} (use method=samples or auto)")
        self._template()

    def _load_criteria(self) -> list[Criterion]:
        own = load_criteria(self.criteria_file) if self.criteria_file else {}
        known = {**BUILTIN, **own}
        names = [n.strip() for n in self.criteria.split("+") if n.strip()] or list(own or BUILTIN)
        for name in names:
            if name not in known:
                raise PluginError(f"unknown criterion {name!r}.{did_you_mean(name, list(known))} Known: {', '.join(known)}"
                                  + ("" if own else " (or define it in criteria_file=FILE.toml)"))
        if len(set(names)) < len(names):
            raise PluginError(f"a criterion is named twice in criteria={self.criteria!r}")
        return [known[n] for n in names]

    def _template(self) -> Template:
        return load_template(self.prompt, PROMPTS_DIR, required=REQUIRED)

    def unavailable_reason(self) -> str | None:
        return unavailable_reason(self, "rubric-llm")

    def signature(self) -> dict[str, Any]:
        return {**self.judge_signature(self._template(), METHOD_TEXT), "criteria": [c.as_dict() for c in self._criteria],
                "versions": {}}

    # -- scoring ------------------------------------------------------------------
    def score(self, items: Sequence[ScoreItem]) -> list[MetricResult | ItemFailure]:
        session, template = self._ensure_session(), self._template()
        rated = [pos for pos, item in enumerate(items) if any(b.strip() for b in item.bullets)]
        clusters = list(dict.fromkeys(items[pos].cluster.id for pos in rated))
        # a cluster's ratings together, criterion by criterion: consecutive prompts share the longest prefix
        # (the articles, then the criterion), which llama.cpp and vLLM do not evaluate again
        jobs = [(pos, c) for cid in clusters for c in self._criteria for pos in rated if items[pos].cluster.id == cid]
        with RequestPool(session.workers, "rubric") as pool:  # on interrupt: queued dropped, in-flight end
            futures = [pool.submit(self._rate, session, template, items[pos], c) for pos, c in jobs]
            outcomes = [f.result() for f in futures]
        per_item: dict[int, dict[str, dict[str, Any]]] = {}
        for (pos, c), outcome in zip(jobs, outcomes):
            per_item.setdefault(pos, {})[c.name] = outcome
        results = [_result({c.name: per_item[pos][c.name] for c in self._criteria}) if pos in per_item
                   else ItemFailure("empty summary") for pos in range(len(items))]
        failed = sum(isinstance(r, ItemFailure) for r in results)
        session.totals.add(items_ok=len(results) - failed, failures=failed)
        return results

    def _rate(self, session: ChatSession, template: Template, item: ScoreItem, criterion: Criterion) -> dict[str, Any]:
        """One criterion's rating of one summary, or the reason there is none (never raises); the
        requests it took (own time, cached or not, attempts, error) in ``requests``."""
        job = _Job(item, criterion, template)
        try:
            job.prompt = self._prompt(session, job)
            out = None if self.method == "samples" else self._weighted(session, job)
            if out is None and self.method == "logprobs":
                out = {"error": "the server returned no log-probabilities for the score (method=logprobs)"}
            out = out or self._sampled(session, job)
        except (ChatError, RequestCapReached, PluginError) as exc:
            out = {"error": str(exc)}
        except Exception as exc:  # a bug must not lose the other ratings
            out = {"error": f"{type(exc).__name__}: {exc}"}
        session.totals.add(ratings_ok=int("score" in out), ratings_failed=int("score" not in out))
        if job.prompt is not None:
            meta = {k: v for k, v in job.prompt.meta.items() if k != "documents"}
            session.totals.add(documents_truncated=meta["documents_truncated"])
            out["prompt"] = meta
        return {**out, "requests": job.log}

    def _prompt(self, session: ChatSession, job: "_Job") -> Prompt:
        """The job's messages, its sources fitted to the window with max_tokens reserved for the answer."""
        c, item = job.criterion, job.item
        if c.reference and not item.references:
            raise PluginError("no reference for this cluster (the criterion shows it)")
        window, source = self.window(session)
        docs = item.cluster.documents if c.sources else ()
        topic = f" ({item.cluster.title})" if item.cluster.title else ""
        extra = {
            "sources": f"Source article{'s' if len(docs) > 1 else ''}{topic}:\n" if docs else "",
            "criterion": c.name, "definition": c.definition, "low": str(c.low), "high": str(c.high),
            "low_means": c.low_means, "high_means": c.high_means, "steps": numbered(c.steps),
            "reference": ("\nReference summary, written by a person:\n" + "\n".join(item.references[0].bullets) + "\n"
                          if c.reference else ""),
            "summary": "\n".join(b.strip() for b in item.bullets if b.strip()),
        }
        prompt = fit_prompt(job.template, Cluster(item.cluster.id, docs, item.cluster.title), Budget(), window,
                            self.max_tokens, self._counter(session), extra)
        prompt.meta["context_source"] = source
        return prompt

    def _counter(self, session: ChatSession) -> TokenCounter:
        """One token counter a session, so that it remembers its counts."""
        if self._tokens is None or self._tokens[0] is not session:
            self._tokens = (session, server_counter(session.server))
        return self._tokens[1]

    def _fetch(self, session: ChatSession, job: "_Job", **extra: Any) -> Fetched:
        """One answer (cached, retried); a server that refuses the prompt naming a smaller window gets it
        fitted to that window and asked once more (later prompts are fitted to it from the start)."""
        try:
            return session.fetch_logged(session.body(job.prompt.messages, **extra), job.log)
        except ChatError as exc:
            if self.learn_window(session, exc.reason, used=job.prompt.meta["context_tokens"]) is None:
                raise
        job.prompt = self._prompt(session, job)
        return session.fetch_logged(session.body(job.prompt.messages, **extra), job.log)

    def _answer(self, session: ChatSession, job: "_Job", **extra: Any) -> tuple[str, Any, bool]:
        """The answer's text, its log-probabilities and whether max_tokens cut it; the answer is kept in the
        cache whatever it says (a rerun reads it again, no request). Where the server gets the answer's
        schema, only the scale's values can be answered (llama.cpp's log-probabilities are still those of
        the model's own distribution, so the scale's mass says how much it wanted to answer otherwise)."""
        if session.local if self.json_schema is None else self.json_schema:
            schema = {"type": "integer", "enum": list(job.criterion.values)}
            extra["response_format"] = response_format(schema, session.server.tokenize, "score")
        fetched = self._fetch(session, job, **extra)
        session.keep(fetched)
        response = fetched.response
        cut = response.finish_reason == "length"
        session.totals.add(cost=session.cost(fetched)[1], truncated_by_max_tokens=int(cut))
        return response.content, response.logprobs, cut

    def _weighted(self, session: ChatSession, job: "_Job") -> dict[str, Any] | None:
        """The probability-weighted rating, a failure (the answer off the scale), or None where the server
        gave no log-probabilities to weigh (then: samples)."""
        c = job.criterion
        if not c.one_token:
            return None
        if session.logprobs_refused:  # kept by the session: in its accounting, said under the table
            job.note = f"the server refused log-probabilities ({session.logprobs_refused}): rated by samples"
            return None
        try:
            answer, logprobs, cut = self._answer(session, job, logprobs=True, top_logprobs=TOP_LOGPROBS)
        except ChatError as exc:
            if self.method == "logprobs" or not refuses_logprobs(exc):
                raise
            session.logprobs_refused = brief_reason(exc.reason)  # later ratings do not ask again
            job.note = f"the server refused log-probabilities ({session.logprobs_refused}): rated by samples"
            return None
        if logprobs is None:
            job.note = "the server returned no log-probabilities: rated by samples"
            return None
        try:
            stated = read_score(answer, c)
        except OffScale as exc:
            session.totals.add(off_scale_answers=1)
            return {"method": "logprobs", "answer": answer, "error": _off_scale(exc, answer, cut)}
        got = weighted(logprobs, answer, stated, c)
        if got is None:
            job.note = "the score's token had no alternatives on the scale: rated by samples"
            return None
        session.totals.add(rated_by_logprobs=1)
        return {"method": "logprobs", **got, "answer": answer, "answer_score": stated.score}

    def _sampled(self, session: ChatSession, job: "_Job") -> dict[str, Any]:
        """The mean of ``samples`` answers at ``sample_temperature`` (seeds 0, 1, ...: each its own cached
        request); a failure when more than half of them are off the scale."""
        c = job.criterion
        drawn, scores, off = [], [], []
        for k in range(self.samples):
            answer, _, cut = self._answer(session, job, temperature=self.sample_temperature, seed=k)
            try:
                scores.append(read_score(answer, c).score)
                drawn.append({"answer": answer, "score": scores[-1]})
            except OffScale as exc:
                off.append(_off_scale(exc, answer, cut))
                drawn.append({"answer": answer, "score": None})
        session.totals.add(off_scale_answers=len(off))
        out: dict[str, Any] = {"method": "samples", "samples": drawn, **({"note": job.note} if job.note else {})}
        if 2 * len(off) > len(drawn):
            return {**out, "error": f"{len(off)} of {len(drawn)} sampled answers off the scale; first: {off[0]}"}
        session.totals.add(rated_by_samples=1)
        return {**out, "score": sum(scores) / len(scores), "off_scale": len(off)}


@dataclass
class _Job:
    item: ScoreItem
    criterion: Criterion
    template: Template
    prompt: Prompt | None = None
    log: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""


def _off_scale(exc: OffScale, answer: str, cut: bool) -> str:
    text = " ".join(answer.split())
    quote = text if len(text) <= 200 else text[:200] + "…"
    return f"answer off the scale: {exc}: {quote!r}" + (" (cut by max_tokens: finish_reason=length)" if cut else "")


def _result(ratings: dict[str, dict[str, Any]]) -> MetricResult | ItemFailure:
    """Each criterion a value where it got a rating; its failure in the details where not (under
    ``absent`` too, which the table reads to say why a value is missing)."""
    values = {name: r["score"] for name, r in ratings.items() if "score" in r}
    if not values:
        return ItemFailure("; ".join(f"{name}: {r['error']}" for name, r in ratings.items()))
    absent = {name: r["error"] for name, r in ratings.items() if "score" not in r}
    return MetricResult(values, {"criteria": ratings, **({"absent": absent} if absent else {})})
