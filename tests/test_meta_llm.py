"""keypoints-llm details through `sumbench meta` (key-point level) and the report's key-point tables,
against the scripted judge server."""

from __future__ import annotations

import json
import re

import pytest
from sklearn import metrics as skm

from bench.runner.store import read_jsonl
from tests.judge_server import judge_server, judgment
from test_keypoints_llm_cli import QUAKE_BULLETS, QUAKE_KPS, VOTE_BULLETS, VOTE_KPS, outputs_file, spec, suite_dir, sumbench

SCRIPT = {"Markets rose.": judgment(("covered", [1, 3]), ("partly", [2]), ("not", []))}


def test_keypoints_llm_run_meta_and_report(tmp_path):
    suite = suite_dir(tmp_path / "suite", {"quake": {"editor": QUAKE_KPS}, "vote": {"editor": VOTE_KPS}})
    outputs = outputs_file(tmp_path / "outputs.jsonl", [
        ("sys-a", "quake", QUAKE_BULLETS), ("sys-a", "vote", VOTE_BULLETS),
        ("sys-b", "quake", ["Markets fell sharply."]), ("sys-b", "vote", ["The vote was 210 to 190."])])
    run = tmp_path / "run"
    with judge_server(SCRIPT) as server:
        sumbench("score", "-q", "--suite", str(suite), "--outputs", str(outputs), "--out", str(run),
                 "--metric", spec(server), "--metric", "rouge")
    human = {("quake", "sys-a"): [1, 0.5, 0], ("quake", "sys-b"): [0, 0, 1],
             ("vote", "sys-a"): [1, 1], ("vote", "sys-b"): [0, 1]}
    judgments = tmp_path / "j.jsonl"
    judgments.write_text("".join(json.dumps({"cluster": c, "system": s, "key_point": j, "present": p}) + "\n"
                                 for (c, s), ps in human.items() for j, p in enumerate(ps)))
    data = json.loads(sumbench("meta", str(run), "-j", str(judgments), "-f", "json", "--resamples", "50").stdout)
    (kp,) = data["keypoints"]
    assert kp["metric"].startswith("keypoints-llm") and kp["partial"] == 1
    details = {(r["cluster"], r["system"]): r["details"] for r in read_jsonl(run / "scores.jsonl")
               if r["metric"].startswith("keypoints-llm")}
    pred, true, graded = [], [], []
    for (c, s), ps in human.items():
        for j, p in enumerate(ps):
            if p != 0.5:
                row = details[c, s]["references"]["editor"]["keypoints"][j]
                pred.append(row["covered"]), true.append(p), graded.append(row["score"])
    assert kp["n"] == len(true) == 9
    assert kp["kappa"]["value"] == pytest.approx(skm.cohen_kappa_score(true, pred))
    assert kp["balanced_accuracy"]["value"] == pytest.approx(skm.balanced_accuracy_score(true, pred))
    assert kp["auc"] == pytest.approx(skm.roc_auc_score(true, graded))
    names = {v["name"] for v in data["values"]}
    assert "rouge1" in names and any(n.startswith("keypoints-llm:") and n.endswith("/kp_recall_graded") for n in names)
    data = json.loads(sumbench("meta", str(run), "-j", str(judgments), "-f", "json", "--resamples", "20",
                               "--compare", "kp_recall,rouge1").stdout)
    assert data["differences"][0]["a"].endswith("/kp_recall") and data["differences"][0]["b"] == "rouge1"

    out = tmp_path / "report.html"
    sumbench("report", str(run), "-o", str(out))
    page = (tmp_path / "report_files" / "run0-c0.html").read_text()
    assert "Cluster quake" in page and "1/3 key points covered · keypoints-llm" in page
    rows = re.findall(r'<tr class="(hit|miss|part)"><td>(\d)\. ([^<]*)</td>\s*<td><span class="cov">(\w+)</span> '
                      r'([^<]*)<br><span class="meta">([^<]*)</span></td></tr>', page)
    assert rows[:3] == [("hit", "1", QUAKE_KPS[0], "yes", "1.00", "bullets 1, 3"),
                        ("part", "2", QUAKE_KPS[1], "partly", "0.50", "bullet 2"),
                        ("miss", "3", QUAKE_KPS[2], "no", "0.00", "no bullet")]
    assert page.count('class="chip kp" title="states KP 1: A quake hit the coast on Monday."') == 2
    assert 'class="chip kp-part" title="states KP 2: At least 12 people died.">KP 2 (partly)<' in page
