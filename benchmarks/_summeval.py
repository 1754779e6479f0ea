"""SummEval's dev half (../shared/data/summeval_dev) as score items, and SummEval's agreement protocol.

Shared by the benchmarks that measure a metric against SummEval's expert
ratings. Protocol (Fabbri et al., TACL 2021; as G-Eval and UniEval report it):
summary level, Spearman and Kendall between metric and the experts' mean among
each article's summaries, averaged over articles (articles where either side is
constant are skipped and counted); system level, Kendall between the systems'
means.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.model import Cluster, Document, Reference
from bench.plugins import ScoreItem
from bench.text.bullets import text_to_bullets

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "summeval_dev"
DIMENSIONS = ("coherence", "consistency", "fluency", "relevance")


@dataclass
class SummEval:
    items: list[ScoreItem]  # references: the highlights' sentences ("highlights"), then crowd refs "crowd1".."crowd10"
    human: dict[str, list[float]]  # dimension -> the experts' mean, one per item
    texts: list[str]  # each summary as given (one string)
    system_type: list[str]  # extractive | abstractive


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load(folder: Path = DATA, articles: int | None = None) -> SummEval:
    """Every summary as a score item; ``articles`` keeps the first N articles in file order."""
    clusters = {c["id"]: c for c in _jsonl(folder / "clusters.jsonl")}
    keep = set(list(clusters)[:articles]) if articles else set(clusters)
    scores = {(s["cluster"], s["system"]): s for s in _jsonl(folder / "summary_scores.jsonl")}
    out = SummEval([], {d: [] for d in DIMENSIONS}, [], [])
    for s in _jsonl(folder / "summaries.jsonl"):
        if s["cluster"] not in keep:
            continue
        c = clusters[s["cluster"]]
        docs = tuple(Document(f"d{i}", t) for i, t in enumerate(c["documents"]))
        refs = (Reference(c["id"], "highlights", tuple(c["key_points"])),) + tuple(
            Reference(c["id"], f"crowd{k}", tuple(text_to_bullets(r)))
            for k, r in enumerate(c["references"][1:], 1) if r.strip())
        out.items.append(ScoreItem(s["system"], Cluster(c["id"], docs, c.get("title")),
                                   tuple(text_to_bullets(s["text"])), refs))
        out.texts.append(s["text"])
        out.system_type.append(s["system_type"])
        h = scores[(s["cluster"], s["system"])]
        for d in DIMENSIONS:
            out.human[d].append(float(h[d]))
    return out


def figures(values, human, clusters, systems) -> dict[str, float]:
    """SummEval protocol: mean per-article Spearman and Kendall, sample-level Spearman, system Kendall.

    NaN values (a failed score) are left out; ``skipped`` counts articles with a constant side.
    """
    from scipy.stats import kendalltau, spearmanr

    v, h = np.asarray(values, float), np.asarray(human, float)
    ok = np.isfinite(v)
    by_cluster = defaultdict(list)
    for i in np.flatnonzero(ok):
        by_cluster[clusters[i]].append(i)
    rhos, taus, skipped = [], [], 0
    for idx in by_cluster.values():
        if len(idx) < 2 or np.ptp(v[idx]) == 0 or np.ptp(h[idx]) == 0:
            skipped += 1
            continue
        rhos.append(spearmanr(v[idx], h[idx])[0])
        taus.append(kendalltau(v[idx], h[idx])[0])
    by_system = defaultdict(list)
    for i in np.flatnonzero(ok):
        by_system[systems[i]].append(i)
    names = sorted(by_system)
    # means rounded to 12 decimals: two systems whose means are equal in exact arithmetic tie, whatever the
    # float rounding of their sums (kp_recall's thirds: M14 and M15 on the dev half)
    sys_tau = kendalltau([round(float(v[by_system[s]].mean()), 12) for s in names],
                         [round(float(h[by_system[s]].mean()), 12) for s in names])[0]
    return {"rho": float(np.mean(rhos)) if rhos else float("nan"),
            "tau": float(np.mean(taus)) if taus else float("nan"),
            "sample_rho": float(spearmanr(v[ok], h[ok])[0]),
            "system_tau": float(sys_tau), "skipped": skipped, "n": int(ok.sum())}
