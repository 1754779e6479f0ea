"""ROUGE: Google's ``rouge-score`` (the reference) or ``rouge-score-rs`` (the same
numbers from a Rust reimplementation, scored in one batch on all cores).

``rouge-score-rs`` reproduces rouge-score bit for bit, tokenizer and Porter
stemmer included (``tests/test_rouge_engines.py`` checks it on thousands of
pairs). Its batch call runs on every core (``RAYON_NUM_THREADS`` limits the
threads); with a Python tokenizer (``tokenizer=unicode``) it tokenizes in Python
and scores natively, pair by pair.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal, Sequence

from bench.plugins import ItemFailure, Metric, MetricResult, ScoreItem, metric
from bench.plugins.metric import package_version
from bench.text.units import HAN_KANA, HANGUL

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
_ROUGE_TYPE = re.compile(r"^rouge([1-9]|L|Lsum)$")
# each CJK character (ideograph, kana, hangul) is a token; else Unicode words
_WORD = re.compile(f"[{HAN_KANA}{HANGUL}]|[^\\W_]+")


@metric("rouge")
@dataclass
class Rouge(Metric):
    """ROUGE-1/2/L/Lsum precision, recall and F1 (rouge-score; bullets newline-separated for Lsum)."""

    types: str = "rouge1,rouge2,rougeL,rougeLsum"
    stemmer: bool = True
    multi_ref: Literal["max", "mean"] = "max"
    tokenizer: Literal["default", "unicode"] = "default"
    #: auto: rouge-score-rs when installed, else rouge-score (the reference)
    engine: Literal["auto", "rouge-score-rs", "rouge-score"] = "auto"
    refs: str = ""  # only references by these authors, joined by + (default: every reference)

    deterministic = True
    headline = ("rouge1", "rouge2", "rougeL", "rougeLsum")
    percent = True
    packages = ("rouge-score",)  # the signature records the engine actually used instead

    def __post_init__(self) -> None:
        self._types = tuple(t.strip() for t in self.types.split(",") if t.strip())
        if not self._types:
            raise ValueError("types must name at least one ROUGE type")
        for t in self._types:
            if not _ROUGE_TYPE.match(t):
                raise ValueError(f"unknown ROUGE type {t!r}; use rouge1..rouge9, rougeL, rougeLsum")
        self._scorer = None
        self._engine = resolve_engine(self.engine)

    def signature(self) -> dict:
        sig = super().signature()
        sig["tokenizer"] = (
            "rouge-score default (lowercase, ASCII a-z0-9 only)"
            if self.tokenizer == "default"
            else "unicode words; CJK/kana/hangul one token per character"
        )
        sig["stemming"] = "porter (tokens > 3 chars)" if self.stemmer else "none"
        sig["multi_reference"] = self.multi_ref
        sig["summary_join"] = "bullets joined by newline"
        # the engine used (auto resolved), so auto and an explicit name sign alike
        sig["params"]["engine"] = self._engine
        sig["engine"] = f"{self._engine} {package_version(self._engine)}"
        sig["versions"] = {self._engine: package_version(self._engine)}
        return sig

    def scorer(self):
        if self._scorer is None:
            if self._engine == "rouge-score-rs":
                from rouge_score_rs import rouge_scorer
            else:
                from rouge_score import rouge_scorer

            tok = None if self.tokenizer == "default" else UnicodeTokenizer(self.stemmer)
            self._scorer = rouge_scorer.RougeScorer(list(self._types), use_stemmer=self.stemmer, tokenizer=tok)
        return self._scorer

    def score(self, items: Sequence[ScoreItem]) -> list[MetricResult | ItemFailure]:
        out: list[MetricResult | ItemFailure | None] = [self._refuse(item) for item in items]
        pairs = [(i, ref.text(), "\n".join(item.bullets))
                 for i, item in enumerate(items) if out[i] is None for ref in item.references]
        scorer = self.scorer()
        if self._engine == "rouge-score-rs":  # one batch, all cores, results in order
            scores = scorer.score_batch([p[1] for p in pairs], [p[2] for p in pairs])
        else:
            scores = [scorer.score(ref, summary) for _, ref, summary in pairs]
        per_item: dict[int, list] = {}
        for (i, _, _), s in zip(pairs, scores):
            per_item.setdefault(i, []).append(s)
        return [r if r is not None else self._combine(per_item[i]) for i, r in enumerate(out)]

    def _refuse(self, item: ScoreItem) -> ItemFailure | None:
        """Why the item cannot be scored, or None."""
        summary = "\n".join(item.bullets)
        refs = [r.text() for r in item.references]
        if not refs:
            return ItemFailure("no reference for this cluster")
        if self.tokenizer == "default":
            for label, text in [("summary", summary), *(("reference", r) for r in refs)]:
                lost = lost_to_ascii_tokenizer(text)
                if lost > 0.5:
                    return ItemFailure(
                        f"{label} is {lost:.0%} non-ASCII letters (e.g. CJK) that rouge-score's default "
                        "tokenizer drops; use --metric rouge:tokenizer=unicode"
                    )
        return None

    def _combine(self, per_ref: list) -> MetricResult:
        """One item's values from its per-reference scores (multi_ref rule)."""
        values: dict[str, float] = {}
        for t in self._types:
            if self.multi_ref == "max":
                best = max(per_ref, key=lambda s: s[t].fmeasure)  # first max, as score_multi
                p, r, f = best[t].precision, best[t].recall, best[t].fmeasure
            else:
                n = len(per_ref)
                p = sum(s[t].precision for s in per_ref) / n
                r = sum(s[t].recall for s in per_ref) / n
                f = sum(s[t].fmeasure for s in per_ref) / n
            values[t] = f
            values[f"{t}_precision"] = p
            values[f"{t}_recall"] = r
        return MetricResult(values)


ENGINES = ("rouge-score-rs", "rouge-score")


def resolve_engine(engine: str) -> str:
    """The engine ``auto`` stands for here (rouge-score-rs when installed)."""
    if engine == "auto":
        return next((e for e in ENGINES if package_version(e) is not None), "rouge-score")
    if engine not in ENGINES:
        raise ValueError(f"unknown ROUGE engine {engine!r}; use auto, {', '.join(ENGINES)}")
    if package_version(engine) is None:
        raise ValueError(f"ROUGE engine {engine} is not installed (pip install {engine})")
    return engine


def lost_to_ascii_tokenizer(text: str) -> float:
    """Share of letters/digits that rouge-score's default tokenizer would drop."""
    alnum = [ch for ch in text if ch.isalnum()]
    if not alnum:
        return 0.0
    kept = sum(1 for ch in alnum if ("a" <= ch.lower() <= "z") or ("0" <= ch <= "9"))
    return 1.0 - kept / len(alnum)


class UnicodeTokenizer:
    """Lowercased Unicode words; each CJK character a token; Porter on ASCII words."""

    def __init__(self, use_stemmer: bool) -> None:
        self._stemmer = None
        if use_stemmer:
            from nltk.stem import porter

            self._stemmer = porter.PorterStemmer()  # as rouge-score

    def tokenize(self, text: str) -> list[str]:
        text = unicodedata.normalize("NFKC", text).lower()
        tokens = _WORD.findall(text)
        if self._stemmer is not None:
            tokens = [
                self._stemmer.stem(t) if len(t) > 3 and t.isascii() else t for t in tokens
            ]
        return tokens
