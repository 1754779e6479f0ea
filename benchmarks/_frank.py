"""FRANK's validation split (../shared/data/frank_dev) as score items, and FRANK's agreement protocol.

Shared by faithfulness_calibrate.py and faithfulness_human.py. Partial
correlation: each system's mean is removed from metric and human score before
Pearson, per data set (cnndm, xsum), as in Pagnoni et al. (NAACL 2021).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.model import Cluster, Document
from bench.plugins import ScoreItem

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "frank_dev"
BASELINES = {"FactCC": "FactCC", "BERTScore-P vs article": "BertScore P Art", "DAE": "Dep Entail", "QAGS": "QAGS"}


@dataclass
class Frank:
    items: list[ScoreItem]
    human: list[float]  # share of sentences without a factual error
    dataset: list[str]  # cnndm | xsum
    baselines: list[dict]


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load(folder: Path = DATA) -> Frank:
    clusters = {c["id"]: c for c in _jsonl(folder / "clusters.jsonl")}
    scores = {(s["cluster"], s["system"]): s for s in _jsonl(folder / "summary_scores.jsonl")}
    base = {(s["cluster"], s["system"]): s for s in _jsonl(folder / "baselines.jsonl")}
    out = Frank([], [], [], [])
    for s in _jsonl(folder / "summaries.jsonl"):
        c = clusters[s["cluster"]]
        docs = tuple(Document(f"d{i}", t) for i, t in enumerate(c["documents"]))
        out.items.append(ScoreItem(s["system"], Cluster(c["id"], docs, c.get("title")), tuple(s["bullets"]), ()))
        h = scores[(s["cluster"], s["system"])]
        out.human.append(float(h["factuality"]))
        out.dataset.append(h["dataset"])
        out.baselines.append(base.get((s["cluster"], s["system"]), {}))
    return out


def partial_pearson(values, human, systems) -> float:
    """Pearson of metric and human score after removing each system's mean from both (NaN rows left out);
    NaN where either side is constant within every system (a value that says nothing here)."""
    x, y = np.asarray(values, float), np.asarray(human, float)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y, systems = x[keep], y[keep], np.asarray(systems)[keep]
    for s in set(systems.tolist()):
        idx = systems == s
        x[idx] -= x[idx].mean()
        y[idx] -= y[idx].mean()
    if len(x) == 0 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def system_tau(values, human, systems) -> float:
    from scipy.stats import kendalltau

    by = defaultdict(list)
    for v, h, s in zip(values, human, systems):
        if np.isfinite(v):
            by[s].append((v, h))
    names = sorted(by)
    return float(kendalltau([np.mean([v for v, _ in by[s]]) for s in names],
                            [np.mean([h for _, h in by[s]]) for s in names])[0])


def figures(values, frank: Frank) -> dict[str, float]:
    """Partial Pearson per data set, system tau (CNN/DM) and AUC of fully factual summaries."""
    from bench.stats.agreement import roc_auc

    out = {}
    for ds in ("cnndm", "xsum"):
        idx = [i for i, d in enumerate(frank.dataset) if d == ds]
        v = [values[i] for i in idx]
        h = [frank.human[i] for i in idx]
        s = [frank.items[i].system for i in idx]
        out[f"{ds}_partial"] = partial_pearson(v, h, s)
        out[f"{ds}_system_tau"] = system_tau(v, h, s)
        ok = [i for i in idx if np.isfinite(values[i])]
        out[f"{ds}_auc"] = roc_auc([values[i] for i in ok], [frank.human[i] == 1.0 for i in ok])
    return out
