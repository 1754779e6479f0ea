"""A registry of named plugins of one kind, with did-you-mean errors."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

from ..errors import PluginError
from .params import build_params, canonical_params, display_name, resolved_params, split_spec, did_you_mean


@dataclass(frozen=True)
class Entry:
    kind: str  # "system" or "metric"
    name: str
    cls: type
    origin: str  # module or file it came from
    preset: dict[str, Any] = field(default_factory=dict)  # for config entries
    doc: str = ""

    @property
    def summary(self) -> str:
        text = self.doc or inspect.getdoc(self.cls) or ""
        return text.strip().splitlines()[0] if text.strip() else ""


@dataclass(frozen=True)
class Resolved:
    """A plugin instance plus how it was asked for."""

    entry: Entry
    instance: Any
    overrides: dict[str, Any]  # params given on the command line
    alias: str = ""  # `as=NAME` in the spec: the label to show instead of name and parameters

    @property
    def params(self) -> dict[str, Any]:
        return resolved_params(self.instance)

    @property
    def label(self) -> str:
        """Name plus the explicitly given parameters (stable and readable), or the spec's ``as=NAME``."""
        if self.alias:
            return self.alias
        skip = getattr(type(self.instance), "operational", frozenset())
        shown = sorted(k for k in self.overrides if k not in skip)
        if not shown:
            return self.entry.name
        resolved = self.params
        parts = ",".join(f"{display_name(k)}={_fmt(resolved[k])}" for k in shown)
        return f"{self.entry.name}:{parts}"


def _fmt(value: Any) -> str:
    """A value as a spec writes it; quoted when it holds a comma or quote, so labels parse back."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if any(ch in text for ch in ",'\"") or text != text.strip():
        quote = "'" if "'" not in text else '"'
        return f"{quote}{text}{quote}"
    return text


def _alias(value: Any, spec: str) -> str:
    """``as=NAME``: a short label for a long spec (an LLM's endpoint ...); the parameters stay in the manifest."""
    if value is None:
        return ""
    text = str(value).strip()
    if not text or any(ch in text for ch in ":,='\"") or text != str(value):
        raise PluginError(f"as={value!r} in {spec!r}: give a short name without spaces at its ends, "
                          "':', ',', '=' or quotes")
    return text


class Registry:
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, Entry] = {}

    def add(self, entry: Entry) -> None:
        if entry.kind != self.kind:
            raise ValueError(f"{entry.kind} entry added to {self.kind} registry")
        old = self._entries.get(entry.name)
        if old is not None and old.origin != entry.origin:
            raise PluginError(
                f"duplicate {self.kind} name {entry.name!r}: defined in {old.origin} and {entry.origin}"
            )
        self._entries[entry.name] = entry

    def names(self) -> list[str]:
        return sorted(self._entries)

    def entries(self) -> list[Entry]:
        return [self._entries[n] for n in self.names()]

    def __contains__(self, name: str) -> bool:
        return name in self._entries

    def get(self, name: str) -> Entry:
        try:
            return self._entries[name]
        except KeyError:
            hint = did_you_mean(name, self.names())
            raise PluginError(
                f"Unknown {self.kind} {name!r}.{hint} Available: {', '.join(self.names())}"
            ) from None

    def create(self, spec: str) -> Resolved:
        """Instantiate from ``NAME[:key=value,...]``."""
        name, raw = split_spec(spec)
        entry = self.get(name)
        alias = _alias(raw.pop("as", None), spec)
        raw = canonical_params(entry.cls, raw, kind=self.kind, name=name)
        merged = {**canonical_params(entry.cls, entry.preset, kind=self.kind, name=name), **raw}
        instance = build_params(entry.cls, merged, kind=self.kind, name=name)
        return Resolved(entry, instance, dict(raw), alias)
