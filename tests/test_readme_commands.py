"""Every `sumbench` command line in the README's bash blocks runs as written.

Placeholders are filled in: `results/<run>` (and `<runA>`) is the folder of the
README's first `sumbench run`, `<runB>` that of a later run of the same suite,
`path/to/multi_news/test.jsonl` a small Multi-News fixture, `published.jsonl`
the README's own example outputs file. Commands that need an LLM endpoint on
the network are skipped, with the reason.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.cli import app
from conftest import FIXTURES, REPO

README = REPO / "README.md"
NEEDS_LLM = re.compile(r"gpt-|qwen|ollama|vllm|llm:|OPENAI")


def readme_blocks(lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```", README.read_text(encoding="utf-8"), flags=re.S | re.M)


def readme_commands() -> list[str]:
    """`sumbench ...` lines of the bash blocks, continuation lines joined, comments dropped."""
    out = []
    for block in readme_blocks("bash"):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip()
            if line.startswith("sumbench "):
                out.append(" ".join(shlex.split(line, comments=True)))
    return out


def test_readme_has_the_commands_we_expect():
    commands = readme_commands()
    assert commands[0] == "sumbench run"
    assert any(c.startswith("sumbench compare") for c in commands)
    assert any(c.startswith("sumbench score") for c in commands)
    assert any(c.startswith("sumbench report") for c in commands)


COMMANDS = readme_commands()


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, tuple[int, str]]:
    """Run the README's commands in order, in a scratch folder (results/ lands there)."""
    work = tmp_path_factory.mktemp("readme")
    (work / "published.jsonl").write_text(readme_blocks("json")[0], encoding="utf-8")
    runs: list[str] = []  # run folders, in the order the README makes them
    out: dict[str, tuple[int, str]] = {}
    old = os.getcwd()
    os.chdir(work)
    try:
        for command in COMMANDS:
            if NEEDS_LLM.search(command):
                continue
            args = [_fill(a, runs) for a in shlex.split(command)[1:]]
            result = CliRunner().invoke(app, args, env={"COLUMNS": "80"})
            out[command] = (result.exit_code, result.output)
            made = re.findall(r"^results: (.+)$", result.output, flags=re.M)
            if made and made[-1] not in runs:
                runs.append(made[-1])
    finally:
        os.chdir(old)
    assert (work / "report.html").stat().st_size > 1000
    return out


@pytest.mark.slow
@pytest.mark.parametrize("command", COMMANDS)
def test_readme_command_runs(command, outcomes):
    if NEEDS_LLM.search(command):
        pytest.skip("needs an LLM endpoint on the network")
    code, output = outcomes[command]
    assert code == 0, f"{command}\n{output}"


def _fill(arg: str, runs: list[str]) -> str:
    if arg == "path/to/multi_news/test.jsonl":
        return str(FIXTURES / "multi_news_small.jsonl")
    if "<run>" in arg or "<runA>" in arg:
        return runs[0]
    if "<runB>" in arg:
        return next(r for r in runs[1:] if "seed-news" in Path(r).name)
    return arg


def test_llm_commands_are_the_only_ones_skipped():
    skipped = [c for c in readme_commands() if NEEDS_LLM.search(c)]
    assert skipped and all(c.startswith(("sumbench run ", "sumbench score ")) for c in skipped)
    assert len(COMMANDS) - len(skipped) >= 12  # the rest all run
    assert json.loads(readme_blocks("json")[0].splitlines()[0])["system"] == "pegasus-multinews"
