"""The people's split-half reliability in sumbench meta: checked against every split of a small set,
left out where too few clusters or systems are rated, and carried by every format."""

from __future__ import annotations

import csv
import io
import itertools
import json

import numpy as np
import pytest
from scipy import stats as sps

from bench.meta.reliability import split_half
from bench.suites.local import load_suite_dir
from conftest import make_suite
from fake_runs import write_run
from test_meta_dimensions import cli, setup


def every_split(H):
    """tau of each way to cut the clusters into two halves (an odd one out left out), by scipy."""
    n = len(H)
    out = []
    for first in itertools.combinations(range(n), n // 2):
        rest = [c for c in range(n) if c not in first]
        for second in itertools.combinations(rest, n // 2):
            a, b = np.nanmean(H[list(first)], axis=0), np.nanmean(H[list(second)], axis=0)
            out.append(sps.kendalltau(a, b).statistic)
    return np.array(out)


def test_agrees_with_every_split():
    rng = np.random.default_rng(7)
    H = rng.integers(1, 6, size=(6, 5)).astype(float)
    exact = every_split(H)
    got = split_half("coherence", H, seed=0, halvings=4000)
    assert (got.clusters, got.systems, got.halvings) == (6, 5, 4000)
    # each halving is one of the splits, drawn uniformly: the mean is theirs up to sampling error
    assert got.split_half_tau.value == pytest.approx(exact.mean(), abs=0.03)
    assert set(np.round([got.split_half_tau.low, got.split_half_tau.high], 9)) <= set(np.round(exact, 9))
    assert split_half("coherence", H, seed=0, halvings=4000) == got  # seeded


def test_odd_cluster_left_out_and_unrated_left_out():
    H = np.array([[1, 2, 3], [2, 1, 3], [1, 3, 2], [1, 2, 3], [3, 1, 2], [np.nan] * 3])
    exact = every_split(H[:5])  # the unrated cluster is no cluster here; of 5, one sits out each halving
    got = split_half("fluency", H, seed=1, halvings=3000)
    assert got.clusters == 5
    # a halving where one half rates every system alike has no tau: left out, never counted as 0
    assert not np.isfinite(exact).all()
    assert got.split_half_tau.value == pytest.approx(np.nanmean(exact), abs=0.03)
    agreeing = np.ones((4, 3)) * [1, 2, 3]
    assert split_half("x", agreeing, seed=0).split_half_tau.value == pytest.approx(1.0)


def test_too_few_clusters_or_systems():
    assert split_half("x", np.ones((3, 4)) * [1, 2, 3, 4], seed=0) is None  # 3 clusters
    assert split_half("x", np.ones((8, 2)) * [1, 2], seed=0) is None  # 2 systems
    assert split_half("x", np.full((6, 4), 3.0), seed=0) is None  # every halving ties: undefined


def test_formats_carry_it(tmp_path):
    rng = np.random.default_rng(3)
    run, path = setup(tmp_path)
    data = json.loads(cli("meta", run, "--judgments", path, "-f", "json", "--resamples", "20").stdout)
    # three clusters: too few to halve
    assert data["reliability"] == []
    # a 6-cluster set: each dimension gets its row
    suite_dir = make_suite(tmp_path / "suite6", clusters=6)
    clusters = [c.id for c in load_suite_dir(suite_dir).clusters]
    systems = ("s0", "s1", "s2", "s3")
    scores = {s: {c: float(rng.random()) for c in clusters} for s in systems}
    run6 = write_run(tmp_path / "run6", scores, fingerprint=load_suite_dir(suite_dir).fingerprint(),
                     source=str(suite_dir))
    ratings = {d: rng.integers(1, 6, size=(6, 4)).astype(float) for d in ("coherence", "relevance")}
    judged = tmp_path / "j6.jsonl"
    judged.write_text("".join(json.dumps({"cluster": c, "system": s, **{d: ratings[d][i, k] for d in ratings}})
                              + "\n" for i, c in enumerate(clusters) for k, s in enumerate(systems)))
    data = json.loads(cli("meta", run6, "--judgments", judged, "-f", "json", "--resamples", "20").stdout)
    rows = {r["dimension"]: r for r in data["reliability"]}
    assert set(rows) == {"coherence", "relevance"}
    for d, r in rows.items():
        assert (r["clusters"], r["systems"]) == (6, 4)
        assert r["split_half_tau"]["value"] == pytest.approx(split_half(d, ratings[d], seed=0).split_half_tau.value)
    table = cli("meta", run6, "--judgments", judged, "-f", "csv", "--resamples", "20").stdout
    got = [r for r in csv.DictReader(io.StringIO(table)) if r["figure"] == "human_split_half_tau"]
    assert [r["dimension"] for r in got] == ["coherence", "relevance"]
    assert float(got[0]["value"]) == pytest.approx(rows["coherence"]["split_half_tau"]["value"])
    text = cli("meta", run6, "--judgments", judged, "--resamples", "20", COLUMNS="80").stdout
    assert "split-half tau" in text and "people's own system ranking" in text
    assert max(len(line) for line in text.splitlines()) <= 80
    md = cli("meta", run6, "--judgments", judged, "-f", "markdown", "--resamples", "20").stdout
    assert "| dimension | clusters | systems | split-half tau | 95% of halvings |" in md
