"""Every `sumbench` command line in the bash blocks of the README and docs/ runs as written.

Placeholders are filled in: `results/<run>` (and `<runA>`) is the folder of the
README's first `sumbench run`, `<runB>` that of a later run of the same suite,
`path/to/multi_news/test.jsonl` a small Multi-News fixture, `published.jsonl`
the README's own example outputs file (so is `mine.jsonl`), `my_system.py` its example system, `judgments.jsonl` made-up scores of the
first run's summaries; `python benchmarks/...` lines of the same blocks run too,
with `../shared/data` found beside the checkout, and what they write is cut to
their first clusters (`KEEP_CLUSTERS`) so that the metrics run on the shared data
in seconds. Commands that need an LLM endpoint on the network, or the shared data
when it is absent, are skipped with the reason.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.cli import app
from conftest import FIXTURES, REPO

SHARED = REPO.parent / "shared" / "data"
KEEP_CLUSTERS = 3

README = REPO / "README.md"
#: the README, then the docs pages it links to: their commands run too
PAGES = [README, *sorted((REPO / "docs").glob("*.md"))]
NEEDS_LLM = re.compile(r"gpt-|qwen|ollama|vllm|llm:|OPENAI")


def readme_blocks(lang: str) -> list[str]:
    return [block for page in PAGES
            for block in re.findall(rf"^```{lang}\n(.*?)^```", page.read_text(encoding="utf-8"), flags=re.S | re.M)]


def outputs_example() -> str:
    """The README's example `--outputs` file (the json block with bullets)."""
    return next(b for b in readme_blocks("json") if '"bullets"' in b)


def plugin_example() -> str:
    """The README's example system (the python block with ``@system``), as the file its commands name."""
    return next(b for b in readme_blocks("python") if "@system(" in b)


def readme_lines(prefix: str) -> list[str]:
    """Lines of the bash blocks starting with ``prefix``, continuation lines joined, comments dropped."""
    out = []
    for block in readme_blocks("bash"):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip()
            if line.startswith(prefix):
                out.append(" ".join(shlex.split(line, comments=True)))
    return out


def readme_commands() -> list[str]:
    return readme_lines("sumbench ")


def skip_reason(command: str) -> str | None:
    if NEEDS_LLM.search(command):
        return "needs an LLM endpoint on the network"
    if "results/meta/" in command and not SHARED.is_dir():
        return f"needs the shared data ({SHARED}), absent here"
    return None


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
    for name in ("published.jsonl", "mine.jsonl"):  # the outputs files the pages name
        (work / name).write_text(outputs_example(), encoding="utf-8")
    (work / "my_system.py").write_text(plugin_example(), encoding="utf-8")
    runs: list[str] = []  # run folders, in the order the README makes them
    out: dict[str, tuple[int, str]] = {}
    old = os.getcwd()
    os.chdir(work)
    try:
        if SHARED.is_dir():  # the README's `python benchmarks/...` preparation lines
            for line in readme_lines("python benchmarks/"):
                args = [a.replace("../shared/data", str(SHARED)) for a in shlex.split(line)[1:]]
                subprocess.run([sys.executable, str(REPO / args[0]), *args[1:]], check=True, capture_output=True)
                _keep_first_clusters(Path(args[-1]))
        for command in COMMANDS:
            if skip_reason(command):
                continue
            if "judgments.jsonl" in command and not Path("judgments.jsonl").exists():
                _judgments(Path(runs[0]), Path("judgments.jsonl"))
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
    reason = skip_reason(command)
    if reason:
        pytest.skip(reason)
    code, output = outcomes[command]
    assert code == 0, f"{command}\n{output}"


@pytest.mark.slow
@pytest.mark.parametrize("command", COMMANDS)
def test_readme_command_fits_80_columns_and_hints_its_own_options(command, outcomes):
    """At COLUMNS=80: no line wider than 80, and every --option the output mentions is one of this command's."""
    if skip_reason(command):
        pytest.skip(skip_reason(command))
    _, output = outcomes[command]
    # Markdown, CSV, JSON and LaTeX are for files and other programs: a table row there is one line, however long
    text = not re.search(r"(-f|--format|--table) (markdown|csv|json|latex)\b", command)
    wide = [line for line in output.splitlines() if text and len(line.rstrip()) > 80]
    assert not wide, f"{command}: {len(wide)} lines wider than 80, e.g. {wide[0]!r}"
    assert not text or "…" not in output, f"{command}: a name or value cut with '…'"  # names fold, never cut
    own = command_options(command.split()[1])
    named = set(re.findall(r"(?<![\w/-])(--[a-z][a-z-]*)", output))
    assert named <= own, f"{command}: the output names {sorted(named - own)}, not options of this command"


def command_options(name: str) -> set[str]:
    import typer

    command = typer.main.get_command(app).commands[name]
    options = {opt for param in command.params for opt in [*param.opts, *param.secondary_opts] if opt.startswith("--")}
    return options | {"--help"}


def _keep_first_clusters(folder: Path) -> None:
    """Cut the prepared suite and its outputs/judgments files to the first KEEP_CLUSTERS clusters."""
    rows = [json.loads(line) for line in (folder / "suite.jsonl").read_text(encoding="utf-8").splitlines()]
    keep = {r["id"] for r in rows[:KEEP_CLUSTERS]}
    for path in folder.glob("*.jsonl"):
        lines = path.read_text(encoding="utf-8").splitlines()
        kept = [ln for ln in lines if json.loads(ln).get("id", json.loads(ln).get("cluster")) in keep]
        path.write_text("".join(ln + "\n" for ln in kept), encoding="utf-8")


def _judgments(run: Path, path: Path) -> None:
    """Made-up human scores for every summary of ``run`` (the README's judgments.jsonl)."""
    records = [json.loads(line) for line in (run / "summaries.jsonl").read_text(encoding="utf-8").splitlines()]
    rows = [{"cluster": r["cluster"], "system": r["system"], "score": i / 10} for i, r in enumerate(records)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _fill(arg: str, runs: list[str]) -> str:
    if arg == "path/to/multi_news/test.jsonl":
        return str(FIXTURES / "multi_news_small.jsonl")
    if "<run>" in arg or "<runA>" in arg:
        return runs[0]
    if "<runB>" in arg:
        return next(r for r in runs[1:] if "seed-news" in Path(r).name)
    return arg


def test_only_llm_and_shared_data_commands_are_skipped():
    skipped = [c for c in readme_commands() if NEEDS_LLM.search(c)]
    assert skipped and all(c.startswith(("sumbench run ", "sumbench score ")) for c in skipped)
    assert len(COMMANDS) - len(skipped) >= 12  # the rest all run (the shared-data ones when it is here)
    assert json.loads(outputs_example().splitlines()[0])["system"] == "pegasus-multinews"
