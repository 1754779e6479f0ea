"""sumbench meta: figures equal scipy/sklearn on hand-made runs, seeded resampling, paired tests,
bad judgments, and the command end to end on a scored outputs file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as sps
from sklearn import metrics as skm
from typer.testing import CliRunner

from bench.cli import app
from bench.meta.build import meta_evaluate
from bench.suites.local import load_suite_dir
from conftest import make_suite
from fake_runs import write_run

SYSTEMS = ["s0", "s1", "s2", "s3", "s4"]


def kp_details(covered: list[bool], scores: list[float]) -> dict:
    return {"references": {"editor": {
        "keypoints": [{"text": f"kp {j}", "score": s, "covered": c, "bullets": [0] if c else []}
                      for j, (c, s) in enumerate(zip(covered, scores))],
        "bullets": [{"keypoints": [j for j, c in enumerate(covered) if c]}], "values": {}}}}


def build(tmp_path: Path, clusters: int = 30, seed: int = 7):
    """A run (values rouge1 = noisy human score, good = human score + small noise, bad = noise) and its
    judgments: summary scores for some summaries, key-point labels for the others."""
    suite_dir = make_suite(tmp_path / "suite", clusters=clusters)
    suite = load_suite_dir(suite_dir)
    rng = np.random.default_rng(seed)
    human = {(f"c{c}", s): float(rng.uniform()) for c in range(clusters) for s in SYSTEMS}
    noisy = {k: v + float(rng.normal(0, 0.3)) for k, v in human.items()}
    scores = {s: {f"c{c}": noisy[f"c{c}", s] for c in range(clusters)} for s in SYSTEMS}
    labels, details = {}, {}
    for (c, s), h in human.items():
        present = [int(rng.uniform() < h), int(rng.uniform() < h)]
        covered = [bool(p) if rng.uniform() < 0.8 else not p for p in present]
        graded = [0.5 + (0.3 if cv else -0.3) + float(rng.normal(0, 0.1)) for cv in covered]
        labels[c, s] = present
        details.setdefault(s, {})[c] = kp_details(covered, graded)
    run = write_run(tmp_path / "run", scores, fingerprint=suite.fingerprint(), source=str(suite_dir),
                    details=details)
    extra = {k: {"good": human[k] + float(rng.normal(0, 0.02)), "bad": float(rng.uniform())} for k in human}
    lines = []
    for line in (run / "scores.jsonl").read_text().splitlines():
        rec = json.loads(line)
        rec["values"].update(extra[rec["cluster"], rec["system"]])
        # (a non-numeric value is no longer possible here: the store refuses such a record when read)
        lines.append(json.dumps(rec))
    (run / "scores.jsonl").write_text("\n".join(lines) + "\n")
    judged, records = {}, []
    for i, ((c, s), h) in enumerate(sorted(human.items())):
        if i % 2:
            records.append({"cluster": c, "system": s, "score": h})
            judged[c, s] = h
        else:  # human score from key-point labels
            present = labels[c, s]
            records += [{"cluster": c, "system": s, "key_point": j, "present": p} for j, p in enumerate(present)]
            judged[c, s] = sum(present) / 2
    path = tmp_path / "judgments.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return run, path, judged, noisy, labels, details


def test_figures_equal_scipy_and_sklearn(tmp_path):
    run, path, judged, noisy, labels, details = build(tmp_path)
    meta = meta_evaluate(run, path, resamples=200)
    by_name = {v.name: v for v in meta.values}
    assert set(by_name) == {"rouge1", "good", "bad"}  # the non-numeric value is skipped
    v = by_name["rouge1"]
    clusters = sorted({c for c, _ in judged})
    per_cluster = [sps.kendalltau([noisy[c, s] for s in SYSTEMS], [judged[c, s] for s in SYSTEMS]).statistic
                   for c in clusters]
    finite = [t for t in per_cluster if np.isfinite(t)]
    assert v.summary_tau.value == pytest.approx(np.mean(finite))
    assert v.clusters == len(finite) and v.clusters_skipped == len(per_cluster) - len(finite)
    keys = sorted(judged)
    assert v.summary_pearson.value == pytest.approx(sps.pearsonr([noisy[k] for k in keys],
                                                                 [judged[k] for k in keys]).statistic)
    sys_m = [np.mean([noisy[c, s] for c in clusters]) for s in SYSTEMS]
    sys_h = [np.mean([judged[c, s] for c in clusters]) for s in SYSTEMS]
    assert v.system_tau.value == pytest.approx(sps.kendalltau(sys_m, sys_h).statistic)
    assert v.system_pearson.value == pytest.approx(sps.pearsonr(sys_m, sys_h).statistic)
    assert v.summary_tau.low <= v.summary_tau.value <= v.summary_tau.high
    # key-point level: only the labelled summaries (every other one), binary
    (kp,) = meta.keypoints
    pred, true, graded = [], [], []
    for i, ((c, s), _) in enumerate(sorted(judged.items())):
        if i % 2 == 0:
            for j, p in enumerate(labels[c, s]):
                d = details[s][c]["references"]["editor"]["keypoints"][j]
                pred.append(d["covered"]), true.append(p), graded.append(d["score"])
    assert kp.n == len(true) and kp.partial == 0 and kp.missing == 0
    assert kp.kappa.value == pytest.approx(skm.cohen_kappa_score(true, pred))
    assert kp.balanced_accuracy.value == pytest.approx(skm.balanced_accuracy_score(true, pred))
    assert kp.accuracy.value == pytest.approx(skm.accuracy_score(true, pred))
    assert kp.auc == pytest.approx(skm.roc_auc_score(true, graded))
    assert meta.derived == len(judged) // 2 + len(judged) % 2


def test_seeded_bootstrap_and_paired_test(tmp_path):
    run, path, *_ = build(tmp_path)
    a = meta_evaluate(run, path, seed=1, resamples=300, compare=[("good", "bad"), ("good", "good")])
    b = meta_evaluate(run, path, seed=1, resamples=300, compare=[("good", "bad"), ("good", "good")])
    c = meta_evaluate(run, path, seed=2, resamples=300, compare=[("good", "bad"), ("good", "good")])
    assert a == b and a.values[0].summary_tau != c.values[0].summary_tau
    diffs = {(d.level, d.a, d.b): d for d in a.differences}
    for level in ("summary", "system"):
        assert diffs[level, "good", "good"].p_value == 1.0 and diffs[level, "good", "good"].diff == 0
    better = diffs["summary", "good", "bad"]
    assert better.diff > 0.5 and better.p_value < 0.01 and better.low > 0
    default = meta_evaluate(run, path, resamples=100)  # every value against the best
    assert {(d.level, d.a) for d in default.differences} == {("summary", "good"), ("system", "good")}


def test_failed_scores_are_left_out_not_zero(tmp_path):
    run, path, judged, *_ = build(tmp_path, clusters=6)
    lines = [json.loads(x) for x in (run / "scores.jsonl").read_text().splitlines()]
    for rec in lines:
        if rec["cluster"] == "c0" and rec["system"] == "s1":
            rec.update(status="failed", error="boom", values={})
    (run / "scores.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))
    meta = meta_evaluate(run, path, resamples=50)
    v = next(v for v in meta.values if v.name == "rouge1")
    assert v.missing == 1 and v.summaries == len(judged) - 1


def cli(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_meta_end_to_end_from_scored_outputs(tmp_path):
    rows = [{"id": f"k{c}", "documents": [f"The council of town {c} approved a budget. Taxes will rise."],
             "reference": [f"Town {c} approved a budget.", "Taxes will rise."]} for c in range(4)]
    suite = tmp_path / "suite.jsonl"
    suite.write_text("".join(json.dumps(r) + "\n" for r in rows))
    texts = {"copy": "Town {c} approved a budget. Taxes will rise.", "half": "Town {c} approved a budget.",
             "off": "A storm hit the coast."}
    outputs = tmp_path / "outputs.jsonl"
    outputs.write_text("".join(json.dumps({"cluster": f"k{c}", "system": s, "text": t.format(c=c)}) + "\n"
                               for c in range(4) for s, t in texts.items()))
    run = tmp_path / "run"
    res = cli("score", "-q", "--suite", suite, "--format", "generic", "--outputs", outputs, "--metric", "rouge",
              "--out", run)
    assert res.exit_code == 0, res.output
    human = {"copy": 1.0, "half": 0.5, "off": 0.0}
    judgments = tmp_path / "j.jsonl"
    lines = [{"cluster": f"k{c}", "system": s, "score": h} for c in range(3) for s, h in human.items()]
    lines += [{"cluster": "k3", "system": s, "key_point": j, "present": p, "reference": "reference"}
              for s, ps in {"copy": [1, 1], "half": [1, 0.5], "off": [0, 0]}.items() for j, p in enumerate(ps)]
    judgments.write_text("".join(json.dumps(r) + "\n" for r in lines))
    res = cli("meta", run, "--judgments", judgments, "-f", "json", "--resamples", "100",
              "--compare", "rouge1_recall,rouge2_recall")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    values = {v["name"]: v for v in data["values"]}
    assert {"rouge1", "rouge1_recall", "rouge2_recall", "rougeLsum_precision"} <= set(values)
    assert values["rouge1_recall"]["summary_tau"]["value"] == pytest.approx(1.0)
    assert values["rouge1_recall"]["system_tau"]["value"] == pytest.approx(1.0)
    assert data["partial"] == 1 and data["derived"] == 3 and data["keypoints"] == []
    assert [(d["level"], d["a"], d["b"]) for d in data["differences"]] == [
        ("summary", "rouge1_recall", "rouge2_recall"), ("system", "rouge1_recall", "rouge2_recall")]
    for fmt in ("text", "markdown", "csv"):
        res = cli("meta", run, "--judgments", judgments, "-f", fmt, "--resamples", "20")
        assert res.exit_code == 0 and "rouge2_recall" in res.stdout, res.output
    res = cli("meta", run, "--judgments", judgments, "--compare", "rouge9")
    assert res.exit_code == 2 and "A,B" in res.output  # a bad command line
    res = cli("meta", run, "--judgments", judgments, "--compare", "rouge9,rouge1")
    assert res.exit_code == 1 and "no metric value 'rouge9'" in res.output and "Traceback" not in res.output


BAD = [
    ('{"cluster": "c0", "system": "s0", "score": 0.5', "1:", "not valid JSON"),
    ('{"cluster": "c9", "system": "s0", "score": 0.5}', "1:cluster", "unknown cluster 'c9'"),
    ('{"cluster": "c0", "system": "lexrnk", "score": 0.5}', "1:system", "not in the run"),
    ('{"cluster": "c0", "system": "s0", "key_point": 2, "present": 1}', "1:key_point", "out of range"),
    ('{"cluster": "c0", "system": "s0", "key_point": 0, "present": 0.7}', "1:present", "0, 0.5 or 1"),
    ('{"cluster": "c0", "system": "s0", "key_point": 0, "present": 1, "reference": "x"}', "1:reference",
     "no reference 'x'"),
    ('{"cluster": "c0", "system": "s0", "score": "high"}', "1:score", "finite number"),
    ('{"cluster": "c0", "system": "s0", "score": 1}\n{"cluster": "c0", "system": "s0", "score": 1}', "2:score",
     "first on line 1"),
    ('{"cluster": "c0", "system": "s0", "key_point": 1, "present": 1}\n\n'
     '{"cluster": "c0", "system": "s0", "key_point": 1, "present": 0}', "3:key_point", "first on line 1"),
    ('{"cluster": "c0", "system": "s0", "key_point": true, "present": 1}', "1:key_point", "integer"),
    ('{"cluster": "c0", "system": "s0"}', "1:key_point", "either score"),
]


@pytest.mark.parametrize("text,where,message", BAD)
def test_bad_judgments_are_one_line_errors(tmp_path, text, where, message):
    suite_dir = make_suite(tmp_path / "suite", clusters=2)
    run = write_run(tmp_path / "run", {"s0": {"c0": 0.1, "c1": 0.2}, "s1": {"c0": 0.3, "c1": 0.1}},
                    fingerprint=load_suite_dir(suite_dir).fingerprint(), source=str(suite_dir))
    path = tmp_path / "j.jsonl"
    path.write_text(text + "\n")
    res = cli("meta", run, "--judgments", path)
    assert res.exit_code == 1
    assert f"error: {path}:{where}" in res.output and message in res.output, res.output
    assert "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1


def test_two_references_need_a_name(tmp_path):
    suite_dir = make_suite(tmp_path / "suite", clusters=1)
    (suite_dir / "c0" / "references" / "team.md").write_text('+++\nauthor = "team"\n+++\n- One.\n')
    run = write_run(tmp_path / "run", {"s0": {"c0": 0.1}}, fingerprint=load_suite_dir(suite_dir).fingerprint(),
                    source=str(suite_dir))
    path = tmp_path / "j.jsonl"
    path.write_text('{"cluster": "c0", "system": "s0", "key_point": 0, "present": 1}\n')
    res = cli("meta", run, "--judgments", path)
    assert res.exit_code == 1 and f"{path}:1:reference" in res.output and "2 references" in res.output


def test_lower_is_better_values_are_negated(tmp_path):
    run, path, *_ = build(tmp_path, clusters=8)
    manifest = json.loads((run / "manifest.json").read_text())
    manifest["metrics"]["rouge"]["lower_is_better"] = ["bad"]
    (run / "manifest.json").write_text(json.dumps(manifest))
    plain = {v.name: v for v in meta_evaluate(tmp_path / "run", path, resamples=20, seed=0).values}
    assert plain["bad"].negated and not plain["good"].negated
    manifest["metrics"]["rouge"]["lower_is_better"] = []
    (run / "manifest.json").write_text(json.dumps(manifest))
    again = {v.name: v for v in meta_evaluate(run, path, resamples=20, seed=0).values}
    assert plain["bad"].summary_tau.value == pytest.approx(-again["bad"].summary_tau.value)


def test_keypoint_decisions_from_the_schema_and_the_old_alignment():
    from bench.meta.details import decision

    new = kp_details([True, False], [0.9, 0.2])
    assert decision(new, "editor", 0) == (True, 0.9) and decision(new, "editor", 1) == (False, 0.2)
    assert decision(new, "editor", 2) is None and decision(new, "other", 0) is None
    old = {"references": {"editor": {
        "alignment": [{"bullet": 0, "keypoint": 2, "similarity": 0.8, "covered": True},
                      {"bullet": 1, "keypoint": 0, "similarity": 0.3, "covered": False}],
        "uncovered_keypoints": [0, 1], "redundant": []}}}
    assert [decision(old, "editor", j) for j in range(4)] == [(False, 0.3), (False, None), (True, 0.8), None]
    assert decision({"bullets": []}, "editor", 0) is None


DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.mark.skipif(not (DATA / "summhay_conv_dev").is_dir(), reason="shared dev data not beside the checkout")
def test_converter_writes_inputs_that_load(tmp_path):
    import importlib.util

    from bench.suites.tabular import load_tabular_suite

    spec = importlib.util.spec_from_file_location(
        "realsumm_judgments", Path(__file__).resolve().parents[1] / "benchmarks" / "realsumm_judgments.py")
    conv = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conv)
    n = conv.convert(DATA / "summhay_conv_dev", tmp_path)
    assert n["clusters"] == 20 and n["labels"] == 661 and n["scores"] == 0
    suite = load_tabular_suite(str(tmp_path / "suite.jsonl"), "generic", {"reference": "reference+key_points"})
    sizes = {c.id: {r.author: len(r.bullets) for r in suite.references_for(c.id)}["key_points"] for c in suite.clusters}
    records = [json.loads(x) for x in (tmp_path / "judgments.jsonl").read_text().splitlines()]
    assert all(0 <= r["key_point"] < sizes[r["cluster"]] and r["reference"] == "key_points" for r in records)
    assert sorted({r["present"] for r in records}) == [0, 0.5, 1]
    assert sum(r["present"] == 0.5 for r in records) == 218
    assert len((tmp_path / "outputs.jsonl").read_text().splitlines()) == 114


def test_judgments_go_through_the_one_decoding_path(tmp_path):
    from bench.meta import MetaError
    from bench.meta.judgments import read_judgments

    path = tmp_path / "j.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"cluster": "c1", "system": "s", "score": 0.5}\r\n')  # BOM, CRLF
    judged = read_judgments(path, ["c1"], ["s"], None)
    assert len(judged.scores) == 1
    path.write_bytes(b'{"cluster": "c1", "system": "s", "score": 0.5}\n{"cluster": "c\xff"}\n')
    with pytest.raises(MetaError) as err:
        read_judgments(path, ["c1"], ["s"], None)
    assert f"{path}:2" in str(err.value) and "UTF-8" in str(err.value)
