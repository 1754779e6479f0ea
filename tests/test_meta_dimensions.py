"""sumbench meta with named rating dimensions (SummEval's coherence, consistency ...): figures checked by hand,
skipped clusters counted, formats carrying the dimension, and bad ratings as FILE:LINE:FIELD errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as sps
from typer.testing import CliRunner

from bench.cli import app
from bench.suites.local import load_suite_dir
from conftest import make_suite
from fake_runs import write_run

# rouge1 of systems s0, s1, s2 in clusters c0, c1, c2
METRIC = {"c0": (0.1, 0.2, 0.3), "c1": (0.3, 0.2, 0.1), "c2": (0.1, 0.2, 0.3)}
RATINGS = {  # per cluster, s0, s1, s2; None: not rated
    "coherence": {"c0": (1, 2, 3), "c1": (1, 2, 3), "c2": (1, 3, 2)},
    "consistency": {"c0": (5, 5, 5), "c1": (3, 2, 1), "c2": (3, 2, 1)},  # constant in c0: skipped
    "fluency": {"c0": (None, 1, 2), "c1": (3, 3, 3), "c2": (2, 1, 3)},
}
SYSTEMS = ("s0", "s1", "s2")


def cli(*args, **env):
    return CliRunner().invoke(app, [str(a) for a in args], env=env or None)


def setup(tmp_path, extra: dict | None = None):
    suite_dir = make_suite(tmp_path / "suite", clusters=3)
    scores = {s: {c: METRIC[c][i] for c in METRIC} for i, s in enumerate(SYSTEMS)}
    run = write_run(tmp_path / "run", scores, fingerprint=load_suite_dir(suite_dir).fingerprint(),
                    source=str(suite_dir))
    if extra:  # more values per summary: name -> cluster -> per system
        lines = [json.loads(x) for x in (run / "scores.jsonl").read_text().splitlines()]
        for rec in lines:
            rec["values"].update({k: v[rec["cluster"]][SYSTEMS.index(rec["system"])] for k, v in extra.items()})
        (run / "scores.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))
    path = tmp_path / "judgments.jsonl"
    path.write_text("".join(json.dumps({"cluster": c, "system": s, "experts": [[1, 2]], "note": "x",
                                        **{d: RATINGS[d][c][i] for d in RATINGS}}) + "\n"
                            for c in METRIC for i, s in enumerate(SYSTEMS)))
    return run, path


def test_each_dimension_by_hand(tmp_path):
    run, path = setup(tmp_path)
    res = cli("meta", run, "--judgments", path, "-f", "json", "--resamples", "50")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["dimensions"] == ["coherence", "consistency", "fluency"]  # file order; experts, note ignored
    assert data["rated"] == {"coherence": 9, "consistency": 9, "fluency": 8} and data["unrated"]["fluency"] == 1
    v = {x["dimension"]: x for x in data["values"] if x["name"] == "rouge1"}
    # coherence: c0 rho 1 tau 1, c1 rho -1 tau -1, c2 rho 0.5 tau 1/3
    assert v["coherence"]["summary_rho"]["value"] == pytest.approx(0.5 / 3)
    assert v["coherence"]["summary_tau"]["value"] == pytest.approx((1 / 3) / 3)
    assert (v["coherence"]["clusters"], v["coherence"]["clusters_skipped"]) == (3, 0)
    # consistency: c0 constant (skipped, counted); c1 rho 1, c2 rho -1
    assert v["consistency"]["summary_rho"]["value"] == pytest.approx(0.0)
    assert (v["consistency"]["clusters"], v["consistency"]["clusters_skipped"]) == (2, 1)
    assert v["consistency"]["system_tau"]["value"] == pytest.approx(-1.0)  # means 3.67, 3, 2.33 vs 0.17, 0.2, 0.23
    # fluency: c0 without s0 (rho 1, tau 1), c1 constant (skipped), c2 rho 0.5, tau 1/3
    assert v["fluency"]["summary_rho"]["value"] == pytest.approx(0.75)
    assert v["fluency"]["summary_tau"]["value"] == pytest.approx(2 / 3)
    assert (v["fluency"]["summaries"], v["fluency"]["clusters"], v["fluency"]["clusters_skipped"]) == (8, 2, 1)
    # sample level: one Spearman over the rated summaries
    m = [x for c in METRIC for x in METRIC[c]]
    for dim in RATINGS:
        h = [x for c in METRIC for x in RATINGS[dim][c]]
        keep = [i for i, x in enumerate(h) if x is not None]
        rho = sps.spearmanr([m[i] for i in keep], [h[i] for i in keep]).statistic
        assert v[dim]["sample_rho"]["value"] == pytest.approx(rho)
    assert v["coherence"]["system_tau"]["value"] == pytest.approx(1.0)


def test_dimension_option_formats_and_paired_tests(tmp_path):
    run, path = setup(tmp_path, {"good": RATINGS["coherence"], "flat": {c: (1, 1, 1) for c in METRIC}})
    res = cli("meta", run, "-j", path, "-f", "csv", "--dimension", "fluency,coherence", "--resamples", "40",
              "--compare", "good,rouge1")
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert {r["dimension"] for r in rows} == {"fluency", "coherence"}
    diffs = [(r["dimension"], r["level"], r["metric"], r["metric_b"]) for r in rows if r["figure"] == "tau_difference"]
    assert diffs == [("fluency", lvl, "good", "rouge1") for lvl in ("summary", "system")] + [
        ("coherence", lvl, "good", "rouge1") for lvl in ("summary", "system")]
    coh = {(r["level"], r["figure"]): r for r in rows if r["metric"] == "good" and r["dimension"] == "coherence"}
    assert float(coh["summary", "spearman"]["value"]) == pytest.approx(1.0)
    assert float(coh["summary", "kendall_tau_b"]["value"]) == pytest.approx(1.0)
    flat = [r for r in rows if r["metric"] == "flat" and r["figure"] == "spearman" and r["level"] == "summary"]
    assert all(r["value"] == "" and r["skipped"] == "3" for r in flat)  # constant metric: every cluster skipped
    res = cli("meta", run, "-j", path, "-f", "markdown", "-d", "consistency", "--resamples", "20")
    assert res.exit_code == 0 and "### consistency: Summary level" in res.stdout, res.output
    assert "coherence:" not in res.stdout
    res = cli("meta", run, "-j", path, "--resamples", "20", COLUMNS="80")
    assert res.exit_code == 0, res.output
    assert max(len(x) for x in res.stdout.splitlines()) <= 80
    for dim in RATINGS:
        assert f"{dim}: Summary level" in res.stdout and f"{dim}: System level" in res.stdout
    res = cli("meta", run, "-j", path, "--dimension", "coherense")
    assert res.exit_code == 1 and "no rating dimension 'coherense'" in res.output
    assert "Did you mean: coherence?" in res.output and "Traceback" not in res.output


def test_plain_score_and_key_point_labels_keep_their_dimension(tmp_path):
    run, _ = setup(tmp_path)
    path = tmp_path / "j.jsonl"
    path.write_text('{"cluster": "c0", "system": "s0", "score": 1, "votes": "3 of 5"}\n'
                    '{"cluster": "c0", "system": "s1", "score": 2}\n{"cluster": "c0", "system": "s2", "score": 3}\n'
                    '{"cluster": "c1", "system": "s0", "key_point": 0, "present": 1, "workers": 3}\n')
    res = cli("meta", run, "-j", path, "-f", "json", "--resamples", "20")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["dimensions"] == ["score"] and data["derived"] == 1
    assert {v["dimension"] for v in data["values"]} == {"score"}
    res = cli("meta", run, "-j", path, "--resamples", "20")
    assert "Summary level" in res.stdout and "score: Summary level" not in res.stdout


BAD = [
    ('{"cluster": "c0", "system": "s0", "coherence": NaN}', "1:coherence", "finite number"),
    ('{"cluster": "c0", "system": "s0", "coherence": 3}\n{"cluster": "c0", "system": "s1", "coherence": "high"}',
     "2:coherence", 'got "high"'),
    ('{"cluster": "c0", "system": "s0", "coherence": 3}\n{"cluster": "c0", "system": "s1", "coherence": Infinity}',
     "2:coherence", "finite number"),
    ('{"cluster": "c0", "system": "s0", "coherence": 3}\n{"cluster": "c0", "system": "s1", "coherence": true}',
     "2:coherence", "got true"),
    ('{"cluster": "c0", "system": "s0", "coherence": 3, "fluency": 2}\n'
     '{"cluster": "c0", "system": "s1", "coherence": 3}', "2:fluency", "missing rating 'fluency' (line 1 has it)"),
    ('{"cluster": "c0", "system": "s0", "coherence": 3}\n\n{"cluster": "c1", "system": "s1", "fluency": 2}',
     "1:fluency", "line 3 has it"),
    ('{"cluster": "c0", "system": "s0", "coherence": 3}\n{"cluster": "c0", "system": "s0", "coherence": 4}',
     "2:coherence", "first on line 1"),
    ('{"cluster": "c0", "system": "s0", "note": "fine"}', "1:note", "no rating"),
    ('{"cluster": "c0", "system": "s0", "coherence": 3}\n'
     '{"cluster": "c0", "system": "s1", "coherence": 4, "key_point": 0, "present": 1}', "2:coherence",
     "its summary's own line"),
]


@pytest.mark.parametrize("text,where,message", BAD)
def test_bad_ratings_are_one_line_errors(tmp_path, text, where, message):
    run, path = setup(tmp_path)
    path.write_text(text + "\n")
    res = cli("meta", run, "--judgments", path)
    assert res.exit_code == 1, res.output
    assert f"error: {path}:{where}" in res.output and message in res.output, res.output
    assert "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1


def test_resampled_sample_spearman_counts_repeated_clusters():
    from bench.stats.correlation import spearman, spearman_weighted_rows
    from bench.stats.ranks import average_ranks, weighted_average_ranks

    rng = np.random.default_rng(3)
    x, y = rng.integers(0, 4, 12).astype(float), rng.normal(size=12)  # ties in x
    w = rng.integers(0, 3, (5, 12))
    for r in range(5):
        rep = np.repeat(np.arange(12), w[r])
        ranks = weighted_average_ranks(x, w[r:r + 1])[0]
        assert np.allclose(ranks[rep], average_ranks(x[rep]))
        assert spearman_weighted_rows(x, y, w)[r] == pytest.approx(sps.spearmanr(x[rep], y[rep]).statistic)
    assert spearman(x, y) == pytest.approx(sps.spearmanr(x, y).statistic)
    assert np.isnan(spearman([1, 1, 1], [1, 2, 3]))


DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "summeval_dev"


@pytest.mark.skipif(not DATA.is_dir(), reason="shared dev data not beside the checkout")
def test_summeval_protocol_golden(tmp_path):
    """On 4 SummEval articles: the suite carries the 11 references, one column each; meta's figures equal
    SummEval's protocol computed with scipy (benchmarks/_summeval.py), the benchmark's table shows each
    choice of references in its own section within 80 columns, and SummEval's own ratings file is a
    judgments file as it is."""
    from bench.suites import load_suite
    from benchmarks._summeval import load
    from benchmarks.summeval_human import cross_check, reference_columns, table, write_inputs

    data = load(DATA, 4)
    write_inputs(data, tmp_path)
    columns = "reference=" + "+".join(reference_columns(data))
    suite = load_suite(str(tmp_path / "suite.jsonl"), "generic", {"reference": columns.split("=")[1]})
    for item in data.items:  # every reference, named after its column, with the bullets it was given
        got = [(r.author, r.bullets) for r in suite.references_for(item.cluster.id)]
        assert got == [(r.author, r.bullets) for r in item.references]
    assert reference_columns(data) == ("highlights", *(f"crowd{k}" for k in range(1, 11)))
    res = cli("score", "-q", "--suite", tmp_path / "suite.jsonl", "--format", "generic", "--columns", columns,
              "--outputs", tmp_path / "outputs.jsonl", "--metric", "rouge:refs=highlights,as=rouge-hl",
              "--metric", "rouge:multi_ref=mean,as=rouge-11refs", "--out", tmp_path / "run")
    assert res.exit_code == 0, res.output
    res = cli("meta", tmp_path / "run", "-j", tmp_path / "judgments.jsonl", "-f", "json", "--resamples", "30")
    assert res.exit_code == 0, res.output
    meta = json.loads(res.stdout)
    worst, n = cross_check(meta, data, tmp_path / "run")
    assert n >= 2 * 4 * 4 * 10 and worst < 1e-12
    rho = {(v["metric"], v["key"], v["dimension"]): v["summary_rho"]["value"] for v in meta["values"]}
    assert rho["rouge-hl", "rouge1_recall", "relevance"] != rho["rouge-11refs", "rouge1_recall", "relevance"]
    lines = table(meta)
    assert max(map(len, lines)) <= 80
    hl, all11 = lines.index("against the highlights:"), lines.index("against all 11 references (mean over them):")
    assert hl < all11 and all(line.startswith("rouge") for line in lines[hl + 1:all11])
    halves = lines[lines.index("the experts themselves (system tau: one half of the articles against the other):") + 1]
    assert halves.split()[0] == "split-half" and halves.split()[1::2] == ["—"] * 4  # a tau per dimension, no rho
    assert [r["dimension"] for r in meta["reliability"]] == ["coherence", "consistency", "fluency", "relevance"]
    ids = {it.cluster.id for it in data.items}
    own = tmp_path / "summary_scores.jsonl"  # with its "experts" lists (null for some)
    own.write_text("".join(x + "\n" for x in (DATA / "summary_scores.jsonl").read_text().splitlines()
                           if json.loads(x)["cluster"] in ids))
    res = cli("meta", tmp_path / "run", "-j", own, "-f", "json", "--resamples", "30")
    assert res.exit_code == 0, res.output
    again = json.loads(res.stdout)
    assert again["dimensions"] == ["coherence", "consistency", "fluency", "relevance"]
    assert [v["summary_rho"] for v in again["values"]] == [v["summary_rho"] for v in meta["values"]]


def test_system_means_equal_up_to_float_rounding_are_a_tie(tmp_path):
    """0.1 + 0.2 + 0.3 and 0.3 + 0.2 + 0.1 differ in the last bit; the two systems' means tie."""
    from bench.stats.ranks import merge_float_ties

    assert merge_float_ties([0.6000000000000001, 0.6, 0.3, np.nan]).tolist()[:3] == [0.6, 0.6, 0.3]
    assert merge_float_ties([[1.0, 1.0 + 1e-9], [2.0, 2.0]]).tolist() == [[1.0, 1.0 + 1e-9], [2.0, 2.0]]
    suite_dir = make_suite(tmp_path / "suite", clusters=3)
    scores = {"s0": {"c0": 0.1, "c1": 0.2, "c2": 0.3}, "s1": {"c0": 0.3, "c1": 0.2, "c2": 0.1},
              "s2": {"c0": 0.5, "c1": 0.5, "c2": 0.5}}
    run = write_run(tmp_path / "run", scores, fingerprint=load_suite_dir(suite_dir).fingerprint(),
                    source=str(suite_dir))
    path = tmp_path / "j.jsonl"
    path.write_text("".join(json.dumps({"cluster": c, "system": s, "score": h}) + "\n"
                            for c in ("c0", "c1", "c2") for s, h in (("s0", 1), ("s1", 2), ("s2", 3))))
    res = cli("meta", run, "-j", path, "-f", "json", "--resamples", "20")
    assert res.exit_code == 0, res.output
    (v,) = json.loads(res.stdout)["values"]
    assert v["system_tau"]["value"] == pytest.approx(sps.kendalltau([0.2, 0.2, 0.5], [1, 2, 3]).statistic)


def test_named_dimensions_are_checked_even_when_never_a_number(tmp_path):
    run, path = setup(tmp_path)
    path.write_text('{"cluster": "c0", "system": "s0", "coherence": "high", "fluency": 2}\n')
    res = cli("meta", run, "-j", path, "-f", "json", "--resamples", "5")  # coherence is never a number: ignored
    assert res.exit_code == 0 and json.loads(res.stdout)["dimensions"] == ["fluency"], res.output
    res = cli("meta", run, "-j", path, "--dimension", "coherence")
    assert res.exit_code == 1 and f"{path}:1:coherence" in res.output and "finite number" in res.output
