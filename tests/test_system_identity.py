"""What identifies a system's output: non-operational params and content."""

from __future__ import annotations

from bench.plugins.discovery import discover
from bench.runner.keys import system_identity


def _identity(spec: str) -> dict:
    r = discover().systems.create(spec)
    return system_identity(r.entry.name, r.instance, r.params)


def test_operational_params_do_not_change_keys_or_labels():
    base = "llm:model=m,base_url=http://127.0.0.1:9/v1"
    assert _identity(base) == _identity(base + ",timeout=5,concurrency=2,max_requests=3")
    assert _identity(base) != _identity(base + ",temperature=0.7")
    label = discover().systems.create(base + ",timeout=5").label
    assert "timeout" not in label and "model=m" in label


def test_editing_a_prompt_file_changes_identity(tmp_path):
    prompt = tmp_path / "p.txt"
    prompt.write_text("[user]\nSummarize:\n{documents}\n")
    spec = f"llm:model=m,base_url=http://127.0.0.1:9/v1,prompt={prompt}"
    before = _identity(spec)
    prompt.write_text("[user]\nList the key points:\n{documents}\n")
    assert _identity(spec) != before
