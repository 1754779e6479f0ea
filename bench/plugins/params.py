"""Typed plugin parameters: ``NAME:key=value,...`` specs parsed and validated."""

from __future__ import annotations

import dataclasses
import difflib
import enum
import keyword
import math
import types
import typing
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from ..errors import PluginError

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def did_you_mean(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" Did you mean: {close[0]}?" if close else ""


def split_spec(spec: str) -> tuple[str, dict[str, str]]:
    """``lead:n=3,per_doc=true`` -> ("lead", {"n": "3", "per_doc": "true"}).

    Values may be quoted with ' or " to contain commas.
    """
    name, _, rest = spec.partition(":")
    name = name.strip()
    if not name:
        raise PluginError(f"empty name in spec {spec!r}")
    raw: dict[str, str] = {}
    for item in _split_commas(rest):
        if not item.strip():
            continue
        key, eq, value = item.partition("=")
        if not eq:
            raise PluginError(f"expected key=value in {spec!r}, got {item!r}")
        key = key.strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        if key in raw:
            raise PluginError(f"parameter {key!r} given twice in {spec!r}")
        raw[key] = value
    return name, raw


def _split_commas(text: str) -> list[str]:
    parts, buf, quote = [], [], None
    for ch in text:
        if quote:
            buf.append(ch)
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            buf.append(ch)
        elif ch == ",":
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return parts


def param_fields(cls: type) -> dict[str, dataclasses.Field]:
    if not dataclasses.is_dataclass(cls):
        return {}
    return {f.name: f for f in dataclasses.fields(cls) if f.init and not f.name.startswith("_")}


def display_name(field_name: str) -> str:
    """How users write a parameter: a Python keyword field ``lambda_`` is ``lambda``."""
    base = field_name[:-1]
    return base if field_name.endswith("_") and keyword.iskeyword(base) else field_name


def canonical_params(cls: type, raw: dict[str, Any], *, kind: str, name: str) -> dict[str, Any]:
    """``raw`` with keys as field names (``lambda`` -> ``lambda_``); a parameter
    given twice under both spellings is an error. Unknown keys are kept (build_params names them)."""
    fields = param_fields(cls)
    out: dict[str, Any] = {}
    for key, value in raw.items():
        field = key
        if key not in fields and keyword.iskeyword(key) and f"{key}_" in fields:
            field = f"{key}_"
        if field in out:
            raise PluginError(f"parameter {display_name(field)!r} given twice for {kind} {name!r}")
        out[field] = value
    return out


def coerce(value: Any, annotation: Any, where: str) -> Any:
    """Convert a string (or TOML value) to the annotated parameter type."""
    origin = get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if value is None or (isinstance(value, str) and value.lower() in {"none", "null", ""}):
            return None
        errors = []
        for arg in args:
            try:
                return coerce(value, arg, where)
            except PluginError as exc:
                errors.append(exc.message)
        raise PluginError("; ".join(errors), where=where)
    if origin is Literal:
        choices = list(get_args(annotation))
        for choice in choices:
            if str(choice) == str(value):
                return choice
        raise PluginError(f"must be one of {', '.join(map(str, choices))}; got {value!r}", where=where)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        try:
            return annotation(value)
        except ValueError:
            choices = ", ".join(str(m.value) for m in annotation)
            raise PluginError(f"must be one of {choices}; got {value!r}", where=where) from None
    if annotation is bool:
        if isinstance(value, bool):
            return value
        text = str(value).lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise PluginError(f"must be true or false; got {value!r}", where=where)
    if annotation is int:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise PluginError(f"must be an integer; got {value!r}", where=where)
        try:
            return int(value)
        except (TypeError, ValueError, OverflowError):
            raise PluginError(f"must be an integer; got {value!r}", where=where) from None
    if annotation is float:
        if isinstance(value, bool):
            raise PluginError(f"must be a number; got {value!r}", where=where)
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise PluginError(f"must be a number; got {value!r}", where=where) from None
        if not math.isfinite(number):
            raise PluginError(f"must be a finite number; got {value!r}", where=where)
        return number
    if annotation in (str, Path):
        if not isinstance(value, (str, Path)):
            raise PluginError(f"must be a string; got {value!r}", where=where)
        return Path(value) if annotation is Path else str(value)
    return value


def build_params(cls: type, raw: dict[str, Any], *, kind: str, name: str) -> Any:
    """Instantiate a dataclass plugin from raw values, with did-you-mean errors."""
    fields = param_fields(cls)
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    shown = sorted(display_name(f) for f in fields)
    for key, value in canonical_params(cls, raw, kind=kind, name=name).items():
        if key not in fields:
            raise PluginError(
                f"unknown parameter {key!r} for {kind} {name!r}.{did_you_mean(key, shown)}"
                f" Parameters: {', '.join(shown) or '(none)'}"
            )
        values[key] = coerce(value, hints.get(key, str), f"{kind} {name} parameter {display_name(key)}")
    try:
        obj = cls(**values)
    except PluginError:
        raise
    except (TypeError, ValueError) as exc:
        raise PluginError(f"invalid parameters for {kind} {name!r}: {exc}") from None
    return obj


def resolved_params(obj: Any) -> dict[str, Any]:
    """The parameters an instance actually runs with, JSON-ready."""
    out = {}
    for key in param_fields(type(obj)):
        value = getattr(obj, key)
        if isinstance(value, enum.Enum):
            value = value.value
        elif isinstance(value, Path):
            value = str(value)
        out[key] = value
    return out


def describe_params(cls: type) -> list[tuple[str, str, str]]:
    """(name, type, default) for listing."""
    hints = typing.get_type_hints(cls)
    rows = []
    for key, f in param_fields(cls).items():
        ann = hints.get(key, Any)
        if get_origin(ann) is Literal:
            type_name = "|".join(str(a) for a in get_args(ann))
        else:
            type_name = getattr(ann, "__name__", None) or str(ann).replace("typing.", "")
        if f.default is not dataclasses.MISSING:
            default = repr(f.default)
        elif f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
            default = repr(f.default_factory())  # type: ignore[misc]
        else:
            default = "(required)"
        rows.append((display_name(key), type_name, default))
    return rows
