"""ROUGE engines on the Multi-News dev sample: rouge-score-rs vs rouge-score, one process.

    python benchmarks/rouge_engines.py [DATA_FILE] [--words 300]

Scores every extractive system's 300-word summary of every cluster (the pairs a
run scores) with both engines, checks the values are identical and prints pairs
per second and the ratio.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.budget import Budget  # noqa: E402
from bench.plugins import ScoreItem  # noqa: E402
from bench.plugins.discovery import discover  # noqa: E402
from bench.suites import load_suite  # noqa: E402

DEFAULT = ROOT.parent / "shared/data/multi_news_dev50/test.jsonl"
SYSTEMS = ["lead:n=3,per_doc=true", "random", "lexrank", "textrank", "centroid", "mmr"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data", nargs="?", default=str(DEFAULT))
    ap.add_argument("--words", type=int, default=300)
    args = ap.parse_args()
    suite = load_suite(args.data, fmt="multi_news")
    reg = discover()
    items = []
    for spec in SYSTEMS:
        system = reg.systems.create(spec).instance
        for c in suite.clusters:
            bullets = tuple(system.summarize(c, Budget(words=args.words)))
            items.append(ScoreItem(spec, c, bullets, suite.references_for(c.id)))
    pairs = sum(len(i.references) for i in items)
    seconds, values = {}, {}
    for engine in ("rouge-score-rs", "rouge-score"):
        metric = reg.metrics.create(f"rouge:engine={engine}").instance
        metric.score(items[:2])  # imports outside the timing
        t = time.perf_counter()
        values[engine] = [r.values for r in metric.score(items)]
        seconds[engine] = time.perf_counter() - t
    same = sum(a == b for a, b in zip(values["rouge-score-rs"], values["rouge-score"]))
    print(f"{pairs} (summary, reference) pairs, {args.words}-word summaries, rouge1/2/L/Lsum with stemming")
    for engine, s in seconds.items():
        print(f"  {engine:15s} {s:8.2f} s  {pairs / s:9.0f} pairs/s")
    print(f"  ratio {seconds['rouge-score'] / seconds['rouge-score-rs']:.0f}x; identical values: {same}/{len(items)}")


if __name__ == "__main__":
    main()
