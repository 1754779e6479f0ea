"""Run systems over a suite and score them; resumable and failure-tolerant."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from ..budget import Budget, apply_budget
from ..errors import RunError
from ..model import Reference, Suite, stable_hash
from ..plugins.metric import ItemFailure, MetricResult, ScoreItem
from ..plugins.registry import Resolved
from ..plugins.system import RunContext, SummaryTask
from .keys import identity_hash, score_key, summary_key, system_identity
from .progress import Reporter
from .records import RecordError, error_text, json_ready, metric_values
from .provenance import environment, now_iso
from .store import FORMAT_VERSION, SCORES, SUMMARIES, RunStore, read_manifest

SCORE_CHUNK = 64


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
    max_workers: int = 4
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
        "metrics": sorted(m.label for m in metrics),
        "budget": budget.as_dict(),
        **config,
    })[:10]
    slug = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in suite.name)[:40]
    return results_root / "-".join(part for part in (slug, tag, digest) if part)


def execute(req: RunRequest, reporter: Reporter) -> Path:
    with RunStore(req.out) as store:
        manifest = _open_manifest(req)
        store.write_manifest(manifest)
        try:
            current: dict[str, dict[str, str]] = {}  # system label -> cluster id -> summary key
            for resolved in req.systems:
                current[resolved.label] = _run_system(req, resolved, store, manifest, reporter)
                store.write_manifest(manifest)
            for resolved in req.metrics:
                _run_metric(req, resolved, store, manifest, reporter, current)
                store.write_manifest(manifest)
        except KeyboardInterrupt:
            manifest["status"] = "interrupted"
            manifest["finished"] = now_iso()
            store.write_manifest(manifest)
            raise
        manifest["status"] = "complete"
        manifest["finished"] = now_iso()
        store.write_manifest(manifest)
    return req.out


def _open_manifest(req: RunRequest) -> dict[str, Any]:
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
            raise RunError(
                f"run directory holds suite {old['suite']['name']!r} with different content "
                f"(fingerprint {old['suite']['fingerprint'][:12]} vs {suite_info['fingerprint'][:12]}); use another --out",
                where=str(req.out),
            )
        if old["budget"] != req.budget.as_dict():
            raise RunError(
                f"run directory was made with budget {old['budget']}, not {req.budget.as_dict()}; use another --out",
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
    manifest["invocations"].append({"started": now_iso(), "command": req.command})
    return manifest


def _run_system(
    req: RunRequest, resolved: Resolved, store: RunStore, manifest: dict, reporter: Reporter
) -> dict[str, str]:
    """Summarize what is not done yet; returns cluster id -> this system's summary key."""
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
        return {}
    done = store.records[SUMMARIES]
    keys_by_cluster = {c.id: summary_key(c, identity, req.budget) for c in req.suite.clusters}
    pending = []
    for cluster in req.suite.clusters:
        key = keys_by_cluster[cluster.id]
        rec = done.get(key)
        if rec and not req.refresh and (rec["status"] == "ok" or not req.retry_failed):
            continue
        refs = req.suite.references_for(cluster.id)
        pending.append((key, SummaryTask(cluster, req.budget, refs if inst.uses_references else ())))
    entry["status"] = "ok"
    if not pending:
        return keys_by_cluster
    keys = {id(task): key for key, task in pending}
    ctx = RunContext(
        run_dir=str(req.out),
        cache_dir=str(req.cache_dir or req.out / "cache"),
        refresh=req.refresh,
        max_workers=req.max_workers,
        quiet=reporter.quiet,
    )
    started = time.perf_counter()
    inst.open(ctx)
    try:
        with reporter.task(f"system {resolved.label}", len(pending)) as advance:
            last = time.perf_counter()
            for task, result in inst.summarize_many(task for _, task in pending):
                now = time.perf_counter()
                record = _summary_record(keys[id(task)], resolved.label, task, result, now - last)
                store.append(SUMMARIES, {**record, "identity": ident})
                last = now
                advance()
    finally:
        inst.close()
        entry["seconds"] = round(entry.get("seconds", 0.0) + time.perf_counter() - started, 3)
        meta = inst.run_meta()
        if meta:
            entry["totals"] = meta
    return keys_by_cluster


def _summary_record(key: str, label: str, task: SummaryTask, result: Any, seconds: float) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "key": key,
        "system": label,
        "cluster": task.cluster.id,
        "seconds": round(seconds, 4),
        "created": now_iso(),
    }
    if isinstance(result, BaseException):
        rec.update(status="failed", error=error_text(result))
        return rec
    try:
        fitted = apply_budget(result.bullets, task.budget)
        meta = json_ready(result.meta, "system meta")
    except Exception as exc:  # malformed output is this cluster's failure
        rec.update(status="failed", error=error_text(exc))
        return rec
    if not fitted.bullets:
        rec.update(status="failed", error="system returned no text", meta=meta)
        return rec
    rec.update(
        status="ok",
        bullets=list(fitted.bullets),
        truncated=fitted.truncated,
        words_before=fitted.words_before,
        bullets_before=fitted.bullets_before,
        meta=meta,
    )
    if fitted.truncated:
        rec["raw_bullets"] = list(result.bullets)
    return rec


def _run_metric(req: RunRequest, resolved: Resolved, store: RunStore, manifest: dict, reporter: Reporter,
                current: dict[str, dict[str, str]]) -> None:
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
    pending: list[tuple[str, dict, ScoreItem]] = []
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
            if old and (old["status"] == "ok" or not req.retry_failed):
                continue
            if not chosen:
                failure = ItemFailure(f"no reference by {inst.refs!r} for this cluster "
                                      f"(its references: {', '.join(r.author for r in refs) or 'none'})")
                store.append(SCORES, _score_record(key, rec, resolved.label, sig_hash, failure))
                continue
            pending.append((key, rec, ScoreItem(label, cluster, tuple(rec["bullets"]), chosen)))
    started = time.perf_counter()
    inst.open(RunContext(str(req.out), str(req.cache_dir or req.out / "cache"), req.refresh, req.max_workers,
                         reporter.quiet))
    try:
        with reporter.task(f"metric {resolved.label}", len(pending)) as advance:
            for start in range(0, len(pending), SCORE_CHUNK):
                chunk = pending[start : start + SCORE_CHUNK]
                try:
                    results = inst.score([item for _, _, item in chunk])
                    if len(results) != len(chunk):
                        raise RuntimeError(f"metric returned {len(results)} results for {len(chunk)} items")
                except (KeyboardInterrupt, SystemExit):
                    raise
                except Exception as exc:
                    results = [ItemFailure(f"{type(exc).__name__}: {exc}")] * len(chunk)
                for (key, rec, _), result in zip(chunk, results):
                    store.append(SCORES, _score_record(key, rec, resolved.label, sig_hash, result))
                advance(len(chunk))
    finally:
        inst.close()
        entry["seconds"] = round(entry.get("seconds", 0.0) + time.perf_counter() - started, 3)
        if totals := inst.accounting():  # e.g. an LLM judge's requests, tokens, cost
            entry["totals"] = totals


def chosen_references(metric: Any, refs: Sequence[Reference]) -> tuple[Reference, ...]:
    """The references a metric scores against: those by the authors in its ``refs`` (+-joined), or all."""
    wanted = [a.strip() for a in (getattr(metric, "refs", "") or "").split("+") if a.strip()]
    return tuple(r for r in refs if not wanted or r.author in wanted)


def _score_record(key: str, summary: dict, metric_label: str, sig_hash: str, result: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "key": key,
        "summary_key": summary["key"],
        "system": summary["system"],
        "cluster": summary["cluster"],
        "metric": metric_label,
        "signature": sig_hash,
        "created": now_iso(),
    }
    if isinstance(result, MetricResult):
        try:  # finite numbers and JSON details, or this item's failure
            values = metric_values(result.values)
            details = json_ready(result.details, "metric details")
        except RecordError as exc:
            rec.update(status="failed", error=str(exc))
        else:
            rec.update(status="ok", values=values)
            if details is not None:
                rec["details"] = details
    elif isinstance(result, ItemFailure):
        rec.update(status="failed", error=error_text(result.reason))
    else:
        rec.update(status="failed", error=f"metric returned {type(result).__name__}, not a result")
    return rec
