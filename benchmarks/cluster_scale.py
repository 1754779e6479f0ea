"""Cost against cluster size: time per 1,000 words and peak RSS of every built-in
extractive system and lexical metric, at 1x, 10x and 100x a Multi-News cluster.

    python benchmarks/cluster_scale.py [DATA_FILE] [--sizes 1,10,100]
    python benchmarks/cluster_scale.py --article-mb 10     # one 10 MB article
    python benchmarks/cluster_scale.py --articles 1000     # a 1,000-article cluster
    python benchmarks/cluster_scale.py --articles 1000 --metrics grounding,faithfulness
    python benchmarks/cluster_scale.py --articles 1000 --lead   # lead against lead as it was

A cluster of size k holds k clusters' worth of real articles taken in turn from
the dev sample; once the sample is used up, articles come back perturbed (a
seeded tenth of their words replaced by other words of the sample) so that they
are near-duplicates, not copies. Each size runs in its own subprocess, so the
peak RSS (``ru_maxrss``) is that size's alone.

``--lead`` times ``lead`` alone on one core (CPU seconds of a process pinned to
one core, from empty caches), with the 300-word budget and with none, next to
lead as it was (every document cleaned and split whole, a context row over the
cluster's vocabulary per document, pysbd's own ``segment``; then the first
sentences taken) in the same process, and checks that both give the same summary.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT = ROOT.parent / "shared/data/multi_news_dev50/test.jsonl"
SYSTEMS = ["lead", "random", "lexrank", "textrank", "centroid", "mmr", "oracle"]
METRICS = ["rouge", "length", "extractiveness", "grounding"]
WORDS = 300


def _articles(data: str) -> tuple[list[list[str]], list[str]]:
    """Articles of each dev cluster, and each cluster's reference summary."""
    rows = [json.loads(line) for line in Path(data).read_text(encoding="utf-8").splitlines() if line.strip()]
    docs = [[a.strip() for a in r["document"].split("|||||") if a.strip()] for r in rows]
    return docs, [r["summary"].lstrip("– ") for r in rows]


def _perturb(text: str, rng: random.Random, vocab: list[str]) -> str:
    lines = []
    for line in text.split("\n"):
        words = line.split(" ")
        lines.append(" ".join(rng.choice(vocab) if w and rng.random() < 0.1 else w for w in words))
    return "\n".join(lines)


def build_cluster(data: str, scale: float = 1, articles: int | None = None, article_mb: float | None = None):
    """A synthetic cluster: ``scale`` clusters' worth of articles, ``articles``
    articles, or one article of ``article_mb`` MB (paragraphs of real text)."""
    from bench.model import Cluster, Document, Reference

    docs, summaries = _articles(data)
    vocab = sorted({w for d in docs for a in d for w in a.split() if w.isalpha()})
    pool = [a for d in docs for a in d]
    ref = Reference("big", "editor", (summaries[0],))

    def article(k: int) -> str:
        base = pool[k % len(pool)]
        return base if k < len(pool) else _perturb(base, random.Random(k), vocab)

    if article_mb is not None:
        parts, size, k = [], 0, 0
        while size < article_mb * 1e6:
            parts.append(article(k))
            size += len(parts[-1]) + 2
            k += 1
        texts = ["\n\n".join(parts)]
    elif articles is not None:
        texts = [article(k) for k in range(articles)]
    else:
        target = scale * sum(len(a.split()) for a in docs[0])
        texts, words, k = [], 0, 0
        while words < target:  # cluster 0 first: 1x is a real cluster
            texts.append(article(k))
            words += len(texts[-1].split())
            k += 1
    documents = tuple(Document(f"d{i}", t, source=f"outlet {i % 40}") for i, t in enumerate(texts))
    return Cluster("big", documents, title=None), (ref,)


def run_one(data: str, warm: bool = True, metrics: list[str] | None = None, **size) -> dict:
    """Every system and metric on one synthetic cluster, in this process."""
    from bench.budget import Budget, count_words
    from bench.plugins import ScoreItem
    from bench.plugins.discovery import discover

    reg = discover()
    global METRICS
    METRICS = metrics or METRICS
    if warm:
        _warm_up(data, reg)
    cluster, refs = build_cluster(data, **size)
    words = sum(count_words(d.text) for d in cluster.documents)
    out = {"words": words, "documents": len(cluster.documents), "mb": sum(len(d.text) for d in cluster.documents) / 1e6,
           "seconds": {}, "failed": {}}
    items = []
    for spec in SYSTEMS:
        system = reg.systems.create(spec).instance
        t = time.perf_counter()
        try:
            bullets = system.summarize(cluster, Budget(words=WORDS), refs if system.uses_references else ())
        except Exception as exc:  # recorded, as a run would
            out["failed"][spec] = f"{type(exc).__name__}: {exc}"[:200]
            bullets = []
        out["seconds"][spec] = time.perf_counter() - t
        items.append(ScoreItem(spec, cluster, tuple(bullets), refs))
    for name in METRICS:
        metric = reg.metrics.create(name).instance
        t = time.perf_counter()
        metric.score(items)
        out["seconds"][name] = time.perf_counter() - t
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _warm_up(data: str, reg) -> None:
    """Imports and first-use set-up (sklearn, pysbd, stemmers) outside the timings."""
    from bench.budget import Budget
    from bench.model import Cluster
    from bench.plugins import ScoreItem

    docs, summaries = _articles(data)
    cluster, refs = build_cluster(data, scale=0.2)
    small = Cluster("warm", tuple(d.__class__(d.id, t) for d, t in zip(cluster.documents, docs[1])))
    items = [ScoreItem(s, small, tuple(reg.systems.create(s).instance.summarize(small, Budget(words=50), refs)), refs)
             for s in SYSTEMS]
    for name in METRICS:
        reg.metrics.create(name).instance.score(items)


def lead_as_before(cluster, budget, n: int = 3, per_doc: bool = False, clean: bool = True) -> list[str]:
    """``lead`` as it was: every document cleaned (a context row over the cluster's whole
    vocabulary per document) and split whole (pysbd's own ``segment``), then the first
    sentences taken."""
    from bench.budget import apply_budget
    from bench.text.bullets import normalized
    from bench.text.limits import check_size
    from bench.text.sentences import split_sentences

    check_size(cluster, "lead")
    with _pysbd_as_before():
        if clean:
            cleaning = _cleaning_as_before()([d.text for d in cluster.documents], [d.title for d in cluster.documents])
            texts = [cleaning.text(d) for d in range(len(cluster.documents))]
        else:
            texts = [d.text for d in cluster.documents]
        every = [split_sentences(t) for t in texts]
    bullets: list[str] = []
    seen: set[str] = set()
    for sentences in every:
        fresh = [s for s in sentences if normalized(s) not in seen]
        take = fresh[:n] if per_doc else fresh[: n - len(bullets)]
        bullets.extend(take)
        seen.update(normalized(s) for s in take)
        if not per_doc and len(bullets) >= n:
            break
    return list(apply_budget(bullets, budget).bullets)


def _cleaning_as_before():
    """``ClusterCleaning`` as it was (a class made on first use: bench is imported late)."""
    from bench.text import clean

    class CleaningAsBefore(clean.ClusterCleaning):
        """The cleaning as it was: each document's rest-of-cluster row built over the whole
        vocabulary (time per document in the cluster's vocabulary: quadratic over a cluster)."""

        def _drift_sims(self, d: int) -> list[float]:
            import numpy as np
            from scipy.sparse import csr_matrix

            row = self._total - np.asarray(self._counts[d].sum(axis=0)).ravel()
            if self._titles[d]:
                row += self._vec.counts([self._titles[d]]).toarray().ravel()
            rest = np.asarray(self._vec.weigh(csr_matrix(row[None, :])).todense()).ravel()
            return clean._context_sims(self._vec.weigh(self._counts[d]), rest, float(rest @ rest))

    return CleaningAsBefore


@contextlib.contextmanager
def _pysbd_as_before():
    """Sentences found with pysbd's own ``segment`` (a regular expression compiled per sentence)."""
    from bench.text import sentences

    ours = sentences._segment
    sentences._segment = lambda text, language: sentences._segmenter(language).segment(text)
    try:
        yield
    finally:
        sentences._segment = ours


def time_lead(data: str, specs: list[str], **size) -> dict:
    """CPU seconds of each lead spec and of ``lead_as_before`` with its parameters, on one
    core, with the benchmark's word budget and with none (Multi-News First-k uncut)."""
    import os

    from bench.budget import Budget, count_words
    from bench.caches import reset_caches
    from bench.plugins.discovery import discover

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    reg = discover()
    cluster, _ = build_cluster(data, **size)
    warm, _ = build_cluster(data, scale=0.2)
    reg.systems.create("lead").instance.summarize(warm, Budget(words=WORDS))  # imports, pysbd's set-up
    out = {"words": sum(count_words(d.text) for d in cluster.documents), "documents": len(cluster.documents),
           "seconds": {}, "before": {}}
    for spec in specs:
        lead = reg.systems.create(spec).instance
        for budget in (Budget(words=WORDS), Budget()):
            label = f"{spec} ({budget.words or 'no'} words)"
            timed = {}
            for name, run in (("before", lambda: lead_as_before(cluster, budget, lead.n, lead.per_doc, lead.clean)),
                              ("seconds", lambda: lead.summarize(cluster, budget))):
                reset_caches()
                t = time.process_time()
                timed[name] = run()
                out[name][label] = time.process_time() - t
            if timed["seconds"] != timed["before"]:
                raise SystemExit(f"{label}: the summary differs from lead as it was")
    return out


def _print_lead(r: dict) -> None:
    if "error" in r:
        print(f"failed: {r['error']}")
        return
    k = r["words"] / 1000
    print(f"{r['documents']} articles, {r['words']:,d} words; CPU seconds on one core (same summaries):")
    for spec, now in r["seconds"].items():
        before = r["before"][spec]
        print(f"  {spec:30s} {now:5.2f} s {1000 * now / k:5.2f} ms/1k w  "
              f"before {before:6.2f} s x{before / now:4.1f}")


def _subprocess(data: str, size: dict, timeout: float) -> dict:
    cmd = [sys.executable, __file__, data, "--one", json.dumps(size)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout:.0f} s"}
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _print(label: str, r: dict) -> None:
    if "error" in r:
        print(f"{label:>12s}  failed: {r['error']}")
        return
    total = sum(r["seconds"].values())
    k = r["words"] / 1000
    print(f"{label:>12s}  {r['words']:>9,d} words {r['documents']:>5d} docs {r['mb']:6.1f} MB  "
          f"{total:8.1f} s  {1000 * total / k:8.1f} ms/1k words  peak RSS {r['peak_rss_mb']:7.0f} MB")
    worst = sorted(r["seconds"].items(), key=lambda kv: -kv[1])[:4]
    print(" " * 14 + "ms/1k words: " + ", ".join(f"{n} {1000 * s / k:.1f}" for n, s in worst))
    for spec, why in r["failed"].items():
        print(" " * 14 + f"{spec} failed: {why}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data", nargs="?", default=str(DEFAULT))
    ap.add_argument("--sizes", default="1,10,100", help="cluster sizes in multiples of a Multi-News cluster")
    ap.add_argument("--articles", type=int, help="one cluster of this many articles")
    ap.add_argument("--article-mb", type=float, help="one article of this many MB")
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--metrics", default=",".join(METRICS), help="metrics to time (comma-separated)")
    ap.add_argument("--lead", nargs="?", const="lead", metavar="SPECS",
                    help="time lead (or these comma-separated lead specs) against lead as it was")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # internal: one size in this process
    args = ap.parse_args()
    if args.one:
        size = json.loads(args.one)
        specs = size.pop("lead", None)
        print(json.dumps(time_lead(args.data, specs, **size) if specs else run_one(args.data, **size)))
        return
    if args.lead:
        size = {"articles": args.articles or 1000, "lead": args.lead.split(",")}
        _print_lead(_subprocess(args.data, size, args.timeout))
        return
    metrics = args.metrics.split(",")
    print(f"systems: {', '.join(SYSTEMS)}; metrics: {', '.join(metrics)}; budget {WORDS} words")
    if args.articles or args.article_mb:
        size = {"articles": args.articles} if args.articles else {"article_mb": args.article_mb}
        size["metrics"] = metrics
        _print(f"{args.articles} articles" if args.articles else f"{args.article_mb:g} MB doc",
               _subprocess(args.data, size, args.timeout))
        return
    for s in args.sizes.split(","):
        _print(f"{s}x", _subprocess(args.data, {"scale": float(s), "metrics": metrics}, args.timeout))


if __name__ == "__main__":
    main()
