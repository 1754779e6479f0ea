"""Registry, discovery and NAME:key=value specs."""

from __future__ import annotations

import pytest

from bench.errors import PluginError
from bench.plugins.discovery import discover
from bench.plugins.params import split_spec
from conftest import FIXTURES, write


def test_builtins_are_discovered():
    plugins = discover()
    assert "lead" in plugins.systems and "rouge" in plugins.metrics


def test_spec_parsing_typed_and_labelled():
    r = discover().systems.create("lead:per_doc=true,n=2")
    assert r.params == {"n": 2, "per_doc": True, **{k: v for k, v in r.params.items() if k not in {"n", "per_doc"}}}
    assert r.label == "lead:n=2,per_doc=true"
    assert discover().systems.create("lead").label == "lead"


def test_quoted_values_keep_commas():
    assert split_spec("llm:prompt='a, b',n=1") == ("llm", {"prompt": "a, b", "n": "1"})


def test_unknown_system_did_you_mean():
    with pytest.raises(PluginError) as info:
        discover().systems.create("laed")
    assert "Unknown system 'laed'. Did you mean: lead?" in str(info.value)
    assert "Available:" in str(info.value)


def test_unknown_parameter_did_you_mean():
    with pytest.raises(PluginError) as info:
        discover().systems.create("lead:per_dco=true")
    msg = str(info.value)
    assert "unknown parameter 'per_dco'" in msg and "Did you mean: per_doc?" in msg and "Parameters:" in msg


@pytest.mark.parametrize(
    "spec, fragment",
    [("lead:n=three", "must be an integer"), ("lead:per_doc=maybe", "must be true or false"),
     ("lead:n=0", "n must be >= 1"), ("rouge:multi_ref=min", "must be one of max, mean"),
     ("rouge:types=rouge7x", "unknown ROUGE type"), ("lead:n", "expected key=value")],
)
def test_bad_values(spec, fragment):
    registry = discover()
    kind = registry.metrics if spec.startswith("rouge") else registry.systems
    with pytest.raises(PluginError, match=fragment):
        kind.create(spec)


def test_plugins_path_and_duplicates(tmp_path):
    plugins = discover([FIXTURES / "plugins"])
    assert "flaky" in plugins.systems
    dup = write(tmp_path / "dup.py", """
        from dataclasses import dataclass
        from bench.plugins import System, system

        @system("lead")
        @dataclass
        class Lead2(System):
            '''Clash.'''
            def summarize(self, cluster, budget, references=()):
                return ["x"]
    """)
    with pytest.raises(PluginError, match="duplicate system name 'lead'"):
        discover([dup])


def test_broken_plugin_names_file(tmp_path):
    bad = write(tmp_path / "broken.py", "import not_a_module_xyz\n")
    with pytest.raises(PluginError) as info:
        discover([bad])
    assert "broken.py" in str(info.value) and "not_a_module_xyz" in str(info.value)


def test_presets_from_toml(tmp_path):
    write(tmp_path / "named.toml", '[lead-5]\nsystem = "lead"\ndoc = "Five sentences."\nn = 5\n')
    plugins = discover([tmp_path])
    r = plugins.systems.create("lead-5")
    assert r.params["n"] == 5 and r.label == "lead-5"
    assert plugins.systems.get("lead-5").summary == "Five sentences."
    assert plugins.systems.create("lead-5:n=2").params["n"] == 2


def test_bad_preset_names_file_and_table(tmp_path):
    write(tmp_path / "named.toml", '[lead-x]\nsystem = "lead"\nnn = 5\n')
    with pytest.raises(PluginError) as info:
        discover([tmp_path])
    assert "named.toml [lead-x]" in str(info.value) and "unknown parameter 'nn'" in str(info.value)
