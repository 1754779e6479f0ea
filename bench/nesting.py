"""Refuse input nested too deeply (thousands of brackets) with a clear error, before any recursion fails."""

from __future__ import annotations

from typing import Any, Callable, TypeVar

#: deeper than any real suite, outputs or config needs; far from Python's recursion limit
MAX_DEPTH = 100
T = TypeVar("T")


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether lists/dicts inside ``value`` go more than ``limit`` levels deep (no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, tuple, dict)):
            if depth > limit:
                return True
            stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return False


def parse_shallow(parse: Callable[[str], T], text: str | bytes, fail: Callable[[str], Exception]) -> T:
    """``parse(text)``, refusing (``fail(message)`` is raised) a value nested over MAX_DEPTH levels."""
    try:
        value = parse(text)
    except RecursionError:
        raise fail(_message(text)) from None
    if too_deep(value):
        raise fail(_message(text))
    return value


def _message(text: str | bytes) -> str:
    text = text if isinstance(text, str) else text.decode("utf-8", "replace")
    line = _deep_line(text)
    at = f" from line {line}" if line and "\n" in text.rstrip("\n") else ""  # one line: the caller names it
    return f"nested more than {MAX_DEPTH} levels deep{at} ([ and {{ inside each other); no input needs that"


def _deep_line(text: str) -> int | None:
    """The line where brackets outside quotes first go deeper than MAX_DEPTH (a best guess for the error)."""
    depth, quote, line = 0, "", 1
    for ch in text:
        if ch == "\n":
            line += 1
        elif quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line
        elif ch in "]}":
            depth -= 1
    return None
