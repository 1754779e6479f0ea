"""One loaded BERTScore model per process, with an embedding cache per text.

Scores are computed with bert-score's own functions (``sent_encode``,
``get_bert_embedding``, ``greedy_cos_idf``), so they equal a direct
``bert_score.BERTScorer`` call; the difference is that each distinct text is
embedded once per process and reused across systems, references and metrics.
"""

from __future__ import annotations

import contextlib
import functools
import os
import weakref
from collections import OrderedDict, defaultdict
from typing import Iterator, Sequence

from .models import ResolvedModel

#: token vectors kept between calls (about 1 GB for roberta-large, 0.4 GB for
#: MiniLM); the runner scores cluster by cluster, so a cluster's references stay
#: cached while every system's summary of it is scored
CACHE_TOKENS = 250_000

#: where texts longer than the model limit go (bert-score's own behaviour)
TRUNCATION = "truncate to the model's max tokens (bert-score sent_encode); flagged per item"


@contextlib.contextmanager
def hub_offline() -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def resolve_device(device: str) -> str:
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


#: padded tokens per forward pass: 64 texts of 64 tokens; long texts go in smaller batches
BATCH_TOKENS = 64 * 64
#: on CPU, half that: activations stay in cache (MiniLM: 60-64% of the forward-pass bound
#: with 2 threads, 66-73% with 1, against 52-62% / 62% at 4,096; benchmarks/scale.py)
CPU_BATCH_TOKENS = 32 * 64


def padded_batches(texts: Sequence[str], lengths: Sequence[int], batch_size: int,
                   batch_tokens: int = BATCH_TOKENS) -> Iterator[list[str]]:
    """Consecutive batches of texts sorted longest first: at most ``batch_size`` texts and, past
    one text, at most ``batch_tokens`` padded tokens (the batch's longest text x its size)."""
    start = 0
    while start < len(texts):
        longest = lengths[start]
        size = max(1, min(batch_size, batch_tokens // max(longest, 1)))
        yield list(texts[start : start + size])
        start += size


@functools.lru_cache(maxsize=2)
def engine(model: ResolvedModel, device: str) -> "Engine":
    """The process-wide engine for a resolved model (loads it once per process)."""
    threads = os.environ.get("SUMBENCH_TORCH_THREADS")  # set in worker processes: cores / workers
    if threads and device == "cpu":
        import torch

        torch.set_num_threads(max(1, int(threads)))
    made = Engine(model, device)
    LOADED.add(made)
    return made


#: the engines alive in this process (bench.caches.reset_caches empties their embedding caches)
LOADED: "weakref.WeakSet[Engine]" = weakref.WeakSet()


class Engine:
    def __init__(self, model: ResolvedModel, device: str) -> None:
        import transformers
        from bert_score import BERTScorer

        self.model_info = model
        self.device = device
        verbosity = transformers.logging.get_verbosity()
        transformers.logging.set_verbosity_error()  # no load reports on stdout/stderr
        bars = transformers.utils.logging.is_progress_bar_enabled()
        transformers.utils.logging.disable_progress_bar()
        try:
            with hub_offline():
                self.scorer = BERTScorer(
                    model_type=model.path,
                    num_layers=model.num_layers,
                    lang="en",
                    baseline_path=model.baseline,
                    device=device,
                )
        finally:
            transformers.logging.set_verbosity(verbosity)
            if bars:
                transformers.utils.logging.enable_progress_bar()
        tok = self.scorer._tokenizer
        limit = getattr(self.scorer._model.config, "max_position_embeddings", 512)
        if type(tok).__name__.startswith("Roberta"):
            limit -= 2  # RoBERTa positions start at padding_idx + 1
        if not tok.model_max_length or tok.model_max_length > limit:
            tok.model_max_length = limit  # never feed the model more positions than it has
        self.max_tokens: int = tok.model_max_length
        self._cache: OrderedDict[str, tuple[list[int], object]] = OrderedDict()  # least recently used first
        self._cached_tokens = 0

    @property
    def tokenizer(self):
        return self.scorer._tokenizer

    def baseline(self):
        """bert-score's (P, R, F) rescale baseline for this model and layer."""
        return self.scorer.baseline_vals

    def token_count(self, text: str) -> int:
        """Tokens including special tokens, before any truncation (as sent_encode tokenises)."""
        cached = self._cache.get(text)
        if cached is not None and len(cached[0]) < self.max_tokens:
            return len(cached[0])  # embedded whole: its ids are all its tokens
        text = text.strip()
        if not text:
            return 2
        kw = {"add_prefix_space": True} if type(self.tokenizer).__name__.startswith(("Roberta", "GPT2")) else {}
        return len(self.tokenizer.encode(text, add_special_tokens=True, truncation=False, verbose=False, **kw))

    def idf_dict(self, texts: Sequence[str] | None):
        """bert-score's idf weights from ``texts``; uniform (no CLS/SEP) when None."""
        from bert_score.utils import get_idf_dict

        if texts is not None:
            return get_idf_dict(list(texts), self.tokenizer, nthreads=0)
        weights = defaultdict(lambda: 1.0)
        weights[self.tokenizer.sep_token_id] = 0
        weights[self.tokenizer.cls_token_id] = 0
        return weights

    def embed(self, texts: Sequence[str], batch_size: int) -> None:
        """Embed every text not yet cached (longest first, as bert-score does).

        The cache is bounded (CACHE_TOKENS): the least recently used texts not
        among ``texts`` are dropped first.
        """
        from bert_score.utils import get_bert_embedding, sent_encode

        wanted = set(texts)
        for text in wanted & self._cache.keys():
            self._cache.move_to_end(text)
        ids = {text: sent_encode(self.tokenizer, text) for text in wanted - self._cache.keys()}
        todo = sorted(ids, key=lambda x: len(ids[x]), reverse=True)  # longest first: little padding per batch
        ones = defaultdict(lambda: 1.0)
        budget = CPU_BATCH_TOKENS if self.device == "cpu" else BATCH_TOKENS
        for batch in padded_batches(todo, [len(ids[t]) for t in todo], batch_size, budget):
            embs, masks, _ = get_bert_embedding(batch, self.scorer._model, self.tokenizer, ones, device=self.device)
            embs, masks = embs.cpu(), masks.cpu()
            for i, text in enumerate(batch):
                n = int(masks[i].sum().item())
                self._cache[text] = (ids[text], embs[i, :n].clone())
                self._cached_tokens += n
        self._evict(keep=wanted)

    def tokens(self, text: str):
        """(token ids, token vectors) of a text, special tokens included (embedded if needed)."""
        if text not in self._cache:
            self.embed([text], 1)
        self._cache.move_to_end(text)
        return self._cache[text]

    def clear(self) -> None:
        self._cache.clear()
        self._cached_tokens = 0

    def _evict(self, keep: set[str]) -> None:
        for text in list(self._cache):
            if self._cached_tokens <= CACHE_TOKENS:
                break
            if text not in keep:
                _, emb = self._cache.pop(text)
                self._cached_tokens -= emb.size(0)

    def pair_scores(self, cands: Sequence[str], refs: Sequence[str], idf, batch_size: int = 64):
        """(N, 3) tensor of raw P, R, F for each (cand, ref) pair."""
        import torch
        from bert_score.utils import greedy_cos_idf

        self.embed([*cands, *refs], batch_size)
        out = []
        with torch.no_grad():
            for start in range(0, len(refs), batch_size):
                r = self._stats(refs[start : start + batch_size], idf)
                h = self._stats(cands[start : start + batch_size], idf)
                p, rr, f = greedy_cos_idf(*r, *h)
                out.append(torch.stack((p, rr, f), dim=-1).cpu())
        return torch.cat(out, dim=0) if out else torch.zeros((0, 3))

    def _stats(self, texts: Sequence[str], idf):
        import torch
        from torch.nn.utils.rnn import pad_sequence

        ids, embs = zip(*(self._cache[t] for t in texts))
        weights = [torch.tensor([idf[i] for i in seq], dtype=torch.float) for seq in ids]
        lens = torch.tensor([e.size(0) for e in embs], dtype=torch.long)
        emb_pad = pad_sequence([e.to(self.device) for e in embs], batch_first=True, padding_value=2.0)
        idf_pad = pad_sequence([w.to(self.device) for w in weights], batch_first=True)
        mask = (torch.arange(int(lens.max())).expand(len(lens), -1) < lens.unsqueeze(1)).to(self.device)
        return emb_pad, mask, idf_pad
