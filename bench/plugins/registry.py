"""A registry of named plugins of one kind, with did-you-mean errors."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import PluginError
from ..text.normalize import one_line
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
    #: a label settled for one run (``settle_labels``): the run folder's own, or the full label to tell
    #: two specs apart; empty: the short label
    fixed: str = ""

    @property
    def params(self) -> dict[str, Any]:
        return resolved_params(self.instance)

    @property
    def label(self) -> str:
        """What tables show: ``as=NAME``, a label settled for the run, or name plus the explicitly given
        parameters less operational ones and those that only say where it runs (``base_url``)."""
        return self.alias or self.fixed or self._label(hide_endpoint=True)

    @property
    def full_label(self) -> str:
        """``as=NAME``, or name plus every explicitly given non-operational parameter, endpoint included
        (the label before endpoints were left out: what default run folders are named by)."""
        return self.alias or self._label(hide_endpoint=False)

    @property
    def short_label(self) -> str:
        return self.alias or self._label(hide_endpoint=True)

    def with_label(self, label: str) -> "Resolved":
        return replace(self, fixed=label)

    def endpoint(self) -> dict[str, Any]:
        """The values of the parameters that say where it runs (``{"base_url": ...}``; empty for most plugins)."""
        params = self.params
        return {k: params.get(k) for k in sorted(endpoint_params(self.instance))}

    def _label(self, hide_endpoint: bool) -> str:
        skip = set(getattr(type(self.instance), "operational", frozenset()))
        if hide_endpoint:
            skip |= endpoint_params(self.instance)
        shown = sorted(k for k in self.overrides if k not in skip)
        if not shown:
            return self.entry.name
        resolved = self.params
        parts = ",".join(f"{display_name(k)}={_fmt(resolved[k])}" for k in shown)
        return f"{self.entry.name}:{parts}"


def endpoint_params(instance: Any) -> frozenset[str]:
    """Parameters that say where a plugin runs, not what it is (an LLM's ``base_url``): left out of its
    label, kept in its identity or signature, so results of different endpoints are never mixed."""
    return frozenset(getattr(type(instance), "endpoint_params", frozenset()))


def settle_labels(resolved: list[Resolved], kind: str, existing: dict[str, dict] | None = None) -> list[Resolved]:
    """Each plugin's label for one run, unique within it.

    ``existing``: the run folder's manifest entries (label -> entry with ``params``). A label given by
    ``as=NAME`` or already settled stays. Otherwise a run folder keeps the labels it was made with: the
    full label (endpoint included) when the folder holds it (runs made before endpoints were left out
    of labels, or when two endpoints had to be told apart), else the short label, unless the folder
    holds that short label for another endpoint, or another spec of this command gets the same short
    label: then the full label. Two specs that still share a label (the same spec twice, or an
    ``as=NAME`` taken twice) are an error.
    """
    existing = existing or {}

    def clashes_in_folder(r: Resolved) -> bool:
        entry = existing.get(r.short_label)
        if not isinstance(entry, dict) or not endpoint_params(r.instance):
            return False
        recorded = entry.get("params") or {}
        return any(recorded.get(k) != v for k, v in r.endpoint().items())

    chosen: list[Resolved] = []
    for r in resolved:
        if r.alias or r.fixed:
            chosen.append(r)
        elif r.full_label in existing or clashes_in_folder(r):
            chosen.append(r.with_label(r.full_label))
        else:
            chosen.append(r)
    counts: dict[str, int] = {}
    for r in chosen:
        counts[r.label] = counts.get(r.label, 0) + 1
    chosen = [r.with_label(r.full_label) if counts[r.label] > 1 and not (r.alias or r.fixed) else r
              for r in chosen]
    seen: set[str] = set()
    for r in chosen:
        if r.label in seen:
            raise PluginError(f"{kind} {r.label!r} given twice")
        seen.add(r.label)
    return chosen


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
    if not text or any(ch in text for ch in ":,='\"") or text != str(value) or not one_line(text):
        raise PluginError(f"as={value!r} in {spec!r}: give a short name without spaces at its ends, "
                          "':', ',', '=', quotes or control characters (a line break, a tab ...)")
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

    def recreate(self, label: str, recorded: dict[str, Any]) -> Resolved:
        """The plugin a run folder's manifest entry records (its ``name`` and resolved ``params``), under the
        label it has there; ``create(label)`` where the entry predates them. A label cannot be parsed back
        when it is an ``as=NAME`` or leaves the endpoint out."""
        name, params = recorded.get("name"), recorded.get("params")
        if not isinstance(name, str) or not isinstance(params, dict):
            return self.create(label)
        entry = self.get(name)
        preset = canonical_params(entry.cls, entry.preset, kind=self.kind, name=name)
        try:
            default = resolved_params(build_params(entry.cls, preset, kind=self.kind, name=name))
        except PluginError:  # no default instance (a required parameter): every parameter counts as given
            default = {}
        instance = build_params(entry.cls, {**preset, **params}, kind=self.kind, name=name)
        given = {k: v for k, v in resolved_params(instance).items() if default.get(k) != v}
        return Resolved(entry, instance, given, fixed=label)
