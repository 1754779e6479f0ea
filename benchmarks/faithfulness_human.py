"""Faithfulness metrics against FRANK's human factuality judgments, beside the published baselines.

    python benchmarks/faithfulness_human.py [--data ../shared/data/frank_dev] [--out results/meta/frank]
        [--llm SPEC [--llm-sample N]]   # e.g. faithfulness-llm:model=qwen,base_url=http://127.0.0.1:8080/v1

1. writes a generic suite, an outputs file and a judgments file (human score = FRANK's
   share of error-free sentences, with its subset: cnndm or xsum) into --out;
2. runs ``sumbench score`` with faithfulness and grounding and ``sumbench meta``, and
   prints meta's FRANK-protocol rows (partial Pearson with per-system means removed,
   per subset; ROC AUC of fully factual summaries); with --llm, a second run scores a
   seeded sample of --llm-sample articles (all their summaries) with the LLM judge and
   faithfulness side by side (a local model judges a few hundred summaries an hour);
   checks that meta's partial Pearson equals FRANK's protocol computed directly on the
   run's values (benchmarks/_frank.py: an independent implementation), exit 1 if not;
3. prints the same figures for the published metrics of baselines.jsonl (FactCC,
   BERTScore-P vs article, DAE, QAGS) on the same summaries, and the system-level
   Kendall tau per subset of every one;
4. times faithfulness and keypoints (faithful=false, against the reference summary's
   sentences) on the same summaries in this process, each from an empty embedding cache.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._frank import BASELINES, DATA, figures, load  # noqa: E402

METRICS = ("faithfulness", "grounding")


def write_inputs(data: Path, out: Path, keep: set[str] | None = None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rd = lambda f: [r for r in (json.loads(x) for x in (data / f).read_text(encoding="utf-8").splitlines()  # noqa: E731
                                if x.strip()) if keep is None or r.get("id", r.get("cluster")) in keep]
    with (out / "suite.jsonl").open("w", encoding="utf-8") as f:
        for c in rd("clusters.jsonl"):
            f.write(json.dumps({"id": c["id"], "title": c.get("title", ""), "documents": c["documents"],
                                "reference": c["reference"]}) + "\n")
    with (out / "outputs.jsonl").open("w", encoding="utf-8") as f:
        for s in rd("summaries.jsonl"):
            f.write(json.dumps({"cluster": s["cluster"], "system": s["system"], "bullets": s["bullets"]}) + "\n")
    with (out / "judgments.jsonl").open("w", encoding="utf-8") as f:
        for s in rd("summary_scores.jsonl"):
            f.write(json.dumps({"cluster": s["cluster"], "system": s["system"], "score": s["factuality"],
                                "subset": s["dataset"]}) + "\n")


def sumbench(*args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "bench", *args], capture_output=True, text=True)
    if proc.returncode not in (0, 3):  # 3: some items failed (recorded, shown in the table)
        sys.exit(f"sumbench {' '.join(args[:2])} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return proc.stdout


def score_and_meta(o: Path, metrics: list[str]) -> dict[str, dict[str, float]]:
    sumbench("score", "-q", "--suite", str(o / "suite.jsonl"), "--format", "generic", "--outputs",
             str(o / "outputs.jsonl"), "--out", str(o / "run"), *[x for m in metrics for x in ("--metric", m)])
    table = sumbench("meta", str(o / "run"), "--judgments", str(o / "judgments.jsonl"), "--format", "csv")
    got: dict[str, dict[str, float]] = {}
    for r in csv.DictReader(io.StringIO(table)):
        if r["figure"].startswith(("partial_pearson[", "roc_auc_perfect[")):
            got.setdefault(r["metric"], {})[r["figure"]] = float(r["value"]) if r["value"] else float("nan")
    print(f"{'metric value':34s} {'CNN/DM':>8s} {'XSum':>8s} {'AUC CNN/DM':>11s} {'AUC XSum':>9s}")
    nan = float("nan")
    for name, v in got.items():
        if ":" in name and len(name) > 34:  # "faithfulness-llm:model=...,logprobs=false/faithfulness"
            name = f"{name.split(':')[0]}/{name.rsplit('/', 1)[1]}" if "/" in name else name.split(":")[0]
        print(f"{name[:34]:34s} {v.get('partial_pearson[cnndm]', nan):8.3f} {v.get('partial_pearson[xsum]', nan):8.3f} "
              f"{v.get('roc_auc_perfect[cnndm]', nan):11.3f} {v.get('roc_auc_perfect[xsum]', nan):9.3f}")
    return got


def cross_check(got: dict[str, dict[str, float]], run: Path, frank) -> tuple[float, int]:
    """Largest difference between meta's partial Pearson and FRANK's protocol computed directly
    (benchmarks/_frank.py, on the run's values), and how many figures were compared."""
    from bench.results import load_results, value_name

    res = load_results(run)
    worst, n = 0.0, 0
    for m in (m for m in res.metrics if m.status == "ok"):
        for key in sorted({k for s in res.systems for k in s.values.get(m.label, {})}):
            name = value_name(res.metrics, m.label, key)
            if name not in got:
                continue
            sign = -1.0 if key in m.lower_is_better else 1.0  # meta negates a lower-is-better value
            by = {(c, s.label): v for s in res.systems for c, v in s.values.get(m.label, {}).get(key, {}).items()
                  if isinstance(v, (int, float))}
            f = figures([sign * by.get((it.cluster.id, it.system), math.nan) for it in frank.items], frank)
            for ds in ("cnndm", "xsum"):
                ours, theirs = got[name].get(f"partial_pearson[{ds}]", math.nan), f[f"{ds}_partial"]
                if math.isnan(ours) or math.isnan(theirs):
                    if math.isnan(ours) != math.isnan(theirs):
                        return math.inf, n
                    continue
                worst, n = max(worst, abs(ours - theirs)), n + 1
    return worst, n


def timing(frank, rounds: int = 3) -> dict[str, float]:
    """Seconds of faithfulness and keypoints on the same summaries, each from an empty cache, in
    alternating rounds (the machine's load changes): medians, and the median of the rounds' ratios."""
    import statistics

    from bench.caches import reset_caches
    from bench.metrics.faithfulness.faithfulness import Faithfulness
    from bench.metrics.keypoints.keypoints import KeyPoints
    from bench.metrics.shared.embed import engine, resolve_device
    from bench.model import Reference
    from bench.plugins import ScoreItem
    from bench.text.sentences import split_sentences

    clusters = {json.loads(x)["id"]: json.loads(x) for x in (DATA / "clusters.jsonl").read_text().splitlines() if x}
    kp_items = [ScoreItem(it.system, it.cluster, it.bullets,
                          (Reference(it.cluster.id, "ref", tuple(split_sentences(" ".join(
                              clusters[it.cluster.id]["reference"])))),)) for it in frank.items]
    seconds: dict[str, list[float]] = {"keypoints": [], "faithfulness": [], "after_keypoints": []}
    for _ in range(rounds):
        # each alone from empty caches; then faithfulness right after keypoints, as in a run with both
        # (the summary sentences' embeddings are shared)
        for name, metric, items, fresh in (
                ("keypoints", KeyPoints(device="cpu", faithful=False), kp_items, True),
                ("faithfulness", Faithfulness(device="cpu"), frank.items, True),
                (None, KeyPoints(device="cpu", faithful=False), kp_items, True),
                ("after_keypoints", Faithfulness(device="cpu"), frank.items, False)):
            engine(metric.resolved(), resolve_device("cpu"))  # loaded before the clock starts
            if fresh:
                reset_caches()
            else:  # keep what keypoints computed (embeddings, split sentences), not faithfulness's own work
                from bench.metrics.faithfulness.source import SOURCES
                from bench.metrics.faithfulness import faithfulness as faithfulness_mod

                SOURCES.clear()
                faithfulness_mod._JUDGED.clear()
            start = time.perf_counter()
            metric.score(items)
            if name:
                seconds[name].append(time.perf_counter() - start)
    ratio = lambda key: statistics.median(f / k for f, k in zip(seconds[key], seconds["keypoints"]))  # noqa: E731
    return {**{k: statistics.median(v) for k, v in seconds.items()}, "ratio": ratio("faithfulness"),
            "ratio_after": ratio("after_keypoints"), "rounds": rounds}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, default=Path("results/meta/frank"))
    ap.add_argument("--llm", default=None, metavar="SPEC", help="also score with this LLM judge spec")
    ap.add_argument("--llm-sample", type=int, default=30, metavar="N", help="articles the LLM judges (default 30)")
    ap.add_argument("--no-timing", action="store_true")
    ap.add_argument("--timing-only", action="store_true", help="only time faithfulness against keypoints")
    ap.add_argument("--rounds", type=int, default=3, help="alternating timing rounds (median reported)")
    args = ap.parse_args(argv)
    if args.timing_only:
        t = timing(load(args.data), args.rounds)
        print(f"keypoints (faithful=false) {t['keypoints']:.1f} s, faithfulness {t['faithfulness']:.1f} s, "
              f"median ratio {t['ratio']:.2f} over {t['rounds']} rounds; faithfulness right after keypoints "
              f"{t['after_keypoints']:.1f} s (ratio {t['ratio_after']:.2f})")
        return 0
    o = args.out
    write_inputs(args.data, o)
    print(f"FRANK validation split ({args.data}): partial Pearson with per-system means removed; "
          "system tau over system means; AUC of fully factual summaries")
    got = score_and_meta(o, METRICS)
    frank = load(args.data)
    worst, n = cross_check(got, o / "run", frank)
    print(f"cross-check with _frank.figures(): {n} figures, largest difference {worst:.1e}")
    if args.llm:
        import random

        ids = sorted({it.cluster.id for it in frank.items})
        keep = set(random.Random(0).sample(ids, min(args.llm_sample, len(ids))))
        write_inputs(args.data, o / "llm", keep)
        print(f"with the LLM judge, on {len(keep)} articles (seed 0) and all their summaries:")
        score_and_meta(o / "llm", ["faithfulness", args.llm])
    print("published baselines on the same summaries (FRANK release):")
    for label, key in BASELINES.items():
        vals = [float(b[key]) if b.get(key) is not None else float("nan") for b in frank.baselines]
        f = figures(vals, frank)
        print(f"{label:34s} {f['cnndm_partial']:8.3f} {f['xsum_partial']:8.3f} {f['cnndm_auc']:11.3f} "
              f"{f['xsum_auc']:9.3f}   system tau CNN/DM {f['cnndm_system_tau']:.2f}")
    print("system-level Kendall tau, CNN/DM (5 systems), from the run's values:")
    from bench.results import load_results

    res = load_results(o / "run")
    for m in res.metrics:
        if m.status != "ok":
            print(f"  {m.label}: unavailable ({m.reason})")
            continue
        for key in ("faithfulness", "supported", "support", "weak_share"):
            if not any(key in s.values.get(m.label, {}) for s in res.systems):
                continue
            by = {(c, s.label): v for s in res.systems for c, v in s.values.get(m.label, {}).get(key, {}).items()
                  if isinstance(v, (int, float))}
            vals = [by.get((it.cluster.id, it.system), float("nan")) for it in frank.items]
            vals = [-v for v in vals] if key == "weak_share" else vals
            f = figures(vals, frank)
            print(f"  {m.label}/{key}: tau {f['cnndm_system_tau']:.2f}")
    if not args.no_timing:
        t = timing(frank, args.rounds)
        print(f"time on the {len(frank.items)} summaries, one process, median of {t['rounds']} alternating rounds: "
              f"keypoints (faithful=false) {t['keypoints']:.1f} s, faithfulness {t['faithfulness']:.1f} s "
              f"(median ratio {t['ratio']:.2f}); faithfulness right after keypoints {t['after_keypoints']:.1f} s "
              f"(ratio {t['ratio_after']:.2f})")
    return 0 if worst < 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
