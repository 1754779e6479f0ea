"""Greedy ROUGE oracle: the extractive upper bound (sees the references)."""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass

from bench.budget import Budget, count_words, fill_budget
from bench.plugins import system

from ._extractive import Extractive


@system("oracle")
@dataclass
class Oracle(Extractive):
    """Greedy oracle: adds the sentence that most raises mean ROUGE-1/2 F1 against the best reference.

    Tokens as the ROUGE metric's (Porter stemming); Unicode tokens (one per
    CJK character) where rouge-score's tokenizer would drop most of the references.
    """

    upper_bound = True
    uses_references = True

    def summarize(self, cluster, budget, references=()):
        cands = self.candidates(cluster)
        if not cands:
            return []
        if not references:
            raise ValueError("oracle needs references (uses_references = True)")
        tokenize = _tokenizer_for(" ".join(r.text() for r in references))
        tokens = [tokenize(c.text) for c in cands]
        best: list[str] = []
        best_score = -1.0
        for ref in references:
            picked, score = _greedy(cands, tokens, tokenize(ref.text()), budget)
            if score > best_score:
                best, best_score = picked, score
        if not best:  # nothing fits the budget or nothing overlaps: best single sentence, cut
            best, _ = _greedy(cands, tokens, tokenize(references[0].text()), Budget(bullets=1))
        return fill_budget(best or [cands[0].text], budget)


def _tokenizer_for(reference_text: str):
    """The ROUGE metric's tokens (rouge-score's, Porter stemming), or its Unicode
    ones where rouge-score's would drop most of the references (CJK ...)."""
    from bench.metrics.rouge import lost_to_ascii_tokenizer

    return _tokenizer(lost_to_ascii_tokenizer(reference_text) > 0.5).tokenize


@functools.lru_cache(maxsize=2)
def _tokenizer(unicode: bool):
    if unicode:
        from bench.metrics.rouge import UnicodeTokenizer

        return UnicodeTokenizer(use_stemmer=True)
    try:  # the same tokens (tests/test_rouge_engines.py), compiled
        from rouge_score_rs.tokenizers import DefaultTokenizer
    except ImportError:
        from rouge_score.tokenizers import DefaultTokenizer

    return DefaultTokenizer(use_stemmer=True)


def _ngrams(tokens: list[str], n: int) -> Counter:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _f1(overlap: int, produced: int, wanted: int) -> float:
    if overlap == 0:
        return 0.0
    p, r = overlap / produced, overlap / wanted
    return 2 * p * r / (p + r)


def _greedy(cands, tokens, ref_tokens, budget) -> tuple[list[str], float]:
    """Greedy selection for one reference; stops when no sentence improves the score.

    Linear in the candidates per pick: each candidate keeps only its n-gram count
    and the n-grams it shares with the reference, and the overlap of (summary +
    candidate) is the summary's overlap plus the candidate's clipped gain, the
    same integers as clipping the merged counts. A candidate sharing nothing
    with the reference can only lower the score, so it is never looked at.
    """
    ref = [_ngrams(ref_tokens, 1), _ngrams(ref_tokens, 2)]
    ref_size = [sum(r.values()) for r in ref]
    sizes, shared = [], []
    for t in tokens:
        grams = [_ngrams(t, 1), _ngrams(t, 2)]
        sizes.append((sum(grams[0].values()), sum(grams[1].values())))
        shared.append(tuple({g: c for g, c in grams[k].items() if g in ref[k]} for k in (0, 1)))
    lengths = [count_words(c.text) for c in cands]
    useful = [i for i, sh in enumerate(shared) if sh[0] or sh[1]]
    limit = budget.words
    chosen: list[int] = []
    summ = [Counter(), Counter()]  # the summary's counts of reference n-grams
    overlap, produced = [0, 0], [0, 0]
    used, score = 0, 0.0
    while True:
        best_i, best_score = None, score
        for i in useful:
            if i in chosen:
                continue
            n = lengths[i]
            if limit is not None and used + n > limit:
                continue
            s = 0.0
            for k in (0, 1):
                gain = 0
                for g, c in shared[i][k].items():
                    have, cap = summ[k][g], ref[k][g]
                    gain += min(have + c, cap) - min(have, cap)
                s += _f1(overlap[k] + gain, produced[k] + sizes[i][k], ref_size[k]) / 2
            if s > best_score:
                best_i, best_score = i, s
        if best_i is None:
            break
        chosen.append(best_i)
        for k in (0, 1):
            for g, c in shared[best_i][k].items():
                have, cap = summ[k][g], ref[k][g]
                overlap[k] += min(have + c, cap) - min(have, cap)
                summ[k][g] = have + c
            produced[k] += sizes[best_i][k]
        used += lengths[best_i]
        score = best_score
        if limit is None and len(chosen) >= (budget.bullets or 5):
            break
    return [cands[i].text for i in chosen], score
