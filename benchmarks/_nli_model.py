"""all-MiniLM-L6-v2 as a 3-class NLI cross-encoder: frozen lower layers, trained top layers and head.

Imports torch: import this module lazily (``entailment`` does). The encoder's lower ``FROZEN`` layers
are used as installed; the delta holds only the top layers and the classification head.
"""

from __future__ import annotations

import copy
import hashlib
import os

import torch
from torch import nn

from bench.metrics.shared.embed import hub_offline
from bench.metrics.shared.models import MINILM, resolve_model

LABELS = ("entailment", "neutral", "contradiction")
#: encoder layers used as installed (of 6); the ones above are trained
FROZEN = 4
#: premise + hypothesis, in tokens (two source sentences and a summary sentence fit)
MAX_TOKENS = 256


def load_encoder():
    """(tokenizer, encoder, weights sha256) of the installed MiniLM; raises MetricUnavailable."""
    import transformers
    from transformers import AutoModel, AutoTokenizer

    model = resolve_model(MINILM)
    verbosity = transformers.logging.get_verbosity()
    transformers.logging.set_verbosity_error()
    bars = transformers.utils.logging.is_progress_bar_enabled()
    transformers.utils.logging.disable_progress_bar()
    try:
        with hub_offline():
            tok = AutoTokenizer.from_pretrained(model.path)
            enc = AutoModel.from_pretrained(model.path).eval()
    finally:
        transformers.logging.set_verbosity(verbosity)
        if bars:
            transformers.utils.logging.enable_progress_bar()
    return tok, enc, model.weights_sha256


def tokenize(tok, premises: list[str], hypotheses: list[str]) -> dict:
    return tok(premises, hypotheses, padding=True, truncation="only_first", max_length=MAX_TOKENS,
               return_tensors="pt")


def _additive(mask: torch.Tensor) -> torch.Tensor:
    return (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min


def run_layers(layers, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    ext = _additive(mask)
    for layer in layers:
        out = layer(hidden, attention_mask=ext)
        hidden = out[0] if isinstance(out, tuple) else out
    return hidden


@torch.no_grad()
def bottom(enc, batch: dict) -> torch.Tensor:
    """Hidden states after the frozen layers (batch x tokens x 384)."""
    hidden = enc.embeddings(input_ids=batch["input_ids"], token_type_ids=batch["token_type_ids"])
    return run_layers(enc.encoder.layer[:FROZEN], hidden, batch["attention_mask"])


class Top(nn.Module):
    """The trained part: the encoder's layers above FROZEN, mean pooling, a linear head."""

    def __init__(self, enc) -> None:
        super().__init__()
        self.layers = copy.deepcopy(enc.encoder.layer[FROZEN:])
        self.dropout = nn.Dropout(0.1)
        self.head = nn.Linear(enc.config.hidden_size, len(LABELS))

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        hidden = run_layers(self.layers, hidden, mask)
        weights = mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
        return self.head(self.dropout(pooled))


def save_delta(top: Top, path: str, encoder_sha256: str, note: str) -> str:
    """Write the trained parameters (float16, safetensors); returns the file's sha256."""
    from safetensors.torch import save_file

    tensors = {k: v.detach().to(torch.float16).contiguous() for k, v in top.state_dict().items()}
    meta = {"encoder": MINILM, "encoder_sha256": encoder_sha256, "frozen_layers": str(FROZEN),
            "labels": ",".join(LABELS), "note": note}
    tmp = path + ".tmp"
    save_file(tensors, tmp, metadata=meta)
    os.replace(tmp, path)
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def load_delta(enc, path: str, encoder_sha256: str) -> Top:
    """The trained top for ``enc``; ValueError with a one-line reason if the file does not fit."""
    from safetensors import safe_open

    with safe_open(path, framework="pt") as fh:
        meta = fh.metadata() or {}
        tensors = {k: fh.get_tensor(k).float() for k in fh.keys()}
    if meta.get("frozen_layers") != str(FROZEN) or meta.get("labels") != ",".join(LABELS):
        raise ValueError(f"{path}: not an NLI delta for this code (frozen_layers/labels differ)")
    if meta.get("encoder_sha256") != encoder_sha256:
        trained_on = meta.get("encoder_sha256", "?")[:12]
        raise ValueError(f"{path}: trained on another encoder (sha256 {trained_on}...)")
    top = Top(enc)
    top.load_state_dict(tensors)
    return top.eval()


def probabilities(tok, enc, top: Top, premises: list[str], hypotheses: list[str],
                  batch_size: int = 32) -> list[tuple[float, ...]]:
    """Per pair, the probability of each label (LABELS order); pairs batched by length."""
    order = sorted(range(len(premises)), key=lambda i: len(premises[i]) + len(hypotheses[i]))
    out: dict[int, tuple[float, ...]] = {}
    with torch.no_grad():
        for start in range(0, len(order), batch_size):
            ids = order[start : start + batch_size]
            batch = tokenize(tok, [premises[i] for i in ids], [hypotheses[i] for i in ids])
            probs = top(bottom(enc, batch), batch["attention_mask"]).softmax(-1)
            for i, row in zip(ids, probs.tolist()):
                out[i] = tuple(row)
    return [out[i] for i in range(len(premises))]
