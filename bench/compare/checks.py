"""Refuse comparisons across runs whose suites or metric signatures differ."""

from __future__ import annotations

from typing import Any

from ..errors import CompareError


def check_same_suite(a: dict[str, Any], b: dict[str, Any], name_a: str, name_b: str) -> None:
    fa, fb = a["suite"]["fingerprint"], b["suite"]["fingerprint"]
    if fa != fb:
        raise CompareError(
            f"suites differ: fingerprint {fa[:8]}… ({a['suite']['name']}, {name_a}) vs "
            f"{fb[:8]}… ({b['suite']['name']}, {name_b}); scores on different clusters cannot be paired"
        )


def check_same_signature(label: str, a: dict[str, Any] | None, b: dict[str, Any] | None,
                         hash_a: str | None, hash_b: str | None) -> None:
    if hash_a == hash_b:
        return
    raise CompareError(f"{label} signature differs: {signature_diff(a or {}, b or {})}")


def signature_diff(a: dict[str, Any], b: dict[str, Any]) -> str:
    """'stemming porter vs none; versions.rouge-score 0.1.2 vs 0.1.3'."""
    fa, fb = _flatten(a), _flatten(b)
    parts = []
    for key in sorted(set(fa) | set(fb)):
        va, vb = fa.get(key, "(absent)"), fb.get(key, "(absent)")
        if va != vb:
            parts.append(f"{key} {va} vs {vb}")
    return "; ".join(parts) or "signature hashes differ (no readable signature recorded)"


def _flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out
