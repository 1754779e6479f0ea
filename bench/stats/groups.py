"""Grouping systems that the tests cannot tell apart.

Given systems sorted best first and a symmetric "significantly different"
relation, two summaries are produced:

* rank range: best possible rank = 1 + systems significantly better,
  worst possible rank = n - systems significantly worse ("2-3");
* letters (compact letter display): systems share a letter exactly when
  they are not significantly different.
"""

from __future__ import annotations

from typing import Callable
from string import ascii_lowercase


def rank_ranges(n: int, differs: Callable[[int, int], bool]) -> list[tuple[int, int]]:
    out = []
    for i in range(n):
        better = sum(1 for j in range(i) if differs(j, i))
        worse = sum(1 for j in range(i + 1, n) if differs(i, j))
        out.append((1 + better, n - worse))
    return out


def letters(n: int, differs: Callable[[int, int], bool]) -> list[str]:
    """Compact letter display for systems 0..n-1 in best-first order.

    Each maximal clique of the "not significantly different" graph gets a
    letter, so two systems share a letter exactly when they are not
    distinguishable. Letters are ordered by their best member.
    """
    same = {i: {j for j in range(n) if j != i and not differs(min(i, j), max(i, j))} for i in range(n)}
    cliques: list[set[int]] = []

    def expand(r: set[int], p: set[int], x: set[int]) -> None:  # Bron-Kerbosch with pivot
        if not p and not x:
            cliques.append(r)
            return
        pivot = max(p | x, key=lambda u: len(same[u] & p))
        for v in sorted(p - same[pivot]):
            expand(r | {v}, p & same[v], x & same[v])
            p = p - {v}
            x = x | {v}

    expand(set(), set(range(n)), set())
    cliques.sort(key=lambda c: sorted(c))
    labels = [""] * n
    for number, clique in enumerate(cliques):
        for i in clique:
            labels[i] += _letter(number)
    return labels


def _letter(number: int) -> str:
    if number < len(ascii_lowercase):
        return ascii_lowercase[number]
    return f"{ascii_lowercase[number % 26]}{number // 26}"

