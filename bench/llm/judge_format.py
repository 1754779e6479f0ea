"""How an LLM judge lists texts in its prompt and asks for an answer in a JSON schema
(shared by the key-point, faithfulness and rubric judges)."""

from __future__ import annotations

from typing import Any, Sequence


def numbered(texts: Sequence[str]) -> str:
    """One text a line, numbered from 1, each on one line."""
    return "\n".join(f"{i}. {' '.join(t.split())}" for i, t in enumerate(texts, start=1))


def response_format(schema: dict[str, Any], server_kind: str | None,
                    name: str = "keypoint_judgments") -> dict[str, Any]:
    """The request field that carries ``schema``: llama-cpp-python reads it from a json_object
    format, OpenAI and vLLM from a json_schema one."""
    if server_kind == "llama-cpp-python":
        return {"type": "json_object", "schema": schema}
    return {"type": "json_schema", "json_schema": {"name": name, "strict": True, "schema": schema}}
