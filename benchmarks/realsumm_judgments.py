"""Turn a folder of human key-point judgments (REALSumm, SummHay) into sumbench inputs.

    python benchmarks/realsumm_judgments.py ../shared/data/realsumm_dev50 results/meta/realsumm
    python benchmarks/realsumm_judgments.py ../shared/data/summhay_conv_dev results/meta/summhay

writes into the output folder:

- suite.jsonl: a generic suite, columns id, title, documents, reference (the study's
  reference summary; the key points when there is none) and key_points (the judged key
  points); ``--columns reference=reference+key_points`` loads both, as references named
  after their columns, and each metric picks its own with ``refs=``;
- outputs.jsonl: every judged summary, for ``sumbench score --outputs``;
- judgments.jsonl: per-summary human scores (REALSumm's pyramid_recall) and per key point
  labels (present 0/1; SummHay's coverage full/partial/not as 1/0.5/0), indexed into
  the reference ``key_points``.

and prints the sumbench commands that reproduce the measurement. Only the files of the
given folder are read.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

COVERAGE = {"full": 1, "partial": 0.5, "not": 0}


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write(path: Path, records: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def convert(src: Path, out: Path) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    clusters = read(src / "clusters.jsonl")
    suite, remap = [], {}
    for c in clusters:
        kept = [(i, k.strip()) for i, k in enumerate(c["key_points"]) if k.strip()]
        remap[c["id"]] = {old: new for new, (old, _) in enumerate(kept)}  # indices after dropping empty ones
        key_points = [k for _, k in kept]
        documents = c.get("documents") or [c.get("topic") or c.get("title") or "(no source documents)"]
        suite.append({"id": c["id"], "title": c.get("title", ""), "documents": documents,
                      "reference": c.get("reference") or key_points, "key_points": key_points})
    write(out / "suite.jsonl", suite)
    write(out / "outputs.jsonl", [{"cluster": s["cluster"], "system": s["system"], "bullets": s["bullets"]}
                                  for s in read(src / "summaries.jsonl")])
    scores = []
    if (src / "summary_scores.jsonl").is_file():
        scores = [{"cluster": s["cluster"], "system": s["system"], "score": s["pyramid_recall"]}
                  for s in read(src / "summary_scores.jsonl")]
    labels = []
    for lab in read(src / "keypoint_labels.jsonl"):
        if lab["key_point"] not in remap[lab["cluster"]]:
            continue  # an empty key point
        present = lab["present"] if "present" in lab else COVERAGE[lab["coverage"]]
        labels.append({"cluster": lab["cluster"], "system": lab["system"],
                       "key_point": remap[lab["cluster"]][lab["key_point"]], "present": present,
                       "reference": "key_points", "text": lab.get("text", "")})
    write(out / "judgments.jsonl", scores + labels)
    return {"clusters": len(suite), "scores": len(scores), "labels": len(labels),
            "original_reference": int(any(c.get("reference") for c in clusters))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source", type=Path, help="folder with clusters.jsonl, summaries.jsonl, keypoint_labels.jsonl")
    ap.add_argument("out", type=Path, help="output folder")
    args = ap.parse_args()
    n = convert(args.source, args.out)
    o = args.out
    print(f"{o}: {n['clusters']} clusters, {n['scores']} summary scores, {n['labels']} key-point labels")
    print("# one run, two references per cluster: ROUGE and BERTScore against the reference summary, as published,")
    print("# keypoints against the judged key points; then agreement at key-point, summary and system level")
    print(f"sumbench score -q --suite {o}/suite.jsonl --format generic --columns reference=reference+key_points "
          f"--outputs {o}/outputs.jsonl --out {o}/run "
          "--metric rouge:refs=reference --metric bertscore:refs=reference --metric keypoints:refs=key_points")
    print(f"sumbench meta {o}/run --judgments {o}/judgments.jsonl --compare keypoints:refs=key_points/kp_recall,"
          "rouge:refs=reference/rouge2_recall")

if __name__ == "__main__":
    main()
