"""FactCC-style NLI pairs made from news text (Kryscinski et al., 2020): a source sentence (alone or
with the next one, as the faithfulness judge's evidence comes) as premise; as hypothesis the sentence
itself, a clause of it, or one of the two (entailment), the sentence corrupted by a swapped number,
name, date or pronoun or a negation (contradiction), or another sentence of the article (neutral).

Made from ``../shared/data/multi_news_dev50`` only (never from the articles the metric is evaluated
on); clusters 4, 9, 14, ... are held out for a test of the same kind.
"""

from __future__ import annotations

import json
import random
import re

from bench.text.sentences import split_sentences

_NUMBER = re.compile(r"\b\d[\d,.]*\b")
_NAME = re.compile(r"(?<=[a-z,] )[A-Z][a-z]+(?: [A-Z][a-z]+)*")
MONTHS = ("January February March April May June July August September October November December").split()
DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
PRONOUNS = {"he": "she", "she": "he", "his": "her", "her": "his", "him": "her", "they": "he"}
_AUX = re.compile(r"\b(is|was|are|were|will|can|has|have|had|would|could|should)\b(?! not)")
_NOT = re.compile(r"\b(is|was|are|were|will|can|has|have|had|would|could|should|did|does|do) not\b")
WORDS = (8, 45)  # sentences used: this many words


def sentences(news_path: str) -> list[list[list[str]]]:
    """Per cluster, per article, its sentences of ordinary length."""
    out = []
    with open(news_path, encoding="utf-8") as fh:
        for line in fh:
            docs = json.loads(line)["document"].split("|||||")
            out.append([[s for s in split_sentences(d) if WORDS[0] <= len(s.split()) <= WORDS[1]]
                        for d in docs])
    return out


def _swap(rng: random.Random, text: str, pattern: re.Pattern, pool: list[str]) -> str | None:
    hits = list(pattern.finditer(text))
    if not hits:
        return None
    m = rng.choice(hits)
    others = [p for p in pool if p != m.group(0) and p not in text]
    if not others:
        return None
    return text[: m.start()] + rng.choice(others) + text[m.end():]


def _number(rng, text, article):
    pool = [m.group(0) for s in article for m in _NUMBER.finditer(s)]
    hits = list(_NUMBER.finditer(text))
    if hits and len(set(pool)) < 3:  # few numbers in the article: change one
        m = rng.choice(hits)
        digits = m.group(0).replace(",", "")
        if digits.isdigit():
            return text[: m.start()] + str(int(digits) + rng.choice((1, 2, 3, 10))) + text[m.end():]
    return _swap(rng, text, _NUMBER, pool)


def _name(rng, text, article):
    return _swap(rng, text, _NAME, [m.group(0) for s in article for m in _NAME.finditer(s)])


def _date(rng, text, article):
    for names in (MONTHS, DAYS):
        out = _swap(rng, text, re.compile(r"\b(" + "|".join(names) + r")\b"), names)
        if out:
            return out
    return None


def _pronoun(rng, text, article):
    hits = [m for m in re.finditer(r"\b(he|she|his|her|him|He|She|His|Her)\b", text)]
    if not hits:
        return None
    m = rng.choice(hits)
    new = PRONOUNS[m.group(0).lower()]
    return text[: m.start()] + (new.capitalize() if m.group(0)[0].isupper() else new) + text[m.end():]


def _negation(rng, text, article):
    m = _NOT.search(text)
    if m:
        return text[: m.start()] + m.group(1) + text[m.end():]
    hits = list(_AUX.finditer(text))
    if not hits:
        return None
    m = rng.choice(hits)
    return text[: m.end()] + " not" + text[m.end():]


CORRUPTIONS = (_number, _name, _date, _pronoun, _negation)


def _clause(rng, text):
    """A main clause of the sentence: it up to a comma, when that is 6 words or more."""
    head = text.split(", ")[0]
    return head.rstrip(".") + "." if len(head.split()) >= 6 and head != text else None


def pair(rng: random.Random, article: list[str], i: int) -> tuple[str, str, int] | None:
    """One (premise, hypothesis, label) from sentence i of an article (labels: bench NLI LABELS order)."""
    s = article[i]
    premise = s
    if i + 1 < len(article) and rng.random() < 0.5:
        premise = s + " " + article[i + 1]
    kind = rng.random()
    if kind < 0.4:  # entailed: the sentence, a clause of it
        hyp = _clause(rng, s) if rng.random() < 0.5 else None
        return premise, hyp or s, 0
    if kind < 0.9:
        for corrupt in rng.sample(CORRUPTIONS, len(CORRUPTIONS)):
            hyp = corrupt(rng, s, article)
            if hyp and hyp != s:
                return premise, hyp, 2
        return None
    others = [j for j in range(len(article)) if abs(j - i) > 1]
    return (premise, article[rng.choice(others)], 1) if others else None


def synthetic_pairs(news_path: str, n: int, seed: int) -> tuple[list, list]:
    """(n training pairs, about n / 5 held-out pairs from other clusters), seeded."""
    rng = random.Random(seed)
    train, held = [], []
    clusters = sentences(news_path)
    spots = [(c, a, i) for c, cluster in enumerate(clusters) for a, article in enumerate(cluster)
             for i in range(len(article))]
    rng.shuffle(spots)
    for c, a, i in spots:
        out = held if c % 5 == 4 else train
        if len(out) >= (n if out is train else n // 5):
            if len(train) >= n and len(held) >= n // 5:
                break
            continue
        made = pair(rng, clusters[c][a], i)
        if made:
            out.append(made)
    return train, held
