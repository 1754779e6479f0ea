"""How much of a summary sentence its evidence states word for word, in order.

Both sides are read as ordinary text (tokenised output is detokenised first,
``bench.text.tokenised``) and compared as sequences of normal forms, so casing,
``-lrb-`` or ``did n't`` make no difference. The sentence is aligned to its
evidence sentences in fragments of at least RUN words, each after the last in
the same evidence sentence (words left out between them, as a compression
leaves them out); it passes to another evidence sentence only where the
last fragment ended its sentence and the next starts one (two sentences joined
unchanged). A sentence stitched from pieces of several places ("the incident
was caught on" + "a manhole cover") is copied only up to the first stitch.
"""

from __future__ import annotations

import functools

from bench.text.tokenised import detokenised

from .words import tokens

RUN = 3  # words in order; the sentence's last words may be fewer
OPENING = 2  # a joined sentence may start within this many words of its start ("And", "But" dropped)


@functools.lru_cache(maxsize=65536)
def sequence(text: str) -> tuple[str, ...]:
    """The normal forms of a text's words, read as ordinary text."""
    return tuple(w.norm for w in tokens(detokenised(text)))


def copied_share(sentence: str, evidence: list[str]) -> float:
    """Share of the sentence's words in its in-order fragments (see the module's docstring)."""
    words = sequence(sentence)
    if not words:
        return 0.0
    sources = [sequence(t) for t in evidence]
    covered, i, cur, pos = 0, 0, None, 0  # cur: the evidence sentence of the last fragment, pos: after it
    while i < len(words):
        n, e, j = _longest(words, i, sources, cur, pos)
        if n and n >= min(RUN, len(words) - i):
            covered, i, cur, pos = covered + n, i + n, e, j + n
        else:
            i += 1  # a word the evidence does not state here
    return covered / len(words)


def _longest(words: tuple[str, ...], i: int, sources: list[tuple[str, ...]], cur: int | None,
             pos: int) -> tuple[int, int, int]:
    """(length, evidence sentence, start) of the longest fragment that may follow the last one."""
    best = (0, -1, 0)
    ended = cur is not None and pos >= len(sources[cur])
    for e, src in enumerate(sources):
        if cur is None:
            starts = range(len(src))
        elif e == cur:
            starts = range(pos, len(src))
        elif ended:
            starts = range(min(OPENING, len(src)))
        else:
            continue
        for j in starts:
            n = 0
            while i + n < len(words) and j + n < len(src) and words[i + n] == src[j + n]:
                n += 1
            if n > best[0]:
                best = (n, e, j)
    return best
