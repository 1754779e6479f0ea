"""The llama.cpp commands of docs/local-models.md run as written, against the test's real server.

The page's `python -m llama_cpp.server` line is the one tests/llama_server.py runs
(checked here); its `sumbench` lines run with the test server's port in place of
8080 and a fresh --out folder. vLLM and Ollama lines need those servers: not run.
"""

from __future__ import annotations

import json
import re
import shlex

from typer.testing import CliRunner

from bench.cli import app
from bench.runner.store import read_jsonl
from conftest import REPO
from tests.llama_server import MODEL, llama_server  # noqa: F401 (fixture)

PAGE = REPO / "docs" / "local-models.md"
URL = "http://127.0.0.1:8080/v1"


def bash_lines() -> list[str]:
    blocks = re.findall(r"^```bash\n(.*?)^```", PAGE.read_text(encoding="utf-8"), flags=re.S | re.M)
    return [line.strip() for block in blocks for line in block.replace("\\\n", " ").splitlines() if line.strip()]


def test_the_server_line_matches_the_test_servers_model_alias_and_port():
    (line,) = [ln for ln in bash_lines() if "llama_cpp.server" in ln]
    assert f"--model_alias {MODEL}" in line and "--port 8080" in line and "--host 127.0.0.1" in line


def test_the_pages_sumbench_commands_run_against_a_real_server(llama_server, tmp_path):
    commands = [ln for ln in bash_lines() if ln.startswith("sumbench ") and URL in ln]
    assert len(commands) == 2
    for n, line in enumerate(commands):
        args = shlex.split(line.replace(URL, llama_server.base_url), comments=True)[1:]
        for i, arg in enumerate(args):  # shorter answers: quicker on CI, the same code path
            if arg.startswith("llm:"):
                args[i] += ",max_tokens=64,timeout=300,context_tokens=768"
            elif arg.startswith("keypoints-llm:"):
                args[i] += ",max_tokens=400,timeout=300"
        out = tmp_path / f"run{n}"
        result = CliRunner().invoke(app, [*args, "-q", "--out", str(out)])
        assert result.exit_code == 0 and "Traceback" not in result.output, (line, result.output)
        assert [r["status"] for r in read_jsonl(out / "summaries.jsonl")] == ["ok"]
    judged = [r for r in read_jsonl(out / "scores.jsonl") if r["metric"].startswith("keypoints-llm")]
    assert len(judged) == 1
    for rec in judged:  # every key point a label, or recorded without one; a lost summary quotes the answer
        if rec["status"] == "failed":
            assert "unusable judgment" in rec["error"] or "HTTP" in rec["error"], rec["error"]
            continue
        for ref in rec["details"]["references"].values():
            assert all(kp["label"] in ("covered", "partly", "not", None) for kp in ref["keypoints"])
            assert ref.get("unjudged", 0) == sum(kp["label"] is None for kp in ref["keypoints"])
    totals = json.loads((out / "manifest.json").read_text())["metrics"][judged[0]["metric"]]["totals"]
    assert totals["judgments_ok"] + totals["judgments_failed"] == 2 and totals["requests_sent"] >= 2
