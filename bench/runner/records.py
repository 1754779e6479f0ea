"""What a run folder may hold, checked when it is read back.

Every record read from ``manifest.json``, ``summaries.jsonl`` and
``scores.jsonl`` is validated here against the shape the runner writes, so a
foreign, edited or damaged file is one error naming the file (and line) and
what to do, never a ``KeyError`` deep inside a table. The same module checks
what systems and metrics hand back before it is written: numbers must be
finite, everything must be JSON.
"""

from __future__ import annotations

import json
import math
import numbers
from typing import Any, Callable

from ..errors import RunError

MANIFEST_RECOVERY = ("delete it and rerun the command that made this run: the manifest is rebuilt from "
                     "summaries.jsonl and scores.jsonl without recomputing anything (its list of earlier "
                     "invocations and timings is lost)")
RECORD_ADVICE = "the file was edited or is not sumbench's: move it out of the folder, or use another --out"


class RecordError(ValueError):
    """A value that does not have the expected shape (message says which field)."""


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise RecordError(message)


def _str(rec: dict, key: str, optional: bool = False) -> None:
    value = rec.get(key)
    if isinstance(value, str) or (value is None and optional):
        return
    raise RecordError(f"field {key!r} must be a string, got {_short(value)}")


def _short(value: Any) -> str:
    text = json.dumps(value, default=str) if value is not None else "nothing"
    return text if len(text) <= 40 else text[:39] + "…"


def is_finite_number(value: Any) -> bool:
    if type(value) is float or type(value) is int:  # what JSON gives: no ABC check (run folders hold millions)
        return math.isfinite(value)
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


# the record checks run on every line of a run folder: messages are built only on failure

def check_summary(rec: Any) -> None:
    if not isinstance(rec, dict):
        raise RecordError(f"a summary record must be a JSON object, got {_short(rec)}")
    for key in ("key", "system", "cluster"):
        _str(rec, key)
    _str(rec, "identity", optional=True)
    if _ok_or_failed(rec):
        bullets = rec.get("bullets")
        if not (isinstance(bullets, list) and all(isinstance(b, str) for b in bullets)):
            raise RecordError(f"field 'bullets' must be a list of strings, got {_short(bullets)}")


def check_score(rec: Any) -> None:
    if not isinstance(rec, dict):
        raise RecordError(f"a score record must be a JSON object, got {_short(rec)}")
    for key in ("key", "summary_key", "system", "cluster", "metric", "signature"):
        _str(rec, key)
    if _ok_or_failed(rec):
        values = rec.get("values")
        if not isinstance(values, dict):
            raise RecordError(f"field 'values' must be an object, got {_short(values)}")
        for k, v in values.items():
            if not is_finite_number(v):
                raise RecordError(f"value {k!r} must be a finite number, got {_short(v)}")


def _ok_or_failed(rec: dict) -> bool:
    """True for status "ok"; False for "failed" (its optional error checked); anything else is an error."""
    status = rec.get("status")
    if status == "failed":
        _str(rec, "error", optional=True)
        return False
    if status != "ok":
        raise RecordError(f"field 'status' must be \"ok\" or \"failed\", got {_short(status)}")
    return True


def check_manifest(data: Any) -> None:
    _check(isinstance(data, dict), f"must be a JSON object, got {type(data).__name__}")
    suite = data.get("suite")
    _check(isinstance(suite, dict), "field 'suite' must be an object")
    _str(suite, "name")
    _str(suite, "fingerprint")
    clusters = suite.get("clusters")
    _check(isinstance(clusters, int) and not isinstance(clusters, bool) and clusters >= 0,
           f"field 'suite.clusters' must be a count, got {_short(clusters)}")
    budget = data.get("budget")
    _check(isinstance(budget, dict) and all(v is None or type(v) is int for v in budget.values()),
           f"field 'budget' must be an object of whole numbers, got {_short(budget)}")
    seed = data.get("seed", 0)
    _check(type(seed) is int, f"field 'seed' must be a whole number, got {_short(seed)}")
    for kind in ("systems", "metrics"):
        table = data.get(kind, {})
        _check(isinstance(table, dict), f"field {kind!r} must be an object")
        for label, entry in table.items():
            _check(isinstance(entry, dict), f"{kind}[{label!r}] must be an object")
            _str(entry, "reason", optional=True)
    for label, entry in data.get("systems", {}).items():
        _str(entry, "identity", optional=True)
        _check(entry.get("status", "ok") in ("ok", "skipped", "failed"),
               f"systems[{label!r}].status must be ok, skipped or failed")
    for label, entry in data.get("metrics", {}).items():
        status = entry.get("status", "ok")
        _check(status in ("ok", "unavailable"), f"metrics[{label!r}].status must be ok or unavailable")
        if status == "ok":
            _str(entry, "signature_hash")
            for key in ("headline", "lower_is_better"):
                value = entry.get(key, [])
                _check(isinstance(value, list) and all(isinstance(v, str) for v in value),
                       f"metrics[{label!r}].{key} must be a list of strings")
    _check(isinstance(data.get("invocations", []), list), "field 'invocations' must be a list")


CHECKS: dict[str, Callable[[Any], None]] = {"summaries.jsonl": check_summary, "scores.jsonl": check_score}


def json_ready(value: Any, what: str) -> Any:
    """``value`` as strict JSON data (finite numbers, string keys); ``RecordError`` naming the culprit.

    Numbers of other numeric types (numpy scalars) become plain floats/ints.
    """
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        if not math.isfinite(value):
            raise RecordError(f"{what} is {value}, not a finite number")
        return float(value)
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise RecordError(f"{what} has a key {k!r} that is not a string")
            out[k] = json_ready(v, f"{what}.{k}")
        return out
    if isinstance(value, (list, tuple)):
        return [json_ready(v, f"{what}[{i}]") for i, v in enumerate(value)]
    raise RecordError(f"{what} is a {type(value).__name__}, which cannot be stored as JSON")


def metric_values(values: Any) -> dict[str, float]:
    """A metric's values: a dict of finite numbers, else ``RecordError``."""
    if not isinstance(values, dict) or not values:
        raise RecordError(f"metric returned {type(values).__name__} values, not a non-empty dict of numbers")
    out = {}
    for key, value in values.items():
        if not isinstance(key, str):
            raise RecordError(f"metric value name {key!r} is not a string")
        if not is_finite_number(value):
            raise RecordError(f"metric value {key!r} is {value!r}, not a finite number")
        out[key] = float(value) if not isinstance(value, int) else value
    return out


def error_text(value: Any) -> str:
    """A failure reason as printable text: ``Type: message``; broken Unicode escaped."""
    text = f"{type(value).__name__}: {value}" if isinstance(value, BaseException) else str(value)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def located(path: Any, line: int | None, exc: Exception, advice: str) -> RunError:
    where = f"{path}:{line}" if line else str(path)
    return RunError(f"{exc}; {advice}", where=where)
