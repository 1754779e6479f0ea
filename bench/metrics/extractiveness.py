"""Extractive fragment coverage and density (Grusky et al., 2018, Newsroom)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Iterable, Sequence

from bench.plugins import ItemFailure, Metric, MetricResult, ScoreItem, metric

from bench.text.limits import TooLarge, check_size

from .shared.lexical import TOKENIZER, words

#: clusters whose token index is kept between calls (memory stays bounded over a run)
CLUSTERS_CACHED = 8


@metric("extractiveness")
@dataclass
class Extractiveness(Metric):
    """Extractive fragment coverage and density (Newsroom greedy fragments; per bullet, over all documents)."""

    deterministic = True
    headline = ("coverage", "density")

    def __post_init__(self) -> None:
        self._index: OrderedDict[str, _Source] = OrderedDict()  # the last CLUSTERS_CACHED clusters

    def signature(self) -> dict:
        sig = super().signature()
        sig["tokenizer"] = TOKENIZER
        sig["fragments"] = "Grusky et al. 2018 greedy algorithm per bullet; a fragment lies within one document"
        return sig

    def score(self, items: Sequence[ScoreItem]) -> list[MetricResult | ItemFailure]:
        out: list[MetricResult | ItemFailure] = []
        for item in items:
            try:
                check_size(item.cluster, "extractiveness")
            except TooLarge as exc:
                out.append(ItemFailure(str(exc)))
                continue
            key = item.cluster.content_hash()
            if key in self._index:
                self._index.move_to_end(key)
            else:
                self._index[key] = _Source(words(d.text) for d in item.cluster.documents)
                while len(self._index) > CLUSTERS_CACHED:
                    self._index.popitem(last=False)
            source = self._index[key]
            frags: list[list[str]] = []
            n = 0
            for bullet in item.bullets:
                toks = words(bullet)
                n += len(toks)
                frags.extend(source.fragments(toks))
            if n == 0:
                out.append(ItemFailure("empty summary"))
                continue
            lens = [len(f) for f in frags]
            values = {"coverage": sum(lens) / n, "density": sum(k * k for k in lens) / n}
            longest = max(frags, key=len) if frags else []
            out.append(MetricResult(values, {"fragments": len(frags), "longest_fragment": " ".join(longest)}))
        return out


class _Source:
    """The documents as one array of token ids (documents separated by -1), with
    sorted bigram and trigram keys: the longest shared sequence starting at a
    summary token is looked up among the positions that share its first three
    tokens (else two, else one) instead of every position of its first token.
    Memory and time are linear in the cluster's words."""

    def __init__(self, docs: Iterable[list[str]]) -> None:
        import numpy as np

        self.ids: dict[str, int] = {}
        seq: list[int] = []
        for toks in docs:
            seq.extend(self.ids.setdefault(t, len(self.ids)) for t in toks)
            seq.append(-1)
        self.seq = seq
        a = np.asarray(seq, dtype=np.int64)
        v = len(self.ids) + 1
        ok2 = (a[:-1] >= 0) & (a[1:] >= 0)
        key2 = np.where(ok2, a[:-1] * v + a[1:], -1)
        self._bi, rank2 = np.unique(key2, return_inverse=True)  # sorted bigram keys (and -1)
        # trigram key: (rank of its bigram) * v + third token; exact, no overflow
        ok3 = ok2[:-1] & (a[2:] >= 0)
        key3 = np.where(ok3, rank2.reshape(-1)[:-1].astype(np.int64) * v + a[2:], -1)
        order = np.argsort(key3, kind="stable")
        self._key3 = key3[order]
        self._pos3 = order
        self._v = v

    def fragments(self, summary: list[str]) -> list[list[str]]:
        """Greedy fragments F(A, S): the longest shared sequence starting at each i."""
        ids = [self.ids.get(t, -2) for t in summary]  # -2: in no document
        out, i = [], 0
        while i < len(ids):
            best = self._longest(ids, i)
            if best:
                out.append(summary[i : i + best])
            i += max(best, 1)
        return out

    def _longest(self, s: list[int], i: int) -> int:
        import numpy as np

        if s[i] < 0:
            return 0
        if i + 1 >= len(s) or s[i + 1] < 0:
            return 1
        key2 = s[i] * self._v + s[i + 1]
        r = int(np.searchsorted(self._bi, key2))
        if r == len(self._bi) or self._bi[r] != key2:
            return 1
        if i + 2 >= len(s) or s[i + 2] < 0:
            return 2
        key = r * self._v + s[i + 2]
        lo, hi = np.searchsorted(self._key3, [key, key + 1])
        best, seq = 2, self.seq
        for p in self._pos3[lo:hi].tolist():
            k = 3
            while i + k < len(s) and seq[p + k] == s[i + k]:  # -1 ends a document
                k += 1
            best = max(best, k)
        return best
