"""Write small run directories by hand for statistical and report tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROUGE_SIG = {"metric": "rouge", "params": {"stemmer": True}, "stemming": "porter (tokens > 3 chars)"}


def write_run(
    root: Path,
    scores: dict[str, dict[str, float]],  # system -> cluster -> rouge1 value
    *,
    fingerprint: str = "f" * 64,
    signature: dict[str, Any] | None = None,
    signature_hash: str = "sig1",
    upper_bound: tuple[str, ...] = (),
    seed: int = 0,
    bullets: dict[str, dict[str, list[str]]] | None = None,
    details: dict[str, dict[str, Any]] | None = None,  # system -> cluster -> details
    failed: dict[str, dict[str, str]] | None = None,  # system -> cluster -> error
    source: str = "",
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    clusters = sorted({c for per in scores.values() for c in per} | {c for per in (failed or {}).values() for c in per})
    manifest = {
        "format_version": 1,
        "suite": {"name": "fake", "source": source, "fingerprint": fingerprint, "clusters": len(clusters),
                  "limit": None},
        "budget": {"words": 100, "bullets": None},
        "seed": seed,
        "systems": {s: {"label": s, "name": s, "params": {}, "upper_bound": s in upper_bound, "status": "ok"}
                    for s in scores},
        "metrics": {"rouge": {"label": "rouge", "name": "rouge", "signature": signature or ROUGE_SIG,
                              "signature_hash": signature_hash, "headline": ["rouge1"], "lower_is_better": [],
                              "percent": True, "status": "ok"}},
        "status": "complete",
        "invocations": [],
    }
    (root / "manifest.json").write_text(json.dumps(manifest))
    with (root / "summaries.jsonl").open("w") as summ, (root / "scores.jsonl").open("w") as sc:
        for system, per in scores.items():
            for cluster in clusters:
                key = f"{system}|{cluster}"
                err = (failed or {}).get(system, {}).get(cluster)
                if err is not None:
                    summ.write(json.dumps({"key": key, "system": system, "cluster": cluster, "status": "failed",
                                           "error": err}) + "\n")
                    continue
                if cluster not in per:
                    continue
                text = (bullets or {}).get(system, {}).get(cluster, [f"{system} says something about {cluster}."])
                summ.write(json.dumps({"key": key, "system": system, "cluster": cluster, "status": "ok",
                                       "bullets": text, "truncated": False}) + "\n")
                rec = {"key": key + "|rouge", "summary_key": key, "system": system, "cluster": cluster,
                       "metric": "rouge", "signature": signature_hash, "status": "ok",
                       "values": {"rouge1": per[cluster]}}
                det = (details or {}).get(system, {}).get(cluster)
                if det is not None:
                    rec["details"] = det
                sc.write(json.dumps(rec) + "\n")
    return root
