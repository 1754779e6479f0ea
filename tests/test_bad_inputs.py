"""Issue 12: every bad input gets a one-line error, nothing silently changes a score.

One test (or more) per finding, plus cases of the same classes the issue did
not list: text that differs only invisibly scores the same; anything read back
from a run folder is checked; configuration is checked; numbers are finite or
failures.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.cli import app
from bench.errors import PluginError
from bench.plugins.discovery import discover
from bench.suites import load_suite, references_root
from bench.tables import column_decimals, format_value
from bench.text.normalize import NORMALIZATION, TextError, check_text, decode_bytes, normalize_text
from conftest import make_suite, write

SEED = references_root() / "seed-news"
CLUSTER = "japan-defense-trump-visit"
DOCS = f"{CLUSTER}/documents"
REFS = f"{CLUSTER}/references"


def cli(*args: str, columns: int = 80):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": str(columns)})


def error_line(result, code: int = 1) -> str:
    """The single 'error: ...' line of a failed command (and no traceback)."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = [ln for ln in result.output.strip().splitlines() if ln.startswith(("error:", "internal error:"))]
    assert len(lines) == 1, result.output
    return lines[0]


def seed_copy(tmp_path: Path, name: str = "suite") -> Path:
    return Path(shutil.copytree(SEED, tmp_path / name))


def rouge(tmp_path: Path, suite: Path | str, *extra: str, system: str = "lead") -> dict[str, float]:
    out = tmp_path / f"run-{abs(hash((str(suite), extra, system)))}"
    res = cli("run", "-q", "--suite", str(suite), "--system", system, "--metric", "rouge", "--out", str(out),
              "--table", "json", *extra)
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output[res.output.index("["): res.output.rindex("]") + 1])
    return {r["metric"]: r["mean"] for r in rows}


def prepend(path: Path, data: bytes) -> None:
    path.write_bytes(data + path.read_bytes())


def edit(path: Path, fn) -> None:
    path.write_text(fn(path.read_text(encoding="utf-8")), encoding="utf-8")


@pytest.fixture(scope="module")
def clean_scores(tmp_path_factory):
    return rouge(tmp_path_factory.mktemp("clean"), SEED)


# --- 1. byte-order marks -------------------------------------------------------------------------


def test_bom_in_document_header_scores_as_clean(tmp_path, clean_scores):
    suite = seed_copy(tmp_path)
    prepend(suite / DOCS / "001.txt", b"\xef\xbb\xbf")
    doc = load_suite(str(suite)).cluster(CLUSTER).documents[0]
    assert doc.source == "National Times" and not doc.text.startswith(("+++", "outlet"))
    assert rouge(tmp_path, suite) == clean_scores


def test_bom_in_reference_and_suite_toml_accepted(tmp_path, clean_scores):
    suite = seed_copy(tmp_path)
    prepend(suite / REFS / "aggregator.md", b"\xef\xbb\xbf")
    prepend(suite / "suite.toml", b"\xef\xbb\xbf")
    assert load_suite(str(suite)).name == "seed-news"
    assert rouge(tmp_path, suite) == clean_scores


def test_bom_in_jsonl_and_csv_consistent(tmp_path):
    row = {"id": "a", "documents": ["The council approved a budget on Monday. Taxes will rise next year."],
           "reference": ["The council approved a budget."]}
    plain = tmp_path / "plain.jsonl"
    plain.write_text(json.dumps(row) + "\n", encoding="utf-8")
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())
    assert load_suite(str(bom), "generic").fingerprint() == load_suite(str(plain), "generic").fingerprint()
    csv_plain = tmp_path / "plain.csv"
    csv_plain.write_text('id,documents,reference\na,"The council met. It voted.","- The council voted."\n',
                         encoding="utf-8")
    csv_bom = tmp_path / "bom.csv"
    csv_bom.write_bytes(b"\xef\xbb\xbf" + csv_plain.read_bytes())
    a, b = load_suite(str(csv_plain), "generic"), load_suite(str(csv_bom), "generic")
    assert a.clusters[0].id == b.clusters[0].id == "a" and a.fingerprint() == b.fingerprint()


def test_utf16_file_refused_in_one_line(tmp_path):
    suite = seed_copy(tmp_path)
    doc = suite / DOCS / "002.txt"
    doc.write_bytes(doc.read_text(encoding="utf-8").encode("utf-16"))
    assert error_line(cli("run", "-q", "--suite", str(suite), "--metric", "rouge")) == (
        f"error: {doc}:1: not valid UTF-8: the file is UTF-16 (it starts with a UTF-16 byte-order mark);"
        " save it as UTF-8")


# --- 2. non-string bullets / documents in data files ---------------------------------------------


@pytest.mark.parametrize("field, value, message", [
    ("reference", [1, 2], "reference[0]: reference bullet 0 must be a string, got 1 (a number)"),
    ("reference", ["ok", None], "reference[1]: reference bullet 1 must be a string, got None (NoneType)"),
    ("reference", ["ok", "\u200b "], "reference[1]: reference bullet 1 is empty (no visible text)"),
    ("reference", 7, "reference: reference must be a string or a list of strings, got 7 (a number)"),
    ("documents", ["fine text.", {"t": 1}], "documents[1]: document 1 must be a string, got {'t': 1} (an object)"),
    ("title", 5, "title: title must be a string, got 5 (a number)"),
    ("id", [1], "id: id must be a string or a whole number, got [1] (a list)"),
])
def test_generic_rows_with_wrong_types_name_row_and_field(tmp_path, field, value, message):
    row = {"id": "a", "documents": ["The council approved a budget on Monday."], "reference": ["A budget."],
           "title": "t", field: value}
    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps(row) + "\n", encoding="utf-8")
    line = error_line(cli("run", "-q", "--suite", str(data), "--format", "generic", "--metric", "rouge"))
    assert line == f"error: {data}:1: {message}"


# --- 3. invisible characters: normalised once, everywhere ----------------------------------------


def test_reference_bullet_of_zero_width_spaces_is_an_error(tmp_path):
    suite = seed_copy(tmp_path)
    ref = suite / REFS / "aggregator.md"
    edit(ref, lambda t: t + "- \u200b\u200b\n")
    number = len(ref.read_text(encoding="utf-8").splitlines())
    assert error_line(cli("run", "-q", "--suite", str(suite), "--metric", "rouge")) == (
        f"error: {ref}:{number}: empty bullet: no visible text after the list marker"
        " (invisible characters such as zero-width spaces are removed)")


def same(t: str) -> str:
    return t


@pytest.mark.parametrize("dirty, clean", [
    (lambda t: t.replace("Japan", "Ja\u200bpan"), same),                     # zero-width space (the case)
    (lambda t: t.replace("Japan", "Ja\u00adpan").replace("Trump", "Tr\u200dump"), same),  # soft hyphen, ZWJ
    (lambda t: t.replace("military", "\u202emilitary\u202c").replace(" the ", " the\u2066 "), same),  # bidi
    (lambda t: t.replace(". ", ".\x00 ").replace("\n", "\r\n"), same),          # NUL and CRLF
    (lambda t: unicodedata.normalize("NFD", t.replace("Japan", "Japán")),     # decomposed accents
     lambda t: t.replace("Japan", "Japán")),
], ids=["zwsp", "soft-hyphen-zwj", "bidi", "nul-crlf", "nfd"])
def test_invisible_differences_read_as_the_clean_text(tmp_path, dirty, clean):
    suites = []
    for name, fn in (("dirty", dirty), ("clean", clean)):
        suite = seed_copy(tmp_path, name)
        for p in [*(suite / DOCS).glob("*.txt"), *(suite / REFS).glob("*.md")]:
            edit(p, fn)
        suites.append(load_suite(str(suite)))
    assert suites[0].fingerprint() == suites[1].fingerprint()


def test_zero_width_spaces_in_documents_score_as_clean(tmp_path, clean_scores):
    suite = seed_copy(tmp_path)
    for p in (suite / DOCS).glob("*.txt"):
        edit(p, lambda t: t.replace("Japan", "Ja\u200bpan"))
    assert rouge(tmp_path, suite) == clean_scores  # was 41.79 -> 39.11 ROUGE-1


def test_normalisation_rules():
    assert normalize_text("Ja\u200bpan\u00ad \ufeffX\u202e\x00\r\nnext") == "Japan X\nnext"
    assert normalize_text("e\u0301") == "\u00e9"
    assert normalize_text(normalize_text("a\u2028b")) == "a\nb"
    assert normalize_text("bad \ud800") == "bad \ufffd"  # data-model text: replaced ...
    with pytest.raises(TextError, match="unpaired surrogate U\\+D800"):
        check_text("bad \ud800")  # ... readers that can say where refuse it
    with pytest.raises(TextError, match="byte 0xff at column 5") as exc:
        decode_bytes(b"ok\nbad \xff\n")
    assert exc.value.line == 2
    assert decode_bytes(b"\xef\xbb\xbfx") == "x"


def test_normalisation_version_is_in_the_fingerprint(tmp_path, monkeypatch):
    import bench.model

    before = load_suite(str(SEED)).fingerprint()
    monkeypatch.setattr(bench.model, "NORMALIZATION", NORMALIZATION + "-next")
    assert load_suite(str(SEED)).fingerprint() != before


def test_system_output_is_normalised_like_references(tmp_path):
    from bench.budget import Budget, apply_budget

    assert apply_budget(["Ja\u200bpan  builds\u00ad up", "\u200b"], Budget()).bullets == ("Japan builds up",)
    with pytest.raises(TypeError):
        apply_budget("one string, not a list", Budget())


def test_outputs_file_with_invisible_bullet_and_broken_unicode(tmp_path):
    outputs = tmp_path / "out.jsonl"
    outputs.write_text(json.dumps({"cluster": CLUSTER, "system": "x", "bullets": ["\u200b\u200d"]}) + "\n")
    assert error_line(cli("score", "-q", "--outputs", str(outputs), "--metric", "rouge",
                          "-o", str(tmp_path / "r"))) == (f"error: {outputs}:1:bullets: every bullet is empty (empty bullets are "
                                                      "dropped; at least one must have text)")
    outputs.write_text('{"cluster": "%s", "system": "x", "bullets": ["ok \\ud800"]}\n' % CLUSTER)
    line = error_line(cli("score", "-q", "--outputs", str(outputs), "--metric", "rouge", "-o", str(tmp_path / "r")))
    assert line.startswith(f"error: {outputs}:1:bullets: broken Unicode: unpaired surrogate U+D800")


# --- 4. Python-keyword parameters ------------------------------------------------------------------


def test_mmr_lambda_as_the_readme_writes_it(tmp_path):
    scores = rouge(tmp_path, SEED, system="mmr:lambda=0.5")
    assert scores["rouge1"] > 0
    listing = cli("list", "systems").output
    assert "    lambda: float = 0.7" in listing and "lambda_" not in listing


def test_keyword_parameter_label_round_trips_and_selects(tmp_path):
    registry = discover()
    resolved = registry.systems.create("mmr:lambda=0.5")
    assert resolved.label == "mmr:lambda=0.5" and resolved.params["lambda_"] == 0.5
    again = registry.systems.create(resolved.label)  # a label is a spec
    assert again.label == resolved.label and again.params == resolved.params
    out = tmp_path / "run"
    assert cli("run", "-q", "--system", "mmr:lambda=0.5", "--system", "lead", "--metric", "rouge",
               "--out", str(out)).exit_code == 0
    res = cli("compare", str(out), "--system", "mmr:lambda=0.5", "--system", "lead", "-f", "json")
    assert res.exit_code == 0, res.output and "mmr:lambda=0.5" in res.output
    with pytest.raises(PluginError, match="parameter 'lambda' given twice"):
        registry.systems.create("mmr:lambda=0.5,lambda_=0.3")


def test_keyword_parameter_in_a_preset(tmp_path):
    write(tmp_path / "p" / "presets.toml", '[mmr-half]\nsystem = "mmr"\nlambda = 0.5\n')
    registry = discover([tmp_path / "p"])
    assert registry.systems.create("mmr-half").params["lambda_"] == 0.5
    assert registry.systems.create("mmr-half:lambda=0.9").label == "mmr-half:lambda=0.9"
    assert "sets lambda=0.5" in cli("list", "systems", "--plugins", str(tmp_path / "p")).output


def test_label_with_comma_value_is_quoted_so_it_parses_back():
    from bench.plugins.registry import _fmt

    assert _fmt("a, b") == "'a, b'" and _fmt(True) == "true" and _fmt(0.5) == "0.5"


# --- 5/6. run folders and --out ------------------------------------------------------------------


@pytest.fixture(scope="module")
def done_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("done") / "run"
    res = cli("run", "-q", "--system", "lead", "--metric", "rouge", "--out", str(out))
    assert res.exit_code == 0, res.output
    return out


def copy_run(done_run: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(done_run, tmp_path / "copy"))


RUN = ("run", "-q", "--system", "lead", "--metric", "rouge")


def test_out_is_a_file(tmp_path):
    f = tmp_path / "file.txt"
    f.write_text("x")
    assert error_line(cli(*RUN, "--out", str(f))) == (
        f"error: {f}: --out is a file, not a folder; give a new folder (or a run folder) for the results")
    assert error_line(cli(*RUN, "--out", str(f / "sub"))) == (
        f"error: {f / 'sub'}: --out cannot be created: {f} is a file, not a folder")


@pytest.mark.parametrize("root", ["/proc", "/sys"])
def test_out_under_virtual_file_systems(root):
    assert error_line(cli(*RUN, "--out", f"{root}/sumbench-run")) == (
        f"error: {root}/sumbench-run: --out is under {root}, a virtual file system; choose a folder on disk")


def test_out_is_a_folder_of_other_things(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    assert error_line(cli(*RUN, "--out", str(tmp_path))) == (
        f"error: {tmp_path}: --out is a folder that is not a sumbench run (it holds notes.txt); give a new or empty folder")


def test_out_with_an_unrelated_summaries_file(tmp_path):
    (tmp_path / "summaries.jsonl").write_text('{"hello": 1}\n')
    assert error_line(cli(*RUN, "--out", str(tmp_path))) == (
        f"error: {tmp_path}/summaries.jsonl:1: not a sumbench record: field 'key' must be a string, got nothing;"
        " the file was edited or is not sumbench's: move it out of the folder, or use another --out")


def test_invalid_utf8_in_a_jsonl_data_file(tmp_path):
    data = tmp_path / "d.jsonl"
    data.write_bytes(b'{"id": "a", "documents": ["ok."], "reference": ["ok"]}\n'
                     b'{"id": "b", "documents": ["caf\xe9."], "reference": ["ok"]}\n')
    assert error_line(cli("run", "-q", "--suite", str(data), "--format", "generic")) == (
        f"error: {data}:2: not valid UTF-8 (byte 0xe9 at column 31); save the file as UTF-8")


MANIFEST_ADVICE = ("delete it and rerun the command that made this run: the manifest is rebuilt from summaries.jsonl"
                   " and scores.jsonl without recomputing anything (its list of earlier invocations and timings is lost)")


@pytest.mark.parametrize("content, problem", [
    (os.urandom(64) + b"\xff", "the manifest is not UTF-8 JSON"),
    (b"[1, 2]", "not a sumbench manifest (a JSON list, not an object)"),
    (b'{"format_version": 1, "suite": {"name": "x"}}', "field 'fingerprint' must be a string, got nothing"),
    (b'{"format_version": 1, "suite": {"name": "x", "fingerprint": "f", "clusters": "one"}, "budget": {}}',
     "field 'suite.clusters' must be a count, got \"one\""),
])
def test_unreadable_manifest_says_delete_it(done_run, tmp_path, content, problem):
    run = copy_run(done_run, tmp_path)
    (run / "manifest.json").write_bytes(content)
    expected = f"error: {run}/manifest.json: {problem}; {MANIFEST_ADVICE}"
    assert error_line(cli("table", str(run))) == expected
    assert error_line(cli(*RUN, "--out", str(run))) == expected


def test_deleting_the_manifest_recovers_without_recomputation(done_run, tmp_path):
    run = copy_run(done_run, tmp_path)
    before = {n: (run / n).read_bytes() for n in ("summaries.jsonl", "scores.jsonl")}
    table = cli("table", str(run), "-f", "csv").output
    (run / "manifest.json").unlink()
    assert cli(*RUN, "--out", str(run)).exit_code == 0
    assert {n: (run / n).read_bytes() for n in before} == before  # nothing appended: nothing recomputed
    assert cli("table", str(run), "-f", "csv").output == table


@pytest.mark.parametrize("record, problem", [
    ({"foo": "bar"}, "field 'key' must be a string, got nothing"),
    (["a", "list"], "a score record must be a JSON object, got [\"a\", \"list\"]"),
    ({"key": "k", "summary_key": "s", "system": "lead", "cluster": "c", "metric": "rouge", "signature": "x",
      "status": "ok", "values": {"rouge1": "high"}}, "value 'rouge1' must be a finite number, got \"high\""),
    ({"key": "k", "summary_key": "s", "system": "lead", "cluster": "c", "metric": "rouge", "signature": "x",
      "status": "done"}, "field 'status' must be \"ok\" or \"failed\", got \"done\""),
])
def test_foreign_record_in_scores(done_run, tmp_path, record, problem):
    run = copy_run(done_run, tmp_path)
    with (run / "scores.jsonl").open("a") as fh:
        fh.write(json.dumps(record) + "\n")
    line = len((run / "scores.jsonl").read_text().splitlines())
    assert error_line(cli("table", str(run))) == (
        f"error: {run}/scores.jsonl:{line}: not a sumbench record: {problem}; the file was edited or is not"
        " sumbench's: move it out of the folder, or use another --out")


def test_invalid_utf8_record_in_summaries(done_run, tmp_path):
    run = copy_run(done_run, tmp_path)
    with (run / "summaries.jsonl").open("ab") as fh:
        fh.write(b'{"key": "\xff"}\n')
    line = len((run / "summaries.jsonl").read_bytes().splitlines())
    assert error_line(cli("table", str(run))) == (
        f"error: {run}/summaries.jsonl:{line}: corrupt record (not UTF-8 JSON); the file was edited or is not"
        " sumbench's: move it out of the folder, or use another --out")


def test_manifest_has_the_same_mode_as_the_other_files(tmp_path):
    old = os.umask(0o022)
    try:
        out = tmp_path / "run"
        assert cli(*RUN, "--out", str(out)).exit_code == 0
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in out.iterdir() if p.is_file()}
    assert modes["manifest.json"] == modes["summaries.jsonl"] == 0o644, modes


# --- configuration is checked, not guessed ---------------------------------------------------------


@pytest.mark.parametrize("text, message", [
    ('nmae = "x"\n', "nmae: unknown setting 'nmae'. Did you mean: name? Allowed: defaults, description, name"),
    ('name = "x"\n[defaults]\nword = 120\n', "defaults.word: unknown setting 'defaults.word'. Did you mean: words?"
     " Allowed: defaults.bullets, defaults.metrics, defaults.systems, defaults.words"),
    ('name = "x"\n[defaults]\nwords = "120"\n', "defaults.words: must be a whole number >= 1, got '120' (a string)"),
    ('name = "x"\n[defaults]\nsystems = "lead"\n', "defaults.systems: must be a non-empty list of specs like"
     ' ["lead", "lead:n=5"], got \'lead\' (a string)'),
    ('name = 5\n', "name: must be a string, got 5 (a number)"),
])
def test_suite_toml_settings_checked(tmp_path, text, message):
    suite = make_suite(tmp_path / "s")
    (suite / "suite.toml").write_text(text)
    assert error_line(cli("run", "-q", "--suite", str(suite))) == f"error: {suite / 'suite.toml'}: {message}"


def test_cluster_and_header_fields_checked(tmp_path):
    suite = make_suite(tmp_path / "s")
    (suite / "c0" / "cluster.toml").write_text('titel = "x"\n')
    assert error_line(cli("run", "-q", "--suite", str(suite))) == (
        f"error: {suite / 'c0' / 'cluster.toml'}: titel: unknown setting 'titel'. Did you mean: title? Allowed: id, title")
    (suite / "c0" / "cluster.toml").write_text('title = "x"\n')
    doc = suite / "c0" / "documents" / "d0.txt"
    edit(doc, lambda t: t.replace('outlet = "Outlet 0"', 'outlet = "Outlet 0"\nauthor = "me"'))
    assert error_line(cli("run", "-q", "--suite", str(suite))) == (
        f"error: {doc}: author: unknown field 'author'. Allowed: id, outlet, published, title, url")
    edit(doc, lambda t: t.replace('author = "me"', 'published = 2025-10-22'))
    assert load_suite(str(suite)).cluster("c0").documents[0].published == "2025-10-22"  # a TOML date is fine


@pytest.mark.parametrize("preset, message", [
    ('[p]\nsystem = "lead"\nn = 2.5\n', "system p parameter n: must be an integer; got 2.5"),
    ('[p]\nsystem = "lead"\nn = true\n', "system p parameter n: must be an integer; got True"),
    ('[p]\nsystem = "mmr"\nlambda = nan\n', "system p parameter lambda: must be a finite number; got nan"),
    ('[p]\nsystem = "lead"\nnn = 2\n', "unknown parameter 'nn' for system 'p'. Did you mean: n?"),
    ('[p]\nsystem = "lead"\ndoc = 3\n', '"doc" must be a string, got 3'),
])
def test_presets_checked(tmp_path, preset, message):
    write(tmp_path / "p" / "x.toml", preset)
    line = error_line(cli("list", "systems", "--plugins", str(tmp_path / "p")))
    assert line.startswith(f"error: {tmp_path / 'p' / 'x.toml'} [p]: {message}")


@pytest.mark.parametrize("spec, message", [
    ("mmr:lambda=nan", "system mmr parameter lambda: must be a finite number; got 'nan'"),
    ("mmr:lambda=-inf", "system mmr parameter lambda: must be a finite number; got '-inf'"),
    ("lead:n=1e400", "system lead parameter n: must be an integer; got '1e400'"),
])
def test_non_finite_parameters_refused_when_parsed(spec, message):
    assert error_line(cli(*RUN[:2], "--system", spec), code=2) == f"error: {message}"


def test_non_finite_alpha_refused():
    res = cli("compare", "nowhere", "--alpha", "nan")
    assert res.exit_code == 2 and "--alpha" in res.output and "Traceback" not in res.output


# --- numbers are finite or failures; exit 3 when nothing was produced ------------------------------

PLUGINS = '''
import math
from dataclasses import dataclass
from bench.plugins import System, system
from bench.plugins.metric import Metric, MetricResult, metric
from bench.plugins.system import SystemOutput


@system("always-fails")
@dataclass
class AlwaysFails(System):
    """Raises on every cluster."""

    def summarize(self, cluster, budget, references=()):
        raise ValueError("no model here")


@system("broken-unicode")
@dataclass
class BrokenUnicode(System):
    """Raises with a lone surrogate in its message."""

    def summarize(self, cluster, budget, references=()):
        raise ValueError("bad \\ud800 escape")


@system("odd-meta")
@dataclass
class OddMeta(System):
    """Good bullets, meta that is not JSON."""

    kind: str = "nan"

    def summarize(self, cluster, budget, references=()):
        meta = {"nan": {"x": math.nan}, "set": {"x": {1, 2}}, "ok": {"x": 1}}[self.kind]
        return SystemOutput(("The council approved a budget.",), meta)


@metric("bad-number")
@dataclass
class BadNumber(Metric):
    """Returns a value that is not a finite number."""

    headline = ("v",)
    kind: str = "nan"

    def score(self, items):
        value = {"nan": math.nan, "inf": math.inf, "str": "0.5", "bool": True}[self.kind]
        return [MetricResult({"v": value}) for _ in items]


@metric("bad-details")
@dataclass
class BadDetails(Metric):
    """Finite value, details that are not JSON."""

    headline = ("v",)

    def score(self, items):
        return [MetricResult({"v": 0.5}, details={"ids": {1, 2}}) for _ in items]
'''


@pytest.fixture
def plugins(tmp_path):
    return write(tmp_path / "plugins" / "odd.py", PLUGINS)


def test_every_summary_failed_exits_3_with_reason_last(tmp_path, tiny_suite, plugins):
    res = cli("run", "-q", "--suite", str(tiny_suite), "--plugins", str(plugins), "--system", "always-fails",
              "--system", "lead", "--metric", "rouge", "--out", str(tmp_path / "r"))
    assert res.exit_code == 3, res.output
    assert res.output.strip().splitlines()[-1] == (
        "error: produced nothing: system always-fails produced no summary (2× ValueError: no model here)")


@pytest.mark.parametrize("kind", ["nan", "inf", "str", "bool"])
def test_non_finite_metric_value_is_a_failure_not_a_table_entry(tmp_path, tiny_suite, plugins, kind):
    out = tmp_path / "r"
    res = cli("run", "-q", "--suite", str(tiny_suite), "--plugins", str(plugins), "--system", "lead",
              "--metric", f"bad-number:kind={kind}", "--metric", "rouge", "--out", str(out), "--table", "json")
    assert res.exit_code == 3, res.output
    assert "metric bad-number:kind=" in res.output.strip().splitlines()[-1]
    rows = json.loads(res.output[res.output.index("["): res.output.rindex("]") + 1])
    bad = [r for r in rows if r["metric"].endswith("v")]
    assert bad and all(r["mean"] is None and r["failures"] == 2 and "not a finite number" in r["note"] for r in bad)
    assert "NaN" not in (out / "scores.jsonl").read_text() and "Infinity" not in (out / "scores.jsonl").read_text()


def test_details_not_json_is_a_failure(tmp_path, tiny_suite, plugins):
    out = tmp_path / "r"
    res = cli("run", "-q", "--suite", str(tiny_suite), "--plugins", str(plugins), "--system", "lead",
              "--metric", "bad-details", "--out", str(out))
    assert res.exit_code == 3
    assert "metric details.ids is a set, which cannot be stored as JSON" in res.output


@pytest.mark.parametrize("kind, reason", [("nan", "system meta.x is nan, not a finite number"),
                                          ("set", "system meta.x is a set, which cannot be stored as JSON")])
def test_system_meta_not_json_is_that_clusters_failure(tmp_path, tiny_suite, plugins, kind, reason):
    out = tmp_path / "r"
    res = cli("run", "-q", "--suite", str(tiny_suite), "--plugins", str(plugins), "--system", f"odd-meta:kind={kind}",
              "--metric", "rouge", "--out", str(out))
    assert res.exit_code == 3 and reason in res.output
    ok = cli("run", "-q", "--suite", str(tiny_suite), "--plugins", str(plugins), "--system", "odd-meta:kind=ok",
             "--metric", "rouge", "--out", str(tmp_path / "ok"))
    assert ok.exit_code == 0, ok.output


# --- CLI and tables -----------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["run", "score", "table", "compare", "report", "list"])
def test_help_shows_no_placeholder_for_flags(command):
    text = cli(command, "--help").output
    assert "<bool>" not in text and "BOOLEAN" not in text
    if command == "run":
        assert "-q, --quiet " in text and "-o, --out DIR" in text


def test_o_means_output_in_every_command():
    score = cli("score", "--help").output
    assert "-o, --out DIR" in score and "--outputs FILE" in score and "-o, --outputs" not in score
    assert "-o, --output FILE" in cli("report", "--help").output


def test_score_o_given_the_outputs_file_is_one_line(tmp_path):
    outputs = tmp_path / "published.jsonl"
    outputs.write_text(json.dumps({"cluster": CLUSTER, "system": "x", "bullets": ["a b c"]}) + "\n")
    res = cli("score", "-q", "-o", str(outputs))  # the old meaning of -o
    assert res.exit_code == 2 and "--outputs" in res.output and "Traceback" not in res.output


@pytest.fixture(scope="module")
def wide_run(tmp_path_factory):
    """Three clusters, several metrics: a wide table with intervals."""
    root = tmp_path_factory.mktemp("wide")
    suite = make_suite(root / "s", clusters=3)
    out = root / "run"
    res = cli("run", "-q", "--suite", str(suite), "--system", "lead", "--system", "oracle", "--system", "mmr:lambda=0.5",
              "--metric", "rouge", "--metric", "length", "--metric", "extractiveness", "--out", str(out))
    assert res.exit_code == 0, res.output
    return out


@pytest.mark.parametrize("columns", [80, 100, 60])
def test_wide_table_fits_the_terminal(wide_run, columns):
    text = cli("table", str(wide_run), columns=columns).output
    assert max(len(line.rstrip()) for line in text.splitlines()) <= columns, text
    for name in ("rouge1", "rougeLsum", "words", "coverage", "density", "oracle (upper bound)", "mmr:lambda=0.5"):
        assert name in text
    assert "…" not in text
    if "part 1 of" in text:
        assert "in one piece:" in text and "--layout long" in text


def test_all_does_not_truncate_names_at_200_columns(wide_run):
    text = cli("table", str(wide_run), "--all", columns=200).output
    assert "…" not in text and max(len(line.rstrip()) for line in text.splitlines()) <= 200
    for name in ("rouge1_precision", "rougeLsum_precision", "rougeLsum_recall", "rouge2_recall"):
        assert name in text


def test_long_layout_fits_and_keeps_intervals_whole(wide_run):
    text = cli("table", str(wide_run), "--layout", "long", columns=80).output
    assert max(len(line.rstrip()) for line in text.splitlines()) <= 80
    assert all(line.count("[") == line.count("]") for line in text.splitlines())


def test_one_cluster_title_says_no_interval(done_run):
    text = cli("table", str(done_run)).output
    assert "seed-news · 1 cluster · budget 120 words · n=1: no interval" in text
    assert "95% CI" not in text and "1 clusters" not in text


def test_one_precision_per_column():
    assert column_decimals([0.706, 0.7293, None], percent=False) == 4
    assert [format_value(v, False, 4) for v in (0.706, 0.7293)] == ["0.7060", "0.7293"]
    assert column_decimals([12.5, 3.0], percent=False) == 2 and column_decimals([0.5], percent=True) == 2
    assert column_decimals([1234.0], percent=False) == 0


def test_one_precision_in_a_rendered_column(tmp_path):
    from bench.tables import Row, TableFormat, render_wide

    rows = [Row("a", "bertscore_f1", 0.706, 1, 0, 0, False, False), Row("b", "bertscore_f1", 0.7293, 1, 0, 0, False, False)]
    text = render_wide(rows, TableFormat.text, "t", width=80)
    assert "0.7060" in text and "0.7293" in text and " 0.706 " not in text


def test_empty_document_warned_once(tmp_path, capsys, caplog):
    suite = make_suite(tmp_path / "s")
    write(suite / "c0" / "documents" / "d9.txt", '+++\noutlet = "X"\n+++\n\n')
    caplog.set_level("WARNING")
    load_suite(str(suite))
    assert sum("is empty" in r.getMessage() for r in caplog.records) == 1


def test_table_on_a_run_in_progress(done_run, tmp_path):
    run = copy_run(done_run, tmp_path)
    manifest = json.loads((run / "manifest.json").read_text())
    manifest["status"] = "running"
    (run / "manifest.json").write_text(json.dumps(manifest))
    with open(run / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        res = cli("table", str(run))
        assert res.exit_code == 0 and f"{run}: run in progress: the table below is partial" in res.output
        (run / "summaries.jsonl").write_text("")
        (run / "scores.jsonl").write_text("")
        res = cli("table", str(run))
        assert res.exit_code == 1 and f"{run}: run in progress: no summaries yet" in res.output
    res = cli("table", str(run))  # lock released, status still running: the run was stopped
    assert "run interrupted (rerun its command to finish it)" in res.output


def test_unexpected_error_is_one_line_with_exit_4(tmp_path, monkeypatch):
    import bench.listing

    def boom(*a, **k):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(bench.listing, "list_suites", boom)
    res = cli("list", "suites")
    assert res.exit_code == 4
    assert res.output.strip() == ("internal error: ZeroDivisionError: division by zero (a bug in sumbench or a plugin;"
                                  " SUMBENCH_DEBUG=1 shows the traceback)")


@pytest.mark.parametrize("args, option", [
    (("table", "x", "--seed", "-1"), "--seed"),
    (("run", "--seed", "-5"), "--seed"),
    (("table", "x", "--resamples", "1000000000"), "--resamples"),
    (("run", "--workers", "100000"), "--workers"),
])
def test_option_values_that_would_crash_or_allocate_without_bound(args, option):
    res = cli(*args)
    assert res.exit_code == 2 and option in res.output and "Traceback" not in res.output


def test_outputs_file_with_bom_and_crlf_reads_as_clean(tmp_path):
    lines = [json.dumps({"cluster": CLUSTER, "system": "pub", "bullets": ["Japan plans to build up its military."]}),
             json.dumps({"cluster": CLUSTER, "system": "pub2", "text": "- Japan plans a build-up.\n- Trump visits."})]
    plain, dirty = tmp_path / "plain.jsonl", tmp_path / "dirty.jsonl"
    plain.write_text("\n".join(lines) + "\n", encoding="utf-8")
    dirty.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
    from bench.runner.imported import read_outputs

    suite = load_suite(str(SEED))
    assert read_outputs(dirty, suite) == read_outputs(plain, suite)


def test_outputs_system_names_differing_invisibly_are_one_system(tmp_path):
    outputs = tmp_path / "o.jsonl"
    outputs.write_text(json.dumps({"cluster": CLUSTER, "system": "pub", "bullets": ["a b"]}) + "\n"
                       + json.dumps({"cluster": CLUSTER, "system": "p\u200bub", "bullets": ["c d"]}) + "\n")
    line = error_line(cli("score", "-q", "--outputs", str(outputs), "-o", str(tmp_path / "r")))
    assert line.startswith(f"error: {outputs}:2:cluster: second output for system 'pub'")


def test_prompt_template_with_bom_and_crlf_reads_as_clean(tmp_path):
    from bench.llm.prompt import load_template

    text = "[system]\nYou summarize news.\n[user]\nSummarize:\n{documents}\n"
    plain, dirty = tmp_path / "plain.txt", tmp_path / "dirty.txt"
    plain.write_text(text, encoding="utf-8")
    dirty.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    a, b = load_template(str(plain), tmp_path / "none"), load_template(str(dirty), tmp_path / "none")
    assert (a.system, a.user) == (b.system, b.user) == ("You summarize news.", "Summarize:\n{documents}")
    dirty.write_bytes(b"[user]\n{documents} caf\xe9\n")
    with pytest.raises(PluginError, match=r"dirty.txt:2: not valid UTF-8"):
        load_template(str(dirty), tmp_path / "none")


@pytest.mark.parametrize("name, content, message", [
    ("g.jsonl", b'{"id": "a", "documents": ["x."], "reference": ["y"]}\n{oops\n',
     "g.jsonl:2: not valid JSON (Expecting property name enclosed in double quotes, column 2);"
     " each line of a .jsonl file is one JSON object"),
    ("l.jsonl", b"[1, 2]\n", "l.jsonl:1: each line of a .jsonl file must be a JSON object, got [1, 2] (a list)"),
    ("g.csv", b'id,documents,reference\na,"unterminated,x\n',
     "g.csv: cannot read data file: ParserError: Error tokenizing data. C error: EOF inside string starting at row 1"),
    ("g.parquet", b"PAR1garbage", "g.parquet: cannot read data file: ArrowInvalid: Parquet magic bytes not found"),
])
def test_malformed_data_files_are_one_line(tmp_path, name, content, message):
    data = tmp_path / name
    data.write_bytes(content)
    res = cli("run", "-q", "--suite", str(data), "--format", "generic")
    assert error_line(res).startswith(f"error: {tmp_path}/{message}")
    assert len(res.output.strip().splitlines()) == 1, res.output  # datasets' own log lines are not repeated


def test_error_message_with_broken_unicode_is_stored_not_a_crash(tmp_path, tiny_suite, plugins):
    out = tmp_path / "r"
    res = cli("run", "-q", "--suite", str(tiny_suite), "--plugins", str(plugins), "--system", "broken-unicode",
              "--metric", "rouge", "--out", str(out))
    assert res.exit_code == 3 and "Traceback" not in res.output
    assert "produced no summary (2× ValueError: bad" in res.output.strip().splitlines()[-1]
