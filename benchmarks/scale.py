"""How sumbench scales: every figure a ratio of two timings taken in this one run.

    python benchmarks/scale.py [DATA_FILE] [--workers N] [--clusters 5000] [--only SECTION ...]

Sections (each prints its own lines):
  rouge      ROUGE engine vs rouge-score on the same pairs (when `rouge` has an
             `engine` parameter; else "not available")
  workers    CPU-bound systems over the dev file: 1 process vs N worker processes
  ray        the same work: process pool vs a local Ray instance
  bertscore  bertscore tokens/s against the forward-pass bound (MiniLM FLOPs per
             token x tokens / float32 matmul throughput measured here), in every executor
  synthetic  a synthetic N-cluster suite end to end (lead, textrank, rouge; CLI,
             default workers) with peak RSS, then a rerun of the finished run
  faithfulness  what faithfulness adds to a run that has keypoints: the runner in
             this one process (MiniLM, CPU) over the first --faith-clusters
             clusters, keypoints alone then keypoints + faithfulness (each from
             empty caches, model loaded), with and without kp_recall_faithful

Timings on a shared machine are noisy: ratios are taken within one run; rerun
when the load changes. Nothing here is a test (tests check equality only).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.budget import Budget  # noqa: E402
from bench.plugins.discovery import discover  # noqa: E402
from bench.runner.executors import Execution, machine_cores  # noqa: E402
from bench.runner.progress import Reporter  # noqa: E402
from bench.runner.run import RunRequest, execute  # noqa: E402
from bench.suites import load_suite  # noqa: E402

DEFAULT = ROOT.parent / "shared/data/multi_news_dev50/test.jsonl"
SECTIONS = ("rouge", "workers", "ray", "bertscore", "synthetic", "faithfulness")
CPU_SYSTEMS = ("lexrank", "textrank", "centroid")
#: systems whose summaries (with the references) the bertscore section embeds
EMBED_SYSTEMS = ("lead", "textrank", "lexrank", "centroid")
#: systems whose summaries the faithfulness section scores
FAITH_SYSTEMS = ("lead", "textrank")


def run_once(suite, systems, metrics, execution: Execution, words: int = 300) -> tuple[float, dict]:
    """Seconds for a fresh run (new folder) and its manifest."""
    registry = discover()
    with tempfile.TemporaryDirectory(prefix="sumbench-scale-") as tmp:
        req = RunRequest(
            suite=suite, systems=[registry.systems.create(s) for s in systems],
            metrics=[registry.metrics.create(m) for m in metrics], budget=Budget(words=words),
            out=Path(tmp) / "run", execution=execution,
        )
        started = time.perf_counter()
        execute(req, Reporter())
        seconds = time.perf_counter() - started
        manifest = json.loads((Path(tmp) / "run" / "manifest.json").read_text())
        for name in ("summaries.jsonl", "scores.jsonl"):
            path = Path(tmp) / "run" / name
            failed = [r for r in map(json.loads, path.open()) if r["status"] != "ok"] if path.exists() else []
            if failed:  # a timing of failures means nothing
                raise SystemExit(f"{execution.kind}: {len(failed)} failed records, e.g. {failed[0].get('error')}")
    return seconds, manifest


def clear_text_caches() -> None:
    from bench.text import candidates, clean

    candidates.prepare.cache_clear()
    clean._clean_cached.cache_clear()


# --- sections -------------------------------------------------------------------------------
def section_rouge(suite, args) -> None:
    from bench.metrics.rouge import Rouge
    from bench.plugins import ScoreItem

    print("== ROUGE engine vs rouge-score")
    if "engine" not in {f.name for f in dataclasses.fields(Rouge)}:
        print("  not available: `rouge` has no engine parameter on this branch (rouge:engine=... lands with i11-fast)")
        return
    registry = discover().systems
    budget = Budget(words=300)
    items = []
    for spec in ("lead", "textrank"):
        system = registry.create(spec).instance
        for c in suite.clusters:
            bullets = tuple(system.summarize(c, budget))
            items.append(ScoreItem(spec, c, bullets, suite.references_for(c.id)))
    timings, values = {}, {}
    for engine in ("rouge-score", "rouge-score-rs"):
        metric = discover().metrics.create(f"rouge:engine={engine}").instance
        metric.score(items[:2])  # imports and scorer set-up outside the timing
        started = time.perf_counter()
        values[engine] = metric.score(items)
        timings[engine] = time.perf_counter() - started
    ref, fast = values["rouge-score"], values["rouge-score-rs"]
    diff = max((abs(a.values[k] - b.values[k]) for a, b in zip(ref, fast) for k in a.values), default=0.0)
    print(f"  {len(items)} pairs (lead, textrank; 300 words): rouge-score {len(items) / timings['rouge-score']:.0f} pairs/s, "
          f"rouge-score-rs {len(items) / timings['rouge-score-rs']:.0f} pairs/s: "
          f"x{timings['rouge-score'] / timings['rouge-score-rs']:.1f}; max |difference| {diff}")


def replicated(suite, times: int):
    """The suite's clusters ``times`` over, under new ids (enough work to amortise worker start-up).

    Every copy's lines end with its number, so no copy is a cache hit of another
    (sentence splitting is memoised per paragraph: plain copies would make one
    process, which sees them all, look faster than workers that each see some)."""
    from bench.model import Cluster, Document, Reference, Suite

    def copy(doc: Document, k: int) -> Document:
        text = "\n".join(f"{line} ({k})" if line.strip() and k else line for line in doc.text.split("\n"))
        return Document(doc.id, text, doc.source, doc.url, doc.title, doc.published)

    clusters, refs = [], []
    for k in range(times):
        for c in suite.clusters:
            clusters.append(Cluster(f"{c.id}-{k}", tuple(copy(d, k) for d in c.documents), c.title))
            refs += [Reference(f"{c.id}-{k}", r.author, r.bullets, r.provenance) for r in suite.references_for(c.id)]
    return Suite(f"{suite.name}-x{times}", tuple(clusters), tuple(refs), source=suite.source)


def section_workers(suite, args) -> float:
    suite = replicated(suite, args.repeat)
    print(f"== 1 vs {args.workers} workers: {', '.join(CPU_SYSTEMS)} over {len(suite.clusters)} clusters "
          f"(the dev file x{args.repeat}; no metric)")
    clear_text_caches()
    one, _ = run_once(suite, CPU_SYSTEMS, [], Execution(kind="local"))
    many, _ = run_once(suite, CPU_SYSTEMS, [], Execution(kind="processes", workers=args.workers))
    print(f"  1 process {one:.1f} s; {args.workers} worker processes {many:.1f} s (worker start included): "
          f"x{one / many:.2f}")
    return many


def section_ray(suite, args, pool_seconds: float | None) -> None:
    suite = replicated(suite, args.repeat)
    print(f"== process pool vs local Ray ({args.workers} workers, same work as above)")
    try:
        import ray
    except ImportError:
        print("  not available: pip install 'sumbench[ray]'")
        return
    started = time.perf_counter()
    ray.init(num_cpus=args.workers, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    ray_start = time.perf_counter() - started
    try:
        if pool_seconds is None:
            pool_seconds, _ = run_once(suite, CPU_SYSTEMS, [], Execution(kind="processes", workers=args.workers))
        on_ray, _ = run_once(suite, CPU_SYSTEMS, [], Execution(kind="ray", workers=args.workers))
    finally:
        ray.shutdown()
    print(f"  process pool {pool_seconds:.1f} s; Ray actors {on_ray:.1f} s (+ {ray_start:.1f} s to start the local "
          f"instance): pool/Ray x{pool_seconds / on_ray:.2f}")


def matmul_flops(n: int = 2048, repeat: int = 5) -> float:
    import torch

    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - started)
    return 2 * n**3 / best


def minilm_flops_per_token(config, mean_len: float) -> float:
    """Multiply-adds x2 of one token through the encoder (projections, feed-forward, attention)."""
    h, i, layers = config.hidden_size, config.intermediate_size, config.num_hidden_layers
    return layers * (2 * (4 * h * h + 2 * h * i) + 4 * mean_len * h)


def section_bertscore(suite, args) -> None:
    from bench.metrics.bertscore import BertScore
    from bench.metrics.shared.embed import engine
    from bench.metrics.shared.models import resolve_model
    from bench.model import Suite

    print("== bertscore tokens/s vs the forward-pass bound (MiniLM, float32, CPU)")
    eng = engine(resolve_model("all-MiniLM-L6-v2"), "cpu")
    registry = discover().systems
    budget = Budget(words=300)
    summaries = {spec: {c.id: " ".join(b.strip() for b in registry.create(spec).instance.summarize(c, budget))
                        for c in suite.clusters} for spec in EMBED_SYSTEMS}
    # start-up: one unit per worker (each loads the model), then the whole suite; the difference
    # between the two is the rate once every process has its model
    first = suite.clusters[: -(-args.workers * BertScore.score_chunk // len(EMBED_SYSTEMS))]
    start = Suite(f"{suite.name}-start", first, tuple(r for c in first for r in suite.references_for(c.id)),
                  source=suite.source)

    def tokens_of(clusters) -> tuple[set[str], int]:
        texts = {" ".join(r.bullets) for c in clusters for r in suite.references_for(c.id)}
        texts |= {summaries[spec][c.id] for spec in EMBED_SYSTEMS for c in clusters}
        return texts, sum(min(eng.token_count(t), eng.max_tokens) for t in texts)

    texts, tokens = tokens_of(suite.clusters)
    _, tokens_start = tokens_of(first)
    flops = matmul_flops()
    per_token = minilm_flops_per_token(eng.scorer._model.config, tokens / len(texts))
    bound = flops / per_token
    print(f"  matmul {flops / 1e9:.0f} GFLOP/s ({machine_cores()} cores); MiniLM {per_token / 1e6:.1f} MFLOP/token: "
          f"bound {bound:.0f} tokens/s; {len(texts)} distinct texts ({', '.join(EMBED_SYSTEMS)} + references), "
          f"{tokens} tokens")
    eng.clear()
    started = time.perf_counter()
    eng.embed(sorted(texts), 64)
    embed_only = tokens / (time.perf_counter() - started)
    eng.clear()
    print(f"  embedding in this process (model loaded): {embed_only:.0f} tokens/s = {embed_only / bound:.0%} of the bound")
    print(f"  runner: all {len(suite.clusters)} clusters, model loading included; and once loaded (the same minus a "
          f"run over the first {len(first)} clusters, one unit per worker)")
    executions = [("1 process", Execution(kind="local")),
                  (f"{args.workers} worker processes", Execution(kind="processes", workers=args.workers))]
    try:
        import ray  # noqa: F401

        executions.append((f"Ray, {args.workers} actors", Execution(kind="ray", workers=args.workers)))
    except ImportError:
        pass
    for label, execution in executions:
        if execution.kind == "ray":
            import ray

            ray.init(num_cpus=args.workers, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
        seconds = {}
        try:
            for name, part in (("all", suite), ("start", start)):
                engine.cache_clear()  # every run loads the model (in its own processes)
                _, manifest = run_once(part, EMBED_SYSTEMS, ["bertscore:model=all-MiniLM-L6-v2"], execution)
                seconds[name] = next(iter(manifest["metrics"].values())).get("seconds", float("nan"))
        finally:
            if execution.kind == "ray":
                ray.shutdown()
        rate = tokens / seconds["all"]
        loaded = (tokens - tokens_start) / (seconds["all"] - seconds["start"])
        print(f"  runner, {label}: {rate:.0f} tokens/s = {rate / bound:.0%} of the bound with model loading "
              f"({seconds['all']:.1f} s); {loaded:.0f} tokens/s = {loaded / bound:.0%} once loaded")


def synthetic_suite(path: Path, clusters: int, source) -> None:
    """Clusters of 3 documents x 6 sentences drawn (seeded) from the dev file's sentences."""
    from bench.text.sentences import split_sentences

    rng = random.Random(0)
    pool = [s for c in source.clusters[:20] for d in c.documents for s in split_sentences(d.text)[:40]
            if 6 <= len(s.split()) <= 40]
    with path.open("w", encoding="utf-8") as fh:
        for i in range(clusters):
            docs = [" ".join(rng.sample(pool, 6)) for _ in range(3)]
            fh.write(json.dumps({"id": f"s{i:05d}", "documents": docs, "reference": rng.sample(pool, 3)}) + "\n")


def section_synthetic(source, args) -> None:
    n = args.clusters
    print(f"== synthetic {n}-cluster suite end to end: lead, textrank, rouge (CLI, --workers {args.workers})")
    with tempfile.TemporaryDirectory(prefix="sumbench-synthetic-") as tmp:
        data = Path(tmp) / "synthetic.jsonl"
        synthetic_suite(data, n, source)
        cmd = [sys.executable, "-m", "bench", "run", "-q", "--suite", str(data), "--format", "generic",
               "--system", "lead", "--system", "textrank", "--metric", "rouge", "--words", "100",
               "--workers", str(args.workers), "--out", str(Path(tmp) / "run")]
        env = {**os.environ, "SUMBENCH_CACHE_DIR": str(Path(tmp) / "cache"), "PYTHONPATH": str(ROOT)}
        # through a small parent of its own, so the peak is this run's (CLI and workers), not an earlier section's
        measure = [sys.executable, "-c", "import resource, subprocess, sys; "
                   "subprocess.run(sys.argv[1:], check=True, capture_output=True); "
                   "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)", *cmd]
        started = time.perf_counter()
        done = subprocess.run(measure, env=env, check=True, capture_output=True, text=True)
        first = time.perf_counter() - started
        peak = int(done.stdout.split()[-1]) / 1024  # MiB, the largest process of the run
        started = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        rerun = time.perf_counter() - started
        started = time.perf_counter()
        subprocess.run([*cmd, "--no-retry-failed"], env=env, check=True, capture_output=True)
        idle = time.perf_counter() - started
        summaries = list({r["key"]: r for r in map(json.loads, open(Path(tmp) / "run" / "summaries.jsonl"))}.values())
        scores = sum(1 for line in open(Path(tmp) / "run" / "scores.jsonl") if '"status": "ok"' in line)
    failed = [r for r in summaries if r["status"] != "ok"]  # the latest record per key (the rerun retries failures)
    print(f"  first run {first:.1f} s ({n / first:.0f} clusters/s); {len(summaries) - len(failed)} summaries, "
          f"{scores} scores; peak RSS {peak:.0f} MiB (largest process of the run)")
    if failed:
        reasons = sorted({r.get("error", "") for r in failed})
        print(f"  {len(failed)} summaries failed: {'; '.join(reasons)[:200]}")
    print(f"  rerun of the finished run {rerun:.2f} s = {rerun / first:.1%} of the first run (default: failures "
          f"retried unless a deterministic system returned them); with --no-retry-failed {idle:.2f} s = "
          f"{idle / first:.1%}")


def section_faithfulness(suite, args) -> None:
    import bert_score.utils

    from bench.caches import reset_caches
    from bench.metrics.shared.embed import engine
    from bench.metrics.shared.models import MINILM, resolve_model
    from bench.model import Suite

    part = suite.clusters[: args.faith_clusters]
    part = Suite(f"{suite.name}-{len(part)}", part, tuple(r for c in part for r in suite.references_for(c.id)),
                 source=suite.source)
    print(f"== faithfulness after keypoints: {len(part.clusters)} clusters x {', '.join(FAITH_SYSTEMS)}\n"
          f"   (the runner in this process, MiniLM on the CPU; metric seconds, median of {args.rounds})")
    engine(resolve_model(MINILM), "cpu")  # loaded before any clock starts (device=auto is the CPU here)
    runs = {"keypoints": ["keypoints"], "keypoints + faithfulness": ["keypoints", "faithfulness"],
            "keypoints:faithful=false": ["keypoints:faithful=false"],
            "  + faithfulness": ["keypoints:faithful=false", "faithfulness"]}
    seconds: dict[str, list[float]] = {k: [] for k in runs}
    twice = 0  # texts embedded more than once in a run (0: each embedded once)
    forward = bert_score.utils.get_bert_embedding
    order = list(runs)
    for r in range(args.rounds):  # alternating, each round from another run: the machine's load changes
        for key in order[r % len(order):] + order[: r % len(order)]:
            reset_caches()  # nothing indexed, split or embedded; the model stays loaded
            embedded: Counter[str] = Counter()
            bert_score.utils.get_bert_embedding = lambda texts, *a, **k: (embedded.update(texts),
                                                                          forward(texts, *a, **k))[1]
            try:
                _, manifest = run_once(part, FAITH_SYSTEMS, runs[key], Execution(kind="local"), words=100)
            finally:
                bert_score.utils.get_bert_embedding = forward
            seconds[key].append(sum(m["seconds"] for m in manifest["metrics"].values()))
            twice += sum(1 for n in embedded.values() if n > 1)
    med = {k: sorted(v)[len(v) // 2] for k, v in seconds.items()}
    print(f"  texts embedded more than once in a run: {twice}")
    for key, base in zip(runs, ("", "keypoints", "", "keypoints:faithful=false")):
        ratio = f"  x{med[key] / med[base]:.2f}" if base else ""
        print(f"  {key:26s} {med[key]:6.1f} s{ratio}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", nargs="?", default=str(DEFAULT))
    ap.add_argument("--workers", type=int, default=machine_cores())
    ap.add_argument("--clusters", type=int, default=5000, help="size of the synthetic suite")
    ap.add_argument("--repeat", type=int, default=8, help="workers/ray sections: the dev file's clusters this many times")
    ap.add_argument("--only", nargs="*", choices=SECTIONS, default=list(SECTIONS))
    ap.add_argument("--faith-clusters", type=int, default=50, help="faithfulness section: the dev file's first N")
    ap.add_argument("--rounds", type=int, default=3, help="faithfulness section: alternating rounds (median)")
    args = ap.parse_args()
    suite = load_suite(args.data, fmt="multi_news")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{len(suite.clusters)} clusters from {Path(args.data).name}; {machine_cores()} cores, load average {load:.1f}")
    pool_seconds = None
    if "rouge" in args.only:
        section_rouge(suite, args)
    if "workers" in args.only:
        pool_seconds = section_workers(suite, args)
    if "ray" in args.only:
        section_ray(suite, args, pool_seconds)
    if "bertscore" in args.only:
        section_bertscore(suite, args)
    if "synthetic" in args.only:
        section_synthetic(suite, args)
    if "faithfulness" in args.only:
        section_faithfulness(suite, args)


if __name__ == "__main__":
    main()
