"""Run systems over a suite and score them; resumable and failure-tolerant.

The runner decides what is left to do, cuts it into units (bench.runner.units)
and hands them to an executor (bench.runner.executors: this process, worker
processes or Ray); it appends the records that come back, so the run folder
has one writer whatever runs the units.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..budget import Budget, describe_budget
from ..errors import RunError
from ..model import Suite, stable_hash
from ..plugins.metric import ItemFailure, ScoreItem
from ..plugins.registry import Resolved, settle_labels
from ..plugins.system import RunContext, SummaryTask
from .executors import Execution, Executor, stays_local
from .executors import create as create_executor
from .keys import identity_hash, score_key, summary_key, system_identity
from .manifest import FORMAT_VERSION, read_manifest
from .progress import Reporter
from .provenance import environment, now_iso
from .references import check_references, chosen_references
from .store import SCORES, SUMMARIES, RunLock, RunStore
from .units import (SCORE_CHUNK, SYSTEM_CHUNK, MetricUnit, ScoreTarget, SystemPart, SystemUnit, chunked,
                    score_record)


@dataclass
class RunRequest:
    suite: Suite
    systems: list[Resolved]
    metrics: list[Resolved]
    budget: Budget
    out: Path
    seed: int = 0
    refresh: bool = False
    retry_failed: bool = True
    #: where units run (default here: this process; the CLI defaults to worker processes)
    execution: Execution = field(default_factory=lambda: Execution(kind="local"))
    plugin_paths: tuple[str, ...] = ()  # --plugins, imported again by worker processes
    cache_dir: Path | None = None
    command: list[str] = field(default_factory=list)
    limit: int | None = None
    #: how to reload a data-file suite: {"format": ..., "columns": ..., "split": ...}
    suite_args: dict[str, Any] = field(default_factory=dict)


def run_dir_for(results_root: Path, suite: Suite, metrics: list[Resolved], budget: Budget,
                config: dict[str, Any], tag: str = "") -> Path:
    """Same command, same folder: rerunning it resumes.

    ``config`` holds what else identifies the command (systems, outputs file ...).
    """
    digest = stable_hash({
        "suite": suite.fingerprint(),
        "metrics": sorted(m.full_label for m in metrics),
        "budget": budget.as_dict(),
        **config,
    })[:10]
    slug = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in suite.name)[:40]
    return results_root / "-".join(part for part in (slug, tag, digest) if part)


def execute(req: RunRequest, reporter: Reporter, lock: RunLock | None = None) -> Path:
    """Run what is not done yet.

    ``lock``: the run folder's lock, when the caller took it before loading the
    suite; otherwise it is taken here. Workers start only when there is work.
    """
    check_references(req.metrics, req.suite)
    executor = create_executor(req.execution, req.plugin_paths, reporter.notice)
    try:
        with RunStore(req.out, lock=lock) as store:
            manifest = _open_manifest(req, executor)
            # labels unique in the run, the folder's own where it has them (req is updated: the CLI reports them)
            req.systems = settle_labels(req.systems, "system", manifest["systems"])
            req.metrics = settle_labels(req.metrics, "metric", manifest["metrics"])
            store.write_manifest(manifest)
            try:
                current = _run_systems(req, store, manifest, reporter, executor)
                for resolved in req.metrics:
                    _run_metric(req, resolved, store, manifest, reporter, current, executor)
                    store.write_manifest(manifest)
            except KeyboardInterrupt:
                manifest["status"] = "interrupted"
                manifest["finished"] = now_iso()
                store.write_manifest(manifest)
                raise
            manifest["status"] = "complete"
            manifest["finished"] = now_iso()
            # what this invocation computed; the CLI says what it reused
            manifest["invocations"][-1]["computed"] = {"summaries": store.appended.get(SUMMARIES, 0),
                                                       "scores": store.appended.get(SCORES, 0)}
            store.write_manifest(manifest)
    finally:
        executor.close()
    return req.out


def _open_manifest(req: RunRequest, executor: Executor) -> dict[str, Any]:
    old = read_manifest(req.out)
    suite_info = {
        "name": req.suite.name,
        "source": req.suite.source,
        "fingerprint": req.suite.fingerprint(),
        "clusters": len(req.suite.clusters),
        "limit": req.limit,
        **{k: v for k, v in req.suite_args.items() if v},
    }
    if old is not None:
        if old["suite"]["fingerprint"] != suite_info["fingerprint"]:
            limits = (f"; it was made with --limit {old['suite'].get('limit') or 'none'}, this command has "
                      f"{req.limit or 'none'}" if old["suite"].get("limit") != req.limit else "")
            raise RunError(
                f"run directory holds suite {old['suite']['name']!r} with different content "
                f"(fingerprint {old['suite']['fingerprint'][:12]} vs {suite_info['fingerprint'][:12]}{limits}); "
                "use another --out",
                where=str(req.out),
            )
        if old["budget"] != req.budget.as_dict():
            raise RunError(
                f"run directory was made with budget {describe_budget(old['budget'], 'none')}, not "
                f"{describe_budget(req.budget.as_dict(), 'none')}; give the same --words/--bullets, or another --out",
                where=str(req.out),
            )
        manifest = old
    else:
        manifest = {
            "format_version": FORMAT_VERSION,
            "suite": suite_info,
            "budget": req.budget.as_dict(),
            "seed": req.seed,
            "systems": {},
            "metrics": {},
            "created": now_iso(),
            "invocations": [],
        }
    manifest["status"] = "running"
    manifest["environment"] = environment()
    manifest["invocations"].append({"started": now_iso(), "command": req.command, **executor.describe()})
    return manifest


@dataclass
class _SystemWork:
    resolved: Resolved
    identity: str
    entry: dict[str, Any]
    pending: list[tuple[str, SummaryTask]]

    @property
    def label(self) -> str:
        return self.resolved.label

    @property
    def deterministic(self) -> bool:
        return bool(getattr(self.resolved.instance, "deterministic", False))


def retried(failed: dict[str, Any], req: RunRequest) -> bool:
    """Whether a rerun tries a failed record again: unless --no-retry-failed, or a
    deterministic plugin returned it (the same input would give it again)."""
    return req.retry_failed and failed.get("retry") is not False


def _run_systems(req: RunRequest, store: RunStore, manifest: dict, reporter: Reporter,
                 executor: Executor) -> dict[str, dict[str, str]]:
    """Summarize what is not done yet; returns system label -> cluster id -> summary key.

    Systems that run in workers go together, a chunk of clusters at a time
    (each cluster is cleaned and split once per worker, for all of them);
    systems that stay in this process (llm ...) run each over all its clusters.
    """
    current: dict[str, dict[str, str]] = {}
    todo: list[_SystemWork] = []
    for resolved in req.systems:
        keys, work = _plan_system(req, resolved, store, manifest, reporter)
        current[resolved.label] = keys
        if work is not None:
            todo.append(work)
    store.write_manifest(manifest)
    together = [w for w in todo if not stays_local(w.resolved.instance)]
    batches = [(together, _system_units(req, together))] if together else []
    batches += [([w], [SystemUnit((SystemPart(w.label, w.identity, tuple(w.pending), w.deterministic),))])
                for w in todo if stays_local(w.resolved.instance)]
    ctx = _context(req, reporter)
    for works, units in batches:
        _summarize(works, units, ctx, store, reporter, executor)
        store.write_manifest(manifest)
    for label, keys in current.items():  # a system with no summary at all is not "ok"
        entry = manifest["systems"][label]
        recs = [store.records[SUMMARIES].get(k) for k in keys.values()]
        if entry.get("status") == "ok" and keys and not any(r and r["status"] == "ok" for r in recs):
            errors = [r.get("error", "") for r in recs if r]
            entry.update(status="failed", reason=f"no summary for any of {len(keys)} clusters"
                                                 + (f" (first error: {errors[0][:300]})" if errors else ""))
    store.write_manifest(manifest)
    return current


def _context(req: RunRequest, reporter: Reporter) -> RunContext:
    """What plugins may use for the run (their response caches ...); no request bound:
    --workers counts processes, llm plugins keep their own concurrency."""
    return RunContext(
        run_dir=str(req.out),
        cache_dir=str(req.cache_dir or req.out / "cache"),
        refresh=req.refresh,
        quiet=reporter.quiet,
    )


def _plan_system(req: RunRequest, resolved: Resolved, store: RunStore, manifest: dict,
                 reporter: Reporter) -> tuple[dict[str, str], _SystemWork | None]:
    """(cluster id -> summary key, the work left or None); records the system in the manifest."""
    inst = resolved.instance
    identity = system_identity(resolved.entry.name, inst, resolved.params)
    ident = identity_hash(identity)
    entry = manifest["systems"].setdefault(resolved.label, {})
    entry.update(
        {
            "label": resolved.label,
            "name": resolved.entry.name,
            "class": identity["class"],
            "params": resolved.params,
            "origin": resolved.entry.origin,
            "upper_bound": bool(getattr(inst, "upper_bound", False)),
            "identity": ident,
        }
    )
    entry.pop("reason", None)
    reason = inst.unavailable_reason()
    if reason:
        entry["status"] = "skipped"
        entry["reason"] = reason
        reporter.notice(f"skipping system {resolved.label}: {reason}")
        return {}, None
    done = store.records[SUMMARIES]
    covers = getattr(inst, "has_output", None)  # imported outputs: only the clusters the file has
    clusters = [c for c in req.suite.clusters if covers is None or covers(c.id)]
    given = getattr(inst, "output_fingerprint", None)  # imported outputs: keyed by each cluster's own text
    keys_by_cluster = {c.id: summary_key(c, identity, req.budget, given(c.id) if given else None) for c in clusters}
    pending = []
    for cluster in clusters:
        key = keys_by_cluster[cluster.id]
        rec = done.get(key)
        if rec and not req.refresh and (rec["status"] == "ok" or not retried(rec, req)):
            continue
        refs = req.suite.references_for(cluster.id)
        pending.append((key, SummaryTask(cluster, req.budget, refs if inst.uses_references else ())))
    entry["status"] = "ok"
    return keys_by_cluster, (_SystemWork(resolved, ident, entry, pending) if pending else None)


def _system_units(req: RunRequest, works: list[_SystemWork]) -> list[SystemUnit]:
    """Chunks of the suite's clusters (fixed: the same units whatever the executor), every system's pending tasks."""
    by_system = [{task.cluster.id: (key, task) for key, task in w.pending} for w in works]
    units = []
    for chunk in chunked(req.suite.clusters, SYSTEM_CHUNK):
        parts = []
        for work, pending in zip(works, by_system):
            tasks = tuple(pending[c.id] for c in chunk if c.id in pending)
            if tasks:
                parts.append(SystemPart(work.label, work.identity, tasks, work.deterministic))
        if parts:
            units.append(SystemUnit(tuple(parts)))
    return units


def _summarize(works: list[_SystemWork], units: list[SystemUnit], ctx: RunContext, store: RunStore,
               reporter: Reporter, executor: Executor) -> None:
    plugins = {w.label: w.resolved.instance for w in works}
    seconds = {w.label: 0.0 for w in works}
    started = time.perf_counter()
    opened = []
    try:
        for inst in plugins.values():
            inst.open(ctx)
            opened.append(inst)
        name = f"system{'s' if len(works) > 1 else ''} {', '.join(plugins)}"
        with reporter.task(name, sum(len(w.pending) for w in works)) as advance:
            for record in executor.run(plugins, units, ctx):
                store.append(SUMMARIES, record)
                seconds[record["system"]] += record.get("seconds", 0.0)
                advance()
    finally:
        for inst in opened:
            inst.close()
        for w in works:  # time per system: its clusters' seconds (wall time when it ran alone)
            spent = time.perf_counter() - started if len(works) == 1 else seconds[w.label]
            _close_entry(w.entry, spent, w.resolved.instance.run_meta())


def _run_metric(req: RunRequest, resolved: Resolved, store: RunStore, manifest: dict, reporter: Reporter,
                current: dict[str, dict[str, str]], executor: Executor) -> None:
    inst = resolved.instance
    entry = manifest["metrics"].setdefault(resolved.label, {})
    entry.update({"label": resolved.label, "name": resolved.entry.name, "params": resolved.params})
    entry.pop("reason", None)
    reason = inst.unavailable_reason()
    if reason:
        entry.update(status="unavailable", reason=reason)
        reporter.notice(f"metric {resolved.label} unavailable: {reason}")
        return
    inst.prepare(req.suite)
    sig_hash = inst.signature_hash()
    entry.update(signature=inst.signature(), signature_hash=sig_hash, headline=list(inst.headline),
                 lower_is_better=sorted(inst.lower_is_better), percent=bool(getattr(inst, "percent", False)),
                 status="ok")
    summaries, scored = store.records[SUMMARIES], store.records[SCORES]
    pending: list[tuple[ScoreTarget, ScoreItem]] = []
    queued: set[str] = set()
    # cluster by cluster, every system in turn: a cluster's references and
    # sources are reused while they are fresh in model and metric caches
    for cluster in req.suite.clusters:
        refs = req.suite.references_for(cluster.id)
        for label, by_cluster in current.items():
            rec = summaries.get(by_cluster.get(cluster.id, ""))
            if rec is None or rec["status"] != "ok":
                continue
            chosen = chosen_references(inst, refs)
            key = score_key(rec["key"], rec["bullets"], chosen, sig_hash)
            old = scored.get(key)
            if key in queued or (old and (old["status"] == "ok" or not retried(old, req))):
                continue  # queued for another label of the same system (same identity), or done
            queued.add(key)
            target = ScoreTarget(key, rec["key"], label, rec["cluster"])
            if not chosen:
                failure = ItemFailure(f"no reference by {inst.refs!r} for this cluster "
                                      f"(its references: {', '.join(r.author for r in refs) or 'none'})")
                store.append(SCORES, score_record(target, resolved.label, sig_hash, failure))
                continue
            pending.append((target, ScoreItem(label, cluster, tuple(rec["bullets"]), chosen)))
    if not pending:
        return
    units = [MetricUnit(resolved.label, sig_hash, chunk, deterministic=bool(getattr(inst, "deterministic", False)))
             for chunk in chunked(pending, getattr(inst, "score_chunk", SCORE_CHUNK))]
    ctx = _context(req, reporter)
    started = time.perf_counter()
    inst.open(ctx)
    try:
        with reporter.task(f"metric {resolved.label}", len(pending)) as advance:
            for record in executor.run({resolved.label: inst}, units, ctx):
                store.append(SCORES, record)
                advance()
    finally:
        inst.close()
        # totals: e.g. an LLM judge's requests, tokens, cost
        _close_entry(entry, time.perf_counter() - started, inst.accounting())


#: accounting fields that describe a run's settings, not amounts: never summed
NOT_SUMMED = frozenset({"concurrency", "request_cap", "context_tokens"})


def _close_entry(entry: dict[str, Any], seconds: float, totals: dict[str, Any] | None = None) -> None:
    """Time spent and the plugin's accounting totals (requests, tokens, cost ...), both summed
    over invocations (a resume adds to them); ``totals_last`` holds the last invocation's own."""
    entry["seconds"] = round(entry.get("seconds", 0.0) + seconds, 3)
    if totals:
        entry["totals"] = add_totals(entry.get("totals") or {}, totals)
        entry["totals_last"] = totals


def add_totals(before: dict[str, Any], now: dict[str, Any]) -> dict[str, Any]:
    """Amounts added up, settings (and anything not a number) from ``now``."""
    out = dict(now)
    for key, value in now.items():
        old = before.get(key)
        if key in NOT_SUMMED or isinstance(value, bool) or isinstance(old, bool):
            continue
        if isinstance(value, (int, float)) and isinstance(old, (int, float)):
            out[key] = round(old + value, 8) if isinstance(value, float) or isinstance(old, float) else old + value
        elif value is None and isinstance(old, (int, float)):  # e.g. cost_usd: none this time
            out[key] = old
    return out
