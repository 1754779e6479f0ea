"""Labels of LLM systems and judges: the endpoint (base_url) is left out of the label, kept in the identity
and signature; labels stay unique in a command and in a run folder, and folders made under the long labels
(endpoint included) resume and take --join under them. Real HTTP peers on 127.0.0.1 (tests/llm_server.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.cli import app
from bench.cli_support import unique
from bench.errors import SumbenchError
from bench.plugins.discovery import discover
from bench.plugins.registry import Resolved
from bench.results import load_results
from bench.runner.keys import identity_hash, system_identity
from bench.runner.store import read_jsonl
from tests.judge_server import judge_server
from tests.llm_server import FakeChatServer

runner = CliRunner()
FAST = "backoff_base=0.01,backoff_max=0.02,retry_after_max=0.05,timeout=5,max_retries=1"
JUDGE_FAST = FAST + ",faithful=false"
JUDGE = "keypoints-llm:faithful=false,model=j"  # the judge's label


def cli(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


def llm(server: FakeChatServer, extra: str = "") -> str:
    return f"llm:model=m,base_url={server.base_url},{FAST}" + (f",{extra}" if extra else "")


def judge(server: FakeChatServer, extra: str = "") -> str:
    return f"keypoints-llm:model=j,base_url={server.base_url},{JUDGE_FAST}" + (f",{extra}" if extra else "")


def manifest(run: Path) -> dict:
    return json.loads((run / "manifest.json").read_text())


def only_run(root: Path) -> Path:
    [run] = [p for p in (root / "results").iterdir() if (p / "manifest.json").is_file()]
    return run


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_label_leaves_the_endpoint_out_identity_and_signature_keep_it():
    registry = discover()
    one = registry.systems.create("llm:model=m,base_url=http://127.0.0.1:9/v1,temperature=0.5,timeout=3")
    two = registry.systems.create("llm:model=m,base_url=http://127.0.0.1:10/v1,temperature=0.5")
    assert one.label == two.label == "llm:model=m,temperature=0.5"
    assert one.full_label == "llm:base_url=http://127.0.0.1:9/v1,model=m,temperature=0.5"

    def ident(r: Resolved) -> str:
        return identity_hash(system_identity(r.entry.name, r.instance, r.params))

    assert ident(one) != ident(two)
    j1 = registry.metrics.create("faithfulness-llm:model=j,base_url=http://127.0.0.1:9/v1")
    j2 = registry.metrics.create("faithfulness-llm:model=j,base_url=http://127.0.0.1:10/v1")
    assert j1.label == j2.label == "faithfulness-llm:model=j"
    assert j1.instance.signature()["params"]["base_url"] == "http://127.0.0.1:9/v1"
    assert j1.instance.signature_hash() != j2.instance.signature_hash()
    named = registry.systems.create("llm:model=m,base_url=http://127.0.0.1:9/v1,as=qwen")
    assert named.label == named.full_label == "qwen"
    assert registry.systems.create("lead:n=2").label == "lead:n=2"  # other plugins: as before


def test_two_endpoints_in_one_command_get_the_full_labels_and_the_same_spec_twice_is_an_error():
    registry = discover()
    specs = ["llm:model=m,base_url=http://127.0.0.1:9/v1", "llm:model=m,base_url=http://127.0.0.1:10/v1", "lead"]
    settled = unique([registry.systems.create(s) for s in specs], "system")
    assert [r.label for r in settled] == ["llm:base_url=http://127.0.0.1:9/v1,model=m",
                                          "llm:base_url=http://127.0.0.1:10/v1,model=m", "lead"]
    with pytest.raises(SumbenchError, match="'llm:base_url=http://127.0.0.1:9/v1,model=m' given twice"):
        unique([registry.systems.create(specs[0]), registry.systems.create(specs[0] + ",timeout=9")], "system")
    named = unique([registry.systems.create(specs[0] + ",as=a"), registry.systems.create(specs[1] + ",as=b")],
                   "system")
    assert [r.label for r in named] == ["a", "b"]


def test_two_endpoints_in_one_run_are_two_rows_each_with_its_own_summaries(in_tmp):
    out = in_tmp / "run"
    with FakeChatServer() as one, FakeChatServer() as two:
        cli("run", "-q", "--system", llm(one), "--system", llm(two), "--metric", "rouge", "--out", str(out),
            "--workers", "1")
        assert one.count == two.count == 1
    labels = [f"llm:base_url={one.base_url},model=m", f"llm:base_url={two.base_url},model=m"]
    assert list(manifest(out)["systems"]) == labels
    results = load_results(out)
    assert [s.label for s in results.systems] == labels
    assert all(s.values["rouge"]["rouge1"] for s in results.systems)


def test_a_second_endpoint_in_a_run_folder_is_told_apart_and_both_resume(in_tmp):
    out = in_tmp / "run"
    with FakeChatServer() as one, FakeChatServer() as two, judge_server() as j1, judge_server() as j2:
        cli("run", "-q", "--system", llm(one), "--metric", judge(j1), "--out", str(out), "--workers", "1")
        assert list(manifest(out)["systems"]) == ["llm:model=m"]
        assert list(manifest(out)["metrics"]) == [JUDGE]
        # the same model at another endpoint, judged by the same judge at another endpoint
        cli("run", "-q", "--system", llm(two), "--metric", judge(j2), "--out", str(out), "--workers", "1")
        assert two.count == 1 and j2.count == j1.count  # the second judge judged the second system's summary
        sent = (one.count, two.count, j1.count, j2.count)
        for system, metric in ((one, j1), (two, j2)):
            again = cli("run", "-q", "--system", llm(system), "--metric", judge(metric), "--out", str(out),
                        "--workers", "1")
            assert "nothing recomputed" in again.output
        assert (one.count, two.count, j1.count, j2.count) == sent
    m = manifest(out)
    second, second_judge = f"llm:base_url={two.base_url},model=m", f"keypoints-llm:base_url={j2.base_url},faithful=false,model=j"
    assert list(m["systems"]) == ["llm:model=m", second]
    assert m["systems"]["llm:model=m"]["params"]["base_url"] == one.base_url
    assert list(m["metrics"]) == [JUDGE, second_judge]
    assert m["metrics"][JUDGE]["params"]["base_url"] == j1.base_url
    summaries = read_jsonl(out / "summaries.jsonl")
    assert sorted(r["system"] for r in summaries) == sorted(["llm:model=m", second])
    by_label = {s.label: s for s in load_results(out).systems}
    assert set(by_label["llm:model=m"].values) == {JUDGE} and set(by_label[second].values) == {second_judge}


def test_a_folder_made_under_the_long_labels_resumes_and_takes_join_under_them(in_tmp, monkeypatch):
    with FakeChatServer() as server, judge_server() as judged:
        command = ["run", "-q", "--system", llm(server), "--system", "lead", "--metric", judge(judged),
                   "--workers", "1"]
        with monkeypatch.context() as old:  # the labels given before the endpoint was left out
            old.setattr(Resolved, "label", property(lambda self: self.alias or self.full_label))
            cli(*command)
        run = only_run(in_tmp)
        system, metric = f"llm:base_url={server.base_url},model=m", f"keypoints-llm:base_url={judged.base_url},faithful=false,model=j"
        assert set(manifest(run)["systems"]) == {system, "lead"} and list(manifest(run)["metrics"]) == [metric]
        sent = (server.count, judged.count)
        again = cli(*command)
        assert "nothing recomputed" in again.output and (server.count, judged.count) == sent
        assert only_run(in_tmp) == run  # the same command, the same default folder
        assert again.output.strip().splitlines()[-1] == f"results: {run.relative_to(in_tmp)}"
        joined = cli("run", "-q", "--system", "lead:n=2", "--join", "--workers", "1")
        # the run's judge, at its endpoint, judged the joined system as it did each of the two others
        assert judged.count == sent[1] + sent[1] // 2
    m = manifest(run)
    assert set(m["systems"]) == {system, "lead", "lead:n=2"} and list(m["metrics"]) == [metric]
    assert m["metrics"][metric]["status"] == "ok"
    assert "beside 2 systems already in this run" in " ".join(joined.output.split())
    results = load_results(run)
    assert all(s.values[metric]["kp_recall"] for s in results.systems)


def test_join_keeps_a_judge_labelled_without_its_endpoint_or_with_as(in_tmp):
    with judge_server() as judged:
        cli("run", "-q", "--system", "lead", "--metric", judge(judged), "--metric", judge(judged, "as=kpj").replace("model=j", "model=k"),
            "--metric", "rouge", "--workers", "1")
        run = only_run(in_tmp)
        before = judged.count
        cli("run", "-q", "--system", "lead:n=2", "--join", "--workers", "1")
        assert judged.count == 2 * before  # each judge, at its endpoint, judged the joined system as it did lead
    m = manifest(run)
    assert list(m["metrics"]) == [JUDGE, "kpj", "rouge"]
    assert all(e["status"] == "ok" and e["params"].get("base_url", judged.base_url) == judged.base_url
               for e in m["metrics"].values())
    joined = next(s for s in load_results(run).systems if s.label == "lead:n=2")
    assert set(joined.values) == {JUDGE, "kpj", "rouge"}


def test_value_names_are_unique_across_the_run_s_metrics():
    from bench.results import MetricColumn, value_name

    def column(label: str, *keys: str) -> MetricColumn:
        return MetricColumn(label, "ok", None, list(keys), "sig", True, set(), value_keys=set(keys))

    kp = ("kp_recall", "kp_precision")
    metrics = [column("keypoints", *kp), column("kpj", *kp, "kp_redundancy"), column("rouge", "rouge1")]
    assert [value_name(metrics, m.label, k) for m in metrics for k in m.keys] == [
        "keypoints/kp_recall", "keypoints/kp_precision", "kpj/kp_recall", "kpj/kp_precision", "kp_redundancy",
        "rouge1"]
    alone = [column("keypoints", *kp), column("rouge:stemmer=false", "rouge1")]
    assert value_name(alone, "keypoints", "kp_recall") == "kp_recall"
    assert value_name(alone, "rouge:stemmer=false", "rouge1") == "rouge:stemmer=false/rouge1"  # as before


def test_two_judges_labelled_with_as_show_apart_in_the_table(in_tmp):
    with judge_server() as judged:
        cli("run", "-q", "--system", "lead", "--system", "lead:n=2", "--metric", judge(judged, "as=kpa"),
            "--metric", judge(judged, "as=kpb").replace("model=j", "model=k"), "--metric", "rouge", "--workers", "1")
    run = only_run(in_tmp)
    rows = json.loads(cli("table", str(run), "--format", "json").output)
    names = {r["metric"] for r in rows}
    assert {"kpa/kp_recall", "kpb/kp_recall", "kpa/kp_f1", "kpb/kp_f1", "rouge1"} <= names
    assert not names & {"kp_recall", "kp_f1", "kp_precision"}
    text = " ".join(cli("table", str(run), "--format", "markdown").output.split())
    assert "kpa/kp_recall" in text and "kpb/kp_recall" in text
    compared = cli("compare", str(run), "--metric", "kpb/kp_recall", "-f", "csv").output
    assert "kpb/kp_recall" in compared
    cli("report", str(run), "-o", str(in_tmp / "report.html"))
    [page] = (in_tmp / "report_files").glob("run0-c0.html")  # the cluster page names each value as the tables do
    html = page.read_text()
    assert "<span>kpa/kp_recall " in html and "<span>kpb/kp_recall " in html and "<span>kp_recall " not in html


def test_a_judge_s_usage_row_keeps_to_one_line_at_80_columns():
    from bench.usage import Usage, usage_text

    def usage(label: str, kind: str, tokens: int) -> Usage:
        return Usage(label, kind, "m", 6, 0, 0, tokens, 268, None, 0, 3.0)

    text = usage_text([usage("llm:model=qwen2.5-coder-1.5b", "system", 4_563),
                       usage("faithfulness-llm:model=m", "judge", 2_714)], 80)
    lines = [line.strip() for line in text.splitlines()]
    assert max(map(len, text.splitlines())) <= 80
    assert any(line.startswith("llm:model=qwen2.5-coder-1.5b ") and line.endswith(" 0") for line in lines)
    assert any(line.startswith("faithfulness-llm:model=m (judge) ") and "2,714" in line for line in lines)
    # wider numbers: the label folds between words, never inside one
    wide = usage_text([usage("faithfulness-llm:model=m", "judge", 1_234_567_890)], 80)
    assert [line.strip().split("  ")[0] for line in wide.splitlines()][4:6] == ["faithfulness-llm:model=m", "(judge)"]


def test_a_folder_made_under_the_long_labels_takes_as_names_without_recomputing(in_tmp, monkeypatch):
    out = in_tmp / "run"
    with FakeChatServer() as server, judge_server() as judged:
        with monkeypatch.context() as old:  # the labels given before the endpoint was left out
            old.setattr(Resolved, "label", property(lambda self: self.alias or self.full_label))
            cli("run", "-q", "--system", llm(server), "--metric", judge(judged), "--out", str(out), "--workers", "1")
        sent = (server.count, judged.count)
        again = cli("run", "-q", "--system", llm(server, "as=qwen"), "--metric", judge(judged, "as=kpj"),
                    "--out", str(out), "--workers", "1")
        assert "nothing recomputed" in again.output and (server.count, judged.count) == sent
    long_system = f"llm:base_url={server.base_url},model=m"
    by_label = {s.label: s for s in load_results(out).systems}
    assert set(by_label) == {long_system, "qwen"}
    for label in (long_system, "qwen"):  # the same summaries and scores, whichever label wrote them
        assert by_label[label].values["kpj"]["kp_recall"] == by_label[long_system].values[
            f"keypoints-llm:base_url={judged.base_url},faithful=false,model=j"]["kp_recall"]


def test_two_labels_of_one_system_in_a_command_both_show_its_scores_computed_once(in_tmp):
    out = in_tmp / "run"
    cli("run", "-q", "--system", "lead", "--system", "lead:n=3", "--metric", "rouge", "--out", str(out),
        "--workers", "1")
    by_label = {s.label: s for s in load_results(out).systems}
    assert by_label["lead"].values["rouge"]["rouge1"] == by_label["lead:n=3"].values["rouge"]["rouge1"]
    assert by_label["lead"].values["rouge"]["rouge1"]  # lead's n defaults to 3: one identity, two labels
    assert len(list(read_jsonl(out / "scores.jsonl"))) == 1
