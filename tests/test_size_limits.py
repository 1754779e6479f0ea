"""Issue 12 item 7: a document too large to prepare fails its cluster early, with the reason."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from bench.budget import Budget
from bench.model import Cluster, Document, Reference
from bench.plugins import ItemFailure, ScoreItem
from bench.plugins.discovery import discover
from bench.text import limits

PARAGRAPH = ("The council approved the budget on Monday after a long debate in the town hall. "
             "Officials said taxes would rise next year, and residents protested outside.\n\n")


def _cluster(words: int) -> Cluster:
    n = words // len(PARAGRAPH.split()) + 1
    return Cluster("big", (Document("small", PARAGRAPH), Document("huge", PARAGRAPH * n)))


def test_small_limits_name_document_size_limit_and_system():
    cluster = _cluster(5_000)
    with pytest.raises(limits.TooLarge) as err:
        limits.check_size(cluster, "lexrank", max_document_words=1_000)
    msg = str(err.value)
    assert "document 'huge' of 5," in msg and "exceeds the 1,000-word limit of lexrank" in msg
    with pytest.raises(limits.TooLarge, match="cluster 'big' of 2 documents .* 3,000-word limit of mmr"):
        limits.check_size(cluster, "mmr", max_cluster_words=3_000)
    limits.check_size(cluster, "lexrank", max_document_words=10_000, max_cluster_words=10_000)


def test_real_oversized_document_fails_every_system_and_metric_early():
    """A document over MAX_DOCUMENT_WORDS (2.1M words, 14 MB): each system and metric
    fails the cluster with the reason, in seconds and without allocating for it."""
    code = textwrap.dedent(f"""
        import resource, sys, time
        sys.path.insert(0, {str(__import__("pathlib").Path(__file__).parent)!r})
        from test_size_limits import _cluster, run_all
        from bench.text import limits
        cluster = _cluster(limits.MAX_DOCUMENT_WORDS + 100_000)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t = time.perf_counter()
        reasons = run_all(cluster)
        print(time.perf_counter() - t, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)
        for r in reasons: print(r)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.strip().splitlines()
    seconds, grown_mb = map(float, lines[0].split())
    reasons = lines[1:]
    assert len(reasons) == 9
    for r in reasons:
        assert "document 'huge' of 2.1M words exceeds the 2,000,000-word limit of " in r, r
    assert grown_mb < 300  # the text itself is 14 MB; nothing was prepared
    del seconds  # no timing assertions; printed for the curious


def run_all(cluster) -> list[str]:
    """Every built-in extractive system and lexical metric's failure reason on ``cluster``."""
    reg = discover()
    refs = (Reference(cluster.id, "a", ("The council approved the budget.",)),)
    reasons = []
    for spec in ["lead", "random", "lexrank", "textrank", "centroid", "mmr", "oracle"]:
        system = reg.systems.create(spec).instance
        try:
            system.summarize(cluster, Budget(words=100), refs)
            reasons.append(f"{spec}: no failure")
        except limits.TooLarge as exc:
            reasons.append(str(exc))
    item = ScoreItem("lead", cluster, ("The council approved the budget.",), refs)
    for name in ["grounding", "extractiveness"]:
        [r] = reg.metrics.create(name).instance.score([item])
        reasons.append(r.reason if isinstance(r, ItemFailure) else f"{name}: no failure")
    return reasons
