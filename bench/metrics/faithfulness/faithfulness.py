"""Faithfulness: is each summary sentence true to the cluster's source documents?

Offline (all-MiniLM-L6-v2 on the CPU, no LLM). How evidence is found, what is
measured and how a verdict is reached: this folder (``source``, ``judge``, ``features``, ``calibration``).
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from dataclasses import dataclass
from typing import Sequence

from bench.errors import MetricUnavailable
from bench.plugins import ItemFailure, Metric, MetricResult, ScoreItem, metric
from bench.text.limits import TooLarge, check_size

from ..shared.embed import engine, resolve_device
from ..shared.model_metric import ModelBacked
from ..shared.models import MINILM, ResolvedModel
from ..shared.sentences import sentences
from ..shared.vectors import token_vectors
from .calibration import calibration_for
from .features import EMBED_K, FEATURES, SPECIFICS_K
from .judge import VALUE_KEYS, embedded_texts, judge, summary_values, units
from .source import EVIDENCE, SOURCES
from .specifics import SPECIFICS
from .words import WORDS


@metric("faithfulness")
@dataclass
class Faithfulness(ModelBacked, Metric):
    """Share of summary sentences true to the sources (supported / unsupported / contradicted); calibrated on human factuality judgments."""

    model: str = MINILM  # the graded score is calibrated per model
    num_layers: int | None = None
    threshold: float | None = None  # graded score below which a sentence is unsupported (default: calibrated)
    batch_size: int = 64
    device: str = "auto"

    headline = ("faithfulness", "contradicted")
    lower_is_better = frozenset({"contradicted", "unsupported", "specifics_flagged"})
    packages = ("bert-score", "torch", "transformers")

    def __post_init__(self) -> None:
        if self.threshold is not None and not 0.0 < self.threshold < 1.0:
            raise ValueError(f"threshold must be in (0, 1), got {self.threshold}")

    def check_model(self, model: ResolvedModel) -> None:
        if calibration_for(model.name) is None:
            raise MetricUnavailable(f"faithfulness is calibrated for {MINILM} only, not {model.name} "
                                    "(benchmarks/faithfulness_calibrate.py fits a model's calibration)")

    def calibration(self):
        cal = calibration_for(self.resolved().name)
        if self.threshold is not None:
            from dataclasses import replace

            cal = replace(cal, threshold=self.threshold)
        return cal

    def signature(self) -> dict:
        sig = super().signature()
        if self.sign_model(sig) is None:
            return sig
        sig["words"] = WORDS
        sig["evidence"] = EVIDENCE.format(k=f"{SPECIFICS_K} (specifics) / {EMBED_K} (embedding features)")
        sig["specifics"] = SPECIFICS
        sig["sentences"] = "bench.text.sentences.split_sentences (pysbd), per bullet"
        sig["calibration"] = self.calibration().describe()
        sig["features"] = list(FEATURES)
        return sig

    def score(self, items: Sequence[ScoreItem]) -> list[MetricResult | ItemFailure]:
        out: list[MetricResult | ItemFailure] = []
        for item, judged in zip(items, self.judge_items(items)):
            if isinstance(judged, ItemFailure):
                out.append(judged)
            else:
                out.append(MetricResult(summary_values(judged), {"threshold": self.calibration().threshold,
                                                                 "sentences": judged}))
        return out

    def judge_items(self, items: Sequence[ScoreItem]) -> list[list[dict] | ItemFailure]:
        """Every item's sentence judgments (``bullet`` indexes ``item.bullets``), or why it has none."""
        eng = engine(self.resolved(), resolve_device(self.device))
        cal = self.calibration()
        keys = [(cal, item.cluster.content_hash(), tuple(item.bullets)) for item in items]
        done = {k: _JUDGED[k] for k in keys if k in _JUDGED}  # judged already (e.g. for kp_recall_faithful)
        todo = [item for item, k in zip(items, keys) if k not in done]
        for k, judged in zip([k for k in keys if k not in done], self._judge(eng, cal, todo)):
            done[k] = _JUDGED[k] = judged
            while len(_JUDGED) > JUDGED_KEPT:
                _JUDGED.popitem(last=False)
        return [done[k] for k in keys]

    def _judge(self, eng, cal, items: Sequence[ScoreItem]) -> list[list[dict] | ItemFailure]:
        lexicon = _lexicon(eng)
        prepared: list[tuple | ItemFailure] = []
        for item in items:
            why = self._refusal(item)
            if why is not None:
                prepared.append(why)
                continue
            source = SOURCES.get(item.cluster)
            found = units(item.bullets, source, sentences)
            prepared.append((source, found) if found else ItemFailure("summary has no words to check"))
        texts = {t for p in prepared if not isinstance(p, ItemFailure) for u in p[1]
                 for t in embedded_texts(u, p[0])}
        eng.embed(sorted(texts), self.batch_size)  # each distinct text once, in large batches
        vectors = functools.partial(token_vectors, eng)
        return [p if isinstance(p, ItemFailure) else [judge(u, p[0], vectors, cal, lexicon) for u in p[1]]
                for p in prepared]

    def _refusal(self, item: ScoreItem) -> ItemFailure | None:
        if not any(b.strip() for b in item.bullets):
            return ItemFailure("empty summary")
        try:
            check_size(item.cluster, "faithfulness")
        except TooLarge as exc:
            return ItemFailure(str(exc))
        if not any(d.text.strip() for d in item.cluster.documents):
            return ItemFailure("cluster has no source text")
        why = self.foreign_text(" ".join(item.bullets), [d.text[:5000] for d in item.cluster.documents])
        return ItemFailure(why) if why is not None else None


#: judgments kept per process, so faithfulness and kp_recall_faithful judge a summary once
JUDGED_KEPT = 4096
_JUDGED: OrderedDict = OrderedDict()


@functools.lru_cache(maxsize=2)
def _lexicon(eng) -> frozenset[str]:
    """Whole words of the model's vocabulary: a lower-case word in neither these nor the sources is a name."""
    words = (w.lstrip("Ġ▁").lower() for w in eng.tokenizer.get_vocab() if not w.startswith("##"))
    return frozenset(w for w in words if w.isalpha() and len(w) > 1)


__all__ = ["Faithfulness", "VALUE_KEYS"]
