"""BERTScore via bert-score's BERTScorer; offline model resolution in _models."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Sequence

from bench.errors import MetricUnavailable
from bench.model import stable_hash
from bench.plugins import ItemFailure, Metric, MetricResult, ScoreItem, metric

from .shared.embed import TRUNCATION, engine, resolve_device
from .shared.model_metric import ModelBacked
from .shared.models import ResolvedModel

MULTI_REF_RULE = "P, R and F of the single reference with the highest F1 (first on ties)"


@metric("bertscore")
@dataclass
class BertScore(ModelBacked, Metric):
    """BERTScore P/R/F1 (bert-score; roberta-large when cached, else offline MiniLM; best reference by F1)."""

    model: str = "auto"  # auto | roberta-large | all-MiniLM-L6-v2 | hub id in the local cache | folder
    num_layers: int | None = None  # default: bert-score's layer table (MiniLM: 6)
    rescale: Literal["auto", "on", "off"] = "auto"  # auto: on when bert-score has a baseline
    idf: bool = False  # bert-score idf weights over the distinct references of the run's suite
    batch_size: int = 64
    device: str = "auto"
    long_text: Literal["truncate", "fail"] = "truncate"
    refs: str = ""  # only references by these authors, joined by + (default: every reference)

    headline = ("bertscore_f1",)
    packages = ("bert-score", "torch", "transformers")

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {self.batch_size}")
        self._idf_corpus: list[str] | None = None  # set by prepare(): the suite's references

    # --- resolution (ModelBacked) ---------------------------------------
    def check_model(self, model: ResolvedModel) -> None:
        if self.rescale == "on" and model.baseline is None:
            raise MetricUnavailable(f"rescale=on but bert-score has no baseline for {model.name}")

    def prepare(self, suite) -> None:
        """idf corpus: every distinct reference of the suite, so idf does not depend on batching."""
        self._idf_corpus = sorted({join(r.bullets) for r in suite.references})

    def rescaled(self) -> bool:
        return self.rescale != "off" and self.resolved().baseline is not None

    def signature(self) -> dict:
        sig = super().signature()
        model = self.sign_model(sig)
        if model is None:
            return sig
        sig["rescale_with_baseline"] = self.rescaled()
        sig["baseline"] = model.baseline.split("rescale_baseline/")[-1] if self.rescaled() else None
        if self.idf:
            corpus = self._idf_corpus
            sig["idf"] = ("bert-score get_idf_dict over the suite's distinct references"
                          if corpus is not None else "bert-score get_idf_dict over the distinct references of each batch")
            if corpus is not None:
                sig["idf_corpus"] = {"references": len(corpus), "sha256": stable_hash(corpus)}
        else:
            sig["idf"] = "off"
        sig["multi_reference"] = MULTI_REF_RULE
        sig["text_join"] = "bullets joined by a space (summary and each reference)"
        sig["truncation"] = TRUNCATION if self.long_text == "truncate" else "fail items over the limit"
        return sig

    # --- scoring --------------------------------------------------------
    def score(self, items: Sequence[ScoreItem]) -> list[MetricResult | ItemFailure]:
        model = self.resolved()
        eng = engine(model, resolve_device(self.device))
        results: list[MetricResult | ItemFailure | None] = [None] * len(items)
        cands, refs, owner = [], [], []  # flat pairs, owner = (item index, ref index)
        all_refs = []
        for i, item in enumerate(items):
            summary = join(item.bullets)
            ref_texts = [join(r.bullets) for r in item.references]
            if not ref_texts:
                results[i] = ItemFailure("no reference for this cluster")
                continue
            if not summary:
                results[i] = ItemFailure("empty summary")
                continue
            if (why := self.foreign_text(summary, ref_texts)) is not None:
                results[i] = ItemFailure(why)
                continue
            if self.long_text == "fail":
                over = [t for t in [summary, *ref_texts] if eng.token_count(t) > eng.max_tokens]
                if over:
                    results[i] = ItemFailure(f"text over {eng.max_tokens} tokens and long_text=fail")
                    continue
            all_refs.extend(ref_texts)
            for j, ref in enumerate(ref_texts):
                cands.append(summary)
                refs.append(ref)
                owner.append((i, j))
        if cands:
            corpus = self._idf_corpus if self._idf_corpus is not None else sorted(set(all_refs))
            idf = eng.idf_dict(corpus if self.idf else None)
            prf = eng.pair_scores(cands, refs, idf, self.batch_size)
            if self.rescaled():
                base = eng.baseline()
                prf = (prf - base) / (1 - base)
            by_item: dict[int, list[tuple[int, list[float]]]] = {}
            for (i, j), row in zip(owner, prf.tolist()):
                by_item.setdefault(i, []).append((j, row))
            for i, rows in by_item.items():
                results[i] = self._result(items[i], rows, eng)
        return [r if r is not None else ItemFailure("not scored") for r in results]

    def _result(self, item: ScoreItem, rows: list[tuple[int, list[float]]], eng) -> MetricResult | ItemFailure:
        best_j, (p, r, f) = max(rows, key=lambda jr: (jr[1][2], -jr[0]))
        summary = join(item.bullets)
        truncated = {
            label: n
            for label, text in [("summary", summary), *((ref.author, join(ref.bullets)) for ref in item.references)]
            if (n := eng.token_count(text)) > eng.max_tokens
        }
        details = {
            "best_reference": item.references[best_j].author,
            "per_reference_f1": {item.references[j].author: row[2] for j, row in rows},
            "max_tokens": eng.max_tokens,
        }
        if truncated:
            details["truncated_tokens"] = truncated  # token counts before truncation
        values = {"bertscore_f1": f, "bertscore_precision": p, "bertscore_recall": r}
        if any(v != v for v in values.values()):  # e.g. idf over a single reference: all weights 0
            return ItemFailure("BERTScore is NaN (all idf weights zero: idf needs several references)")
        return MetricResult(values, details)


def join(bullets: Sequence[str]) -> str:
    return " ".join(b.strip() for b in bullets if b.strip())
