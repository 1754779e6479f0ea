"""keypoints-llm end to end through the ``sumbench`` CLI, against a real HTTP peer
(tests/llm_server.py) answering scripted judgments."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.cli import app
from bench.runner.store import read_jsonl
from conftest import write
from tests.judge_server import judge_server, judgment, prompt_lists

runner = CliRunner()
FAST = "backoff_base=0.01,backoff_max=0.02,retry_after_max=0.05,timeout=2,max_retries=1,faithful=false"
QUAKE_KPS = ["A quake hit the coast on Monday.", "At least 12 people died.", "The government promised aid."]
VOTE_KPS = ["Parliament passed the budget bill.", "The vote was 210 to 190."]
QUAKE_BULLETS = ["A strong quake struck the coast Monday.", "Twelve people died.", "The coast was hit on Monday.",
                 "Markets rose."]
VOTE_BULLETS = ["Parliament passed the budget bill by 210 votes to 190."]
# quake: KP1 covered by bullets 1 and 3, KP2 partly by 2, KP3 not; vote: both key points covered by bullet 1
SCRIPT = {
    "Markets rose.": judgment(("covered", [1, 3]), ("partly", [2]), ("not", [])),
    "210 votes to 190": 'Here is my judgment:\n```json\n{"keypoints": [{"keypoint": "1", "label": "Covered", '
                        '"bullets": ["1"]}, {"keypoint": "2", "label": "YES", "bullets": [1],},]}\n```',
}


def suite_dir(root: Path, clusters: dict[str, dict[str, list[str]]]) -> Path:
    """clusters: id -> author -> key points."""
    write(root / "suite.toml", 'name = "judged"\ndescription = "keypoints-llm e2e"\n')
    for cid, refs in clusters.items():
        write(root / cid / "cluster.toml", f'title = "The {cid} story"\n')
        write(root / cid / "documents" / "d0.txt", f'+++\noutlet = "Reuters"\n+++\nReuters reports on the {cid}.\n')
        for author, kps in refs.items():
            write(root / cid / "references" / f"{author}.md",
                  f'+++\nauthor = "{author}"\n+++\n' + "".join(f"- {k}\n" for k in kps))
    return root


def outputs_file(path: Path, rows: list[tuple[str, str, list[str]]]) -> Path:
    path.write_text("".join(json.dumps({"system": s, "cluster": c, "bullets": b}) + "\n" for s, c, b in rows))
    return path


def sumbench(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


def spec(server, extra: str = "", fast: str = FAST) -> str:
    return f"keypoints-llm:base_url={server.base_url},model=judge-model,{fast}" + (f",{extra}" if extra else "")


def scores(run: Path) -> dict[tuple[str, str], dict]:
    return {(r["system"], r["cluster"]): r for r in read_jsonl(run / "scores.jsonl")}


def metric_entry(run: Path) -> dict:
    entries = json.loads((run / "manifest.json").read_text())["metrics"]
    return next(e for e in entries.values() if e["name"] == "keypoints-llm")


@pytest.fixture
def two_clusters(tmp_path):
    suite = suite_dir(tmp_path / "suite", {"quake": {"editor": QUAKE_KPS}, "vote": {"editor": VOTE_KPS}})
    outputs = outputs_file(tmp_path / "outputs.jsonl", [("sys-a", "quake", QUAKE_BULLETS), ("sys-a", "vote", VOTE_BULLETS)])
    return suite, outputs


def test_scripted_values_details_accounting_cache_and_key(two_clusters, tmp_path, monkeypatch):
    key = "sk-judge-UNIQUE-7c3e91aa"
    monkeypatch.setenv("KP_JUDGE_TEST_KEY", key)
    suite, outputs = two_clusters
    out = tmp_path / "run"
    with judge_server(SCRIPT) as server:
        args = ["score", "-q", "--suite", str(suite), "--outputs", str(outputs), "--out", str(out), "--metric",
                spec(server, "api_key_env=KP_JUDGE_TEST_KEY,price_input_per_1m=1,price_output_per_1m=2")]
        table = sumbench(*args).stdout
        assert server.count == 2 and server.auth_headers == [f"Bearer {key}"] * 2
        assert "kp_recall" in table

        # the prompt numbers the reference's key points and the summary's bullets
        quake_prompt = next(r for r in server.requests if "Markets rose." in r["messages"][-1]["content"])
        assert prompt_lists(quake_prompt["messages"][-1]["content"]) == (QUAKE_KPS, QUAKE_BULLETS)
        assert quake_prompt["model"] == "judge-model" and quake_prompt["temperature"] == 0.0
        assert "The quake story" in quake_prompt["messages"][-1]["content"]

        recs = scores(out)
        quake, vote = recs["sys-a", "quake"], recs["sys-a", "vote"]
        assert quake["status"] == "ok" and vote["status"] == "ok"
        assert quake["values"] == pytest.approx({"kp_recall": 1 / 3, "kp_recall_graded": 0.5, "kp_precision": 0.75,
                                                 "kp_f1": 2 * 0.75 * (1 / 3) / (0.75 + 1 / 3), "kp_redundancy": 0.25})
        assert vote["values"] == {"kp_recall": 1.0, "kp_recall_graded": 1.0, "kp_precision": 1.0, "kp_f1": 1.0,
                                  "kp_redundancy": 0.0}
        (request,) = quake["details"]["references"]["editor"].pop("requests")  # its own time, not cached
        assert request["cached"] is False and request["attempts"] == 1 and request["seconds"] >= 0
        assert quake["details"] == {"references": {"editor": {
            "keypoints": [
                {"text": QUAKE_KPS[0], "score": 1.0, "covered": True, "label": "covered", "bullets": [0, 2]},
                {"text": QUAKE_KPS[1], "score": 0.5, "covered": False, "label": "partly", "bullets": [1]},
                {"text": QUAKE_KPS[2], "score": 0.0, "covered": False, "label": "not", "bullets": []},
            ],
            "bullets": [{"keypoints": [0]}, {"keypoints": [1]}, {"keypoints": [0]}, {"keypoints": []}],
            "values": quake["values"],
        }}}

        entry = metric_entry(out)
        assert entry["status"] == "ok" and entry["signature"]["params"]["model"] == "judge-model"
        assert "api_key_env" not in entry["signature"]["params"]  # how the key is found is not what is measured
        totals = entry["totals"]
        assert totals["requests_sent"] == 2 and totals["responses_fresh"] == 2 and totals["cache_hits"] == 0
        assert totals["items_ok"] == 2 and totals["judgments_ok"] == 2 and totals["failures"] == 0
        assert totals["retries"] == 0 and totals["prompt_tokens"] > 0 and totals["completion_tokens"] > 0
        assert totals["cost_usd"] == pytest.approx((totals["prompt_tokens"] + 2 * totals["completion_tokens"]) / 1e6)

        sumbench(*args)  # the same command again: everything is scored, nothing is asked
        assert server.count == 2
        (out / "scores.jsonl").unlink()  # scores lost: rescored from the response cache, no request
        sumbench(*args)
        assert server.count == 2
        assert scores(out)["sys-a", "quake"]["values"] == quake["values"]
        rescored = scores(out)["sys-a", "quake"]["details"]["references"]["editor"]
        assert rescored["requests"] == [{"seconds": 0.0, "cached": True, "attempts": 0}]
        last = metric_entry(out)["totals_last"]
        assert last["cache_hits"] == 2 and last["requests_sent"] == 0 and last["cost_usd"] == 0.0
        summed = metric_entry(out)["totals"]  # over both invocations that asked or re-read
        assert summed["requests_sent"] == 2 and summed["cache_hits"] == 2 and summed["cost_usd"] == totals["cost_usd"]

    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.name == "llm-responses.sqlite3" for p in files) and len(files) >= 4
    for path in files:
        assert key.encode() not in path.read_bytes(), path


def test_unusable_answers_and_http_errors_are_failures_with_reasons(tmp_path):
    suite = suite_dir(tmp_path / "suite", {"quake": {"editor": QUAKE_KPS}})
    ok = judgment(("covered", [1]), ("not", []), ("not", []))
    systems = {  # system -> (marker in its bullets, scripted answer)
        "nonjson": ("NONJSON", "I think the summary covers most key points."),
        "count": ("COUNT", judgment(("covered", [1]), ("not", []))),
        "label": ("LABEL", judgment(("covered", [1]), ("maybe", []), ("not", []))),
        "range": ("RANGE", judgment(("covered", [5]), ("not", []), ("not", []))),
        "flaky": ("[[fault:500:1]]", ok),  # HTTP 500, then an answer
        "limited": ("[[fault:429:1]]", ok),  # 429 with Retry-After, then an answer
        "down": ("[[fault:500]]", ok),  # HTTP 500 every time
    }
    outputs = outputs_file(tmp_path / "outputs.jsonl",
                           [(name, "quake", [f"A quake hit the coast. {marker}", "Markets rose."])
                            for name, (marker, _) in systems.items()])
    rules = {marker: answer for marker, answer in systems.values() if not marker.startswith("[[")}
    out = tmp_path / "run"
    with judge_server(rules, default=ok, retry_after="0.3") as server:
        args = ["score", "-q", "--suite", str(suite), "--outputs", str(outputs), "--out", str(out),
                "--metric", spec(server, fast=FAST.replace("retry_after_max=0.05", "retry_after_max=1"))]
        started = time.perf_counter()
        table = sumbench(*args).stdout
        assert time.perf_counter() - started >= 0.3  # the 429's Retry-After was honoured
        recs = {s: r for (s, _), r in scores(out).items()}
        error = {s: r.get("error") for s, r in recs.items()}
        assert error["nonjson"] == ("reference 'editor': unusable judgment: answer is not JSON: "
                                    "'I think the summary covers most key points.'")
        assert error["down"] == "reference 'editor': HTTP 500 after 2 attempts: internal error"
        for name in ("nonjson", "down"):
            assert recs[name]["status"] == "failed" and "values" not in recs[name]
        # a short answer, an unknown label, a bullet out of range: only that part is lost (flagged);
        # the key points left without a label are asked again, once
        editor = {name: recs[name]["details"]["references"]["editor"] for name in ("count", "label", "range")}
        assert [k["label"] for k in editor["count"]["keypoints"]] == ["covered", "not", "covered"]
        assert "asked again for key points 3: key point 2 is out of range (the reference has 1)" in editor["count"]["flags"]
        assert [k["label"] for k in editor["label"]["keypoints"]] == ["covered", "covered", "not"]
        assert editor["label"]["flags"][0] == "unknown label 'maybe' for key point 2 (expected covered, partly or not)"
        assert editor["range"]["keypoints"][0] == {"text": QUAKE_KPS[0], "score": 1.0, "covered": True,
                                                   "label": "covered", "bullets": []}
        assert editor["range"]["flags"] == ["bullet 5 for key point 1 is out of range (the summary has 2; "
                                            "numbers start at 1; dropped)"]
        for name in ("flaky", "limited", "range"):
            assert recs[name]["status"] == "ok" and recs[name]["values"]["kp_recall"] == pytest.approx(1 / 3)
        assert "failed" in table
        totals = metric_entry(out)["totals"]
        assert totals["items_ok"] == 5 and totals["failures"] == 2 and totals["follow_ups"] == 2
        assert totals["judgments_ok"] == 5 and totals["judgments_failed"] == 2 and totals["keypoints_unjudged"] == 0
        assert totals["retries"] == 3 and totals["requests_sent"] == 12  # 7 + 2 follow-ups + 3 retries
        assert server.count == 12

        # a rerun asks again for the failed items only: the kept unusable answer is re-read first
        sumbench(*args)
        assert server.count == 12 + 1 + 2


def test_multi_reference_mean_and_max(tmp_path):
    suite = suite_dir(tmp_path / "suite", {"quake": {"editor": QUAKE_KPS, "team": ["Twelve people died in the quake."]}})
    outputs = outputs_file(tmp_path / "outputs.jsonl", [("sys-a", "quake", QUAKE_BULLETS)])
    rules = {"A quake hit the coast on Monday.": judgment(("covered", [1, 3]), ("partly", [2]), ("not", [])),
             "Twelve people died in the quake.": judgment(("covered", [2]))}  # team: R 1, P 1/4
    with judge_server(rules) as server:
        for rule in ("mean", "max"):
            out = tmp_path / rule
            sumbench("score", "-q", "--suite", str(suite), "--outputs", str(outputs), "--out", str(out),
                     "--metric", spec(server, f"multi_ref={rule}"))
            rec = scores(out)["sys-a", "quake"]
            editor, team = rec["details"]["references"]["editor"], rec["details"]["references"]["team"]
            assert team["keypoints"][0]["bullets"] == [1] and team["values"]["kp_precision"] == 0.25
            assert team["values"]["kp_f1"] == pytest.approx(0.4)  # editor's is 0.4615...
            if rule == "mean":
                assert "best_reference" not in rec["details"]
                assert rec["values"]["kp_recall"] == pytest.approx((1 / 3 + 1) / 2)
            else:
                assert rec["details"]["best_reference"] == "editor" and rec["values"] == editor["values"]


def test_prompt_content_not_path_is_the_signature(two_clusters, tmp_path):
    suite, outputs = two_clusters
    prompts = Path(__file__).parents[1] / "bench" / "metrics" / "keypoints" / "prompts"
    builtin = (prompts / "keypoints_judge.txt").read_text()
    template = write(tmp_path / "judge.txt", builtin)
    out = tmp_path / "run"
    with judge_server(SCRIPT) as server:
        args = ["score", "-q", "--suite", str(suite), "--outputs", str(outputs), "--out", str(out)]
        sumbench(*args, "--metric", spec(server, f"prompt={template}"))
        first = metric_entry(out)["signature_hash"]
        assert server.count == 2
        default = tmp_path / "default"  # the built-in template by name: same content, same signature
        sumbench("score", "-q", "--suite", str(suite), "--outputs", str(outputs), "--out", str(default),
                 "--metric", spec(server))
        assert metric_entry(default)["signature_hash"] == first

        template.write_text(builtin.replace("careful fact-checking editor", "strict fact-checking editor"))
        sumbench(*args, "--metric", spec(server, f"prompt={template}"))
        assert metric_entry(out)["signature_hash"] != first
        assert server.count == 4 + 2  # (the default run asked twice too) new prompt, new requests
        assert "strict fact-checking editor" in server.requests[-1]["messages"][0]["content"]


def test_overlap_judge_on_the_bundled_suite_through_run(tmp_path):
    out = tmp_path / "run"
    with judge_server() as server:  # no script: the word-overlap stand-in judges
        sumbench("run", "-q", "--system", "lead", "--metric", spec(server, "multi_ref=max"), "--out", str(out))
        recs = [r for r in read_jsonl(out / "scores.jsonl") if r["metric"].startswith("keypoints-llm")]
        assert len(recs) == 1 and recs[0]["status"] == "ok" and server.count == 2  # two references
        details = recs[0]["details"]
        assert details["best_reference"] in details["references"]
        summary = next(iter(read_jsonl(out / "summaries.jsonl")))
        for block in details["references"].values():
            assert len(block["bullets"]) == len([b for b in summary["bullets"] if b.strip()])
            assert {kp["label"] for kp in block["keypoints"]} <= {"covered", "partly", "not"}
            assert all(0 <= v <= 1 for v in block["values"].values())


def test_unavailable_without_endpoint_or_key(two_clusters, tmp_path, monkeypatch):
    monkeypatch.delenv("KP_JUDGE_UNSET_KEY", raising=False)
    suite, outputs = two_clusters
    for metric, reason in [
        ("keypoints-llm", "keypoints-llm: no base_url configured (give base_url=...)"),
        ("keypoints-llm:base_url=https://api.example.com/v1,model=m,api_key_env=KP_JUDGE_UNSET_KEY",
         "keypoints-llm: environment variable KP_JUDGE_UNSET_KEY is not set (API key for https://api.example.com/v1)"),
    ]:
        out = tmp_path / str(len(metric))
        result = runner.invoke(app, ["score", "-q", "--suite", str(suite), "--outputs", str(outputs), "--out", str(out),
                                     "--metric", metric, "--metric", "length"])
        # scored, but a requested metric produced nothing: exit 3 with the reason on the last line
        assert result.exit_code == 3 and "Traceback" not in result.output
        assert reason in result.output.strip().splitlines()[-1]
        assert metric_entry(out)["status"] == "unavailable" and metric_entry(out)["reason"] == reason
        assert not any(r["metric"].startswith("keypoints-llm") for r in read_jsonl(out / "scores.jsonl"))


@pytest.mark.parametrize("params, message", [
    ("max_tokens=0", "max_tokens must be >= 1, got 0"),
    ("concurrency=0", "concurrency must be >= 1, got 0"),
    ("multi_ref=min", "must be one of mean, max; got 'min'"),
    ("prompt=/no/such/judge.txt", "prompt '/no/such/judge.txt' is neither a built-in template (keypoints_judge, keypoints_judge_summhay) nor a file"),
    ("temprature=0.3", "Did you mean: temperature?"),
])
def test_bad_parameters_are_one_line_errors(two_clusters, params, message):
    suite, outputs = two_clusters
    result = runner.invoke(app, ["score", "-q", "--suite", str(suite), "--outputs", str(outputs),
                                 "--metric", f"keypoints-llm:base_url=http://127.0.0.1:9/v1,model=m,{params}"])
    assert result.exit_code == 2 and message in result.output  # a bad command line (README's exit codes)
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_template_without_bullets_placeholder_is_refused(two_clusters, tmp_path):
    suite, outputs = two_clusters
    template = write(tmp_path / "bad.txt", "[user]\nKey points:\n{keypoints}\n")
    result = runner.invoke(app, ["score", "-q", "--suite", str(suite), "--outputs", str(outputs),
                                 "--metric", f"keypoints-llm:base_url=http://127.0.0.1:9/v1,model=m,prompt={template}"])
    assert result.exit_code == 1 and "the user message must contain {bullets}" in result.output


def test_kp_recall_faithful_counts_only_key_points_stated_by_true_bullets(tmp_path):
    """The judge says both key points are covered; the second is stated only by a bullet the
    sources contradict, so kp_recall_faithful counts one of two (offline faithfulness, MiniLM)."""
    suite = tmp_path / "suite"
    write(suite / "suite.toml", 'name = "judged"\n')
    write(suite / "quake" / "documents" / "d0.txt",
          '+++\noutlet = "Reuters"\n+++\nA strong quake struck the coast on Monday. Twelve people died in the town.\n')
    write(suite / "quake" / "references" / "editor.md",
          '+++\nauthor = "editor"\n+++\n- A quake hit the coast on Monday.\n- Twelve people died.\n')
    bullets = ["A strong quake struck the coast on Monday.", "Forty people died in the town."]
    outputs = outputs_file(tmp_path / "out.jsonl", [("sys-a", "quake", bullets)])
    with judge_server(default=judgment(("covered", [1]), ("covered", [2]))) as server:
        spec_ = spec(server, fast=FAST.replace(",faithful=false", ""))
        sumbench("score", "--suite", str(suite), "--outputs", str(outputs), "--out", str(tmp_path / "run"),
                 "--metric", spec_)
    rec = scores(tmp_path / "run")["sys-a", "quake"]
    assert rec["values"]["kp_recall"] == 1.0 and rec["values"]["kp_recall_faithful"] == 0.5
    rows = rec["details"]["references"]["editor"]["keypoints"]
    assert [r.get("faithful") for r in rows] == [True, False]
    assert rec["details"]["faithful"]["bullets"] == [True, False]


def test_a_refusal_of_logprobs_is_said_under_the_table(two_clusters, tmp_path):
    suite, outputs = two_clusters
    out = tmp_path / "run"
    with judge_server(SCRIPT, refuse_logprobs=True) as server:
        sumbench("score", "-q", "--suite", str(suite), "--outputs", str(outputs), "--out", str(out), "--metric",
                 spec(server, "concurrency=1"))
        assert [r.get("logprobs") for r in server.requests] == [True, None, None]
    assert scores(out)["sys-a", "vote"]["values"]["kp_recall"] == 1.0
    assert "'logprobs' is not supported" in metric_entry(out)["totals"]["logprobs_refused"]
    text = runner.invoke(app, ["table", str(out)], env={"COLUMNS": "80"}).output
    assert max(map(len, text.splitlines())) <= 80
    said = " ".join(text.split())
    assert ("keypoints-llm:faithful=false,model=judge-model: the server refused log-probabilities (HTTP 400: "
            "Unsupported parameter: 'logprobs' is not supported with this model.); the judge did without them") in said
    markdown = " ".join(runner.invoke(app, ["table", str(out), "--format", "markdown"]).output.split())
    assert "the server refused log-probabilities" in markdown
    sumbench("report", str(out), "-o", str(tmp_path / "report.html"))
    html = (tmp_path / "report.html").read_text()
    assert "the server refused log-probabilities (HTTP 400: Unsupported parameter: &#39;logprobs&#39;" in html
