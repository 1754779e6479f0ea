"""sumbench compare on constructed run directories."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from bench.cli import app
from bench.compare import CompareError
from bench.compare.build import compare_runs
from fake_runs import write_run

BASE = {f"c{i:02d}": float(v) for i, v in enumerate(np.random.default_rng(1).uniform(0.2, 0.5, 30))}


def shifted(delta: float) -> dict[str, float]:
    return {c: v + delta for c, v in BASE.items()}


def noisy(scale: float, seed: int) -> dict[str, float]:
    noise = np.random.default_rng(seed).normal(0, scale, len(BASE))
    return {c: v + float(e) for (c, v), e in zip(BASE.items(), noise)}


def test_groups_and_holm_in_a_run(tmp_path):
    run = write_run(tmp_path / "r", {"base": BASE, "twin": dict(BASE), "better": shifted(0.05),
                                      "oracle": shifted(0.3)}, upper_bound=("oracle",))
    comp = compare_runs([run])
    (m,) = comp.metrics
    names = [s.entry.name for s in m.entries]
    assert names[0] == "better" and names[-1] == "oracle"  # oracle listed, not ranked
    oracle = m.entries[-1]
    assert oracle.rank is None and oracle.group == "" and oracle.mean == pytest.approx(np.mean(list(BASE.values())) + 0.3)
    assert all("oracle" not in (p.a, p.b) for p in m.pairs)
    by_pair = {frozenset((p.a, p.b)): p for p in m.pairs}
    twins = by_pair[frozenset(("base", "twin"))]
    assert not twins.significant and twins.result.p_value == 1.0 and twins.result.ties == 30
    win = by_pair[frozenset(("better", "base"))]
    assert win.significant and win.result.wins == 30 and win.a == "better"
    groups = {s.entry.name: s.group for s in m.entries}
    assert groups["base"] == groups["twin"] != groups["better"]
    ranks = {s.entry.name: s.rank for s in m.entries}
    assert ranks["better"] == (1, 1) and ranks["base"] == (2, 3) == ranks["twin"]
    raw = sorted(p.result.p_value for p in m.pairs)
    holm = sorted(p.p_holm for p in m.pairs)
    assert holm[0] == pytest.approx(min(1.0, 3 * raw[0]))


def test_same_system_across_runs(tmp_path):
    a = write_run(tmp_path / "a", {"sys": BASE, "other": BASE})
    b = write_run(tmp_path / "b", {"sys": shifted(0.02)})
    comp = compare_runs([a, b], systems=["sys"])
    (pair,) = comp.metrics[0].pairs
    assert {pair.a, pair.b} == {"sys @ a", "sys @ b"} and pair.a == "sys @ b"
    assert pair.significant and pair.result.n == 30


def test_refuses_different_suites_and_signatures(tmp_path):
    a = write_run(tmp_path / "a", {"sys": BASE})
    b = write_run(tmp_path / "b", {"sys": BASE}, fingerprint="a1b2" + "0" * 60)
    with pytest.raises(CompareError, match=r"suites differ: fingerprint ffffffff… .* vs a1b20000…"):
        compare_runs([a, b])
    sig = {"metric": "rouge", "params": {"stemmer": False}, "stemming": "none"}
    c = write_run(tmp_path / "c", {"sys": BASE}, signature=sig, signature_hash="sig2")
    with pytest.raises(CompareError, match=r"rouge signature differs: .*stemming porter \(tokens > 3 chars\) vs none"):
        compare_runs([a, c])


def test_unknown_system_and_metric(tmp_path):
    a = write_run(tmp_path / "a", {"x": BASE, "y": BASE})
    with pytest.raises(CompareError, match="no system 'z'"):
        compare_runs([a], systems=["x", "z"])
    with pytest.raises(CompareError, match="no metric value 'bleu'"):
        compare_runs([a], metrics=["bleu"])
    with pytest.raises(CompareError, match="only one system"):
        compare_runs([a], systems=["x"])


def test_cli_formats_and_seed(tmp_path):
    run = write_run(tmp_path / "r", {"a": noisy(0.05, 2), "b": noisy(0.05, 3), "c": shifted(0.1)}, seed=4)
    cli = CliRunner()
    out = {}
    for fmt in ("text", "markdown", "csv", "latex", "json"):
        res = cli.invoke(app, ["compare", str(run), "--format", fmt, "--metric", "rouge1"])
        assert res.exit_code == 0, res.output
        out[fmt] = res.output
    data = json.loads(out["json"])
    assert data["seed"] == 4 and data["resamples"] == 1000
    assert [s["name"] for s in data["metrics"][0]["systems"]][0] == "c"
    rows = list(csv.DictReader(io.StringIO(out["csv"])))
    assert {r["kind"] for r in rows} == {"system", "pair"} and len(rows) == 6
    assert "\\begin{tabular}" in out["latex"] and "| rank | group |" in out["markdown"]
    assert "seed 4" in out["text"] and "Holm" in out["text"]
    again = cli.invoke(app, ["compare", str(run), "-f", "json", "--seed", "4"]).output
    assert again == out["json"]
    other = json.loads(cli.invoke(app, ["compare", str(run), "-f", "json", "--seed", "5"]).output)
    assert other["metrics"][0]["systems"][0]["ci"] != data["metrics"][0]["systems"][0]["ci"]
    bad = cli.invoke(app, ["compare", str(run), str(write_run(tmp_path / "s", {"a": BASE}, fingerprint="0" * 64))])
    assert bad.exit_code == 1 and "suites differ" in bad.output
