"""Time per cluster of every extractive system relative to ``lead``, in one process.

    python benchmarks/systems_speed.py [DATA_FILE] [--words 300]

Each system runs over all clusters of the Multi-News dev sample; caches of the
shared cleaning/candidate step are cleared before each pass so every system
pays for its own preparation; the fastest of ``--repeat`` passes counts.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.budget import Budget  # noqa: E402
from bench.plugins.discovery import discover  # noqa: E402
from bench.suites import load_suite  # noqa: E402
from bench.text import candidates, clean  # noqa: E402

DEFAULT = ROOT.parent / "shared/data/multi_news_dev50/test.jsonl"
SYSTEMS = ["lead", "lead:clean=false", "random", "lexrank", "textrank", "centroid", "mmr", "oracle",
           "lexrank:clean=false"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data", nargs="?", default=str(DEFAULT))
    ap.add_argument("--words", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3, help="passes per system; the fastest counts")
    args = ap.parse_args()
    suite = load_suite(args.data, fmt="multi_news")
    registry = discover().systems
    budget = Budget(words=args.words)
    # warm imports (sklearn, scipy, pysbd) outside the timings
    registry.create("lexrank").instance.summarize(suite.clusters[0], budget)
    timings = {}
    for spec in SYSTEMS:
        system = registry.create(spec).instance
        best = float("inf")
        for _ in range(args.repeat):
            clean._clean_cached.cache_clear()
            candidates.prepare.cache_clear()
            t = time.perf_counter()
            for c in suite.clusters:
                refs = suite.references_for(c.id) if system.uses_references else ()
                system.summarize(c, budget, refs)
            best = min(best, time.perf_counter() - t)
        timings[spec] = best / len(suite.clusters)
    base = timings["lead"]
    print(f"{len(suite.clusters)} clusters, budget {args.words} words; time per cluster, ratio to lead")
    for spec, t in timings.items():
        print(f"  {spec:22s} {1000 * t:8.1f} ms   x{t / base:5.2f}")


if __name__ == "__main__":
    main()
