"""Input built to break a parser (thousands of nested brackets) and plugins that call sys.exit():
each is a clear one-line refusal or the plugin's recorded failure, never RecursionError or a silent exit 0."""

from __future__ import annotations

import json
import shutil

from bench.suites import references_root
from test_bad_inputs import CLUSTER, cli, error_line

DEEP = 5000
NESTED = f"{DEEP * '['}{DEEP * ']'}"
DEPTH_MESSAGE = "nested more than 100 levels deep"


def test_deeply_nested_suite_toml_names_the_file_and_line(tmp_path):
    suite = tmp_path / "deep"
    shutil.copytree(references_root() / "seed-news", suite)
    toml = suite / "suite.toml"
    lines = toml.read_text().count("\n")
    toml.write_text(toml.read_text() + f"x = {NESTED}\n")
    line = error_line(cli("run", "-q", "--suite", str(suite), "--out", str(tmp_path / "r")))
    assert line == (f"error: {toml}: {DEPTH_MESSAGE} from line {lines + 1} ([ and {{ inside each other); "
                    "no input needs that")


def test_deeply_nested_outputs_line_names_the_file_and_line(tmp_path):
    outputs = tmp_path / "out.jsonl"
    good = {"cluster": CLUSTER, "system": "x", "bullets": ["Japan builds up."]}
    outputs.write_text(json.dumps(good) + "\n" + json.dumps(good)[:-1] + f', "meta": {{"a": {NESTED}}}}}\n')
    line = error_line(cli("score", "-q", "--outputs", str(outputs), "--metric", "length", "-o", str(tmp_path / "r")))
    assert line == f"error: {outputs}:2: {DEPTH_MESSAGE} ([ and {{ inside each other); no input needs that"


def test_deeply_nested_jsonl_suite_and_presets(tmp_path):
    data = tmp_path / "deep.jsonl"
    data.write_text(json.dumps({"document": "a", "summary": "b"})[:-1] + f', "x": {NESTED}}}\n')
    line = error_line(cli("run", "-q", "--suite", str(data), "--format", "multi_news", "--out", str(tmp_path / "r")))
    assert line.startswith(f"error: {data}:1: {DEPTH_MESSAGE}")
    presets = tmp_path / "plugins"
    presets.mkdir()
    (presets / "presets.toml").write_text(f"[mine]\nsystem = \"lead\"\nx = {NESTED}\n")
    line = error_line(cli("list", "systems", "--plugins", str(presets)))
    assert line.startswith(f"error: {presets / 'presets.toml'}: {DEPTH_MESSAGE} from line 3")


def test_plugin_that_exits_at_import_is_refused(tmp_path):
    plugin = tmp_path / "quits.py"
    plugin.write_text("import sys\nsys.exit(0)\n")
    result = cli("list", "systems", "--plugins", str(plugin))
    assert error_line(result) == f"error: {plugin}: could not import plugin: it called sys.exit(0) while being imported"


def test_plugin_that_exits_while_summarizing_is_its_failure(tmp_path):
    plugin = tmp_path / "quitter.py"
    plugin.write_text(
        "import sys\nfrom bench.plugins.system import System, system\n\n\n"
        "@system('quitter')\nclass Quitter(System):\n    \"\"\"Calls sys.exit.\"\"\"\n\n"
        "    def summarize(self, cluster, budget, references=()):\n        sys.exit(0)\n")
    result = cli("run", "-q", "--plugins", str(plugin), "--system", "quitter", "--system", "lead", "--metric", "length",
                 "--workers", "1", "--out", str(tmp_path / "r"))
    assert error_line(result, code=3) == ("error: produced nothing: system quitter produced no summary "
                                          "(1× RuntimeError: the system called sys.exit(0))")
    assert "lead" in result.output  # the other system ran and is in the table
