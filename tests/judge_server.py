"""Scripted key-point judges for the Chat Completions test server (tests/llm_server.py).

``ScriptedJudge(rules, default)`` answers a request with the first rule whose
marker (any substring) occurs in the prompt; without a match it uses
``default`` (a fixed answer, or a callable of the prompt), else ``overlap_judge``.
``overlap_judge`` is a deterministic stand-in for a model: it reads the numbered
key points and summary bullets from the default template's prompt and calls a
key point covered when a bullet has at least half of its content words,
partly at a quarter.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

from tests.llm_server import FakeChatServer

Answer = str | Callable[[str], str]
_NUMBERED = re.compile(r"^(\d+)\. (.*)$")


def judgment(*entries: tuple[str, list[Any]]) -> str:
    """A well-formed answer: one (label, 1-based bullets) per key point, in order."""
    return json.dumps({"keypoints": [{"keypoint": j, "label": label, "bullets": bullets}
                                     for j, (label, bullets) in enumerate(entries, start=1)]})


class ScriptedJudge:
    def __init__(self, rules: dict[str, Answer] | None = None, default: Answer | None = None) -> None:
        self.rules = rules or {}
        self.default = default

    def __call__(self, body: dict[str, Any]) -> str:
        prompt = "\n".join(str(m.get("content", "")) for m in body["messages"])
        for marker, answer in self.rules.items():
            if marker in prompt:
                return answer(prompt) if callable(answer) else answer
        if self.default is not None:
            return self.default(prompt) if callable(self.default) else self.default
        return overlap_judge(prompt)


def judge_server(rules: dict[str, Answer] | None = None, default: Answer | None = None, **kwargs: Any) -> FakeChatServer:
    return FakeChatServer(answer=ScriptedJudge(rules, default), **kwargs)


def prompt_lists(prompt: str) -> tuple[list[str], list[str]]:
    """(key points, summary bullets) as numbered in the default template's prompt."""
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in prompt.splitlines():
        match = _NUMBERED.match(line)
        if match:
            if current is None or match.group(1) == "1":
                current = []
                blocks.append(current)
            current.append(match.group(2))
        elif line.strip():
            current = None
    return blocks[0], blocks[1]


def overlap_judge(prompt: str) -> str:
    keypoints, bullets = prompt_lists(prompt)
    entries = []
    for kp in keypoints:
        words = _content(kp)
        shares = [len(words & _content(b)) / max(len(words), 1) for b in bullets]
        full = [i + 1 for i, s in enumerate(shares) if s >= 0.5]
        some = [i + 1 for i, s in enumerate(shares) if s >= 0.25]
        entries.append(("covered", full) if full else ("partly", some) if some else ("not", []))
    return judgment(*entries)


def _content(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 3}
