"""Shared model resolution for the metrics that embed text (bertscore, keypoints)."""

from __future__ import annotations

import importlib
import importlib.util
from typing import ClassVar

from bench.errors import MetricUnavailable

from .models import ResolvedModel, resolve_model


#: an English-only model refuses a text with more than this share of non-Latin letters
NON_LATIN_LIMIT = 0.5
ENGLISH_ONLY_RULE = f"English-only model: a text over {NON_LATIN_LIMIT:.0%} non-Latin letters is a failure"


def check_device(device: str) -> None:
    """A device this torch can use (``auto`` always can); else MetricUnavailable saying why."""
    if device in ("auto", "cpu"):
        return
    import torch

    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise MetricUnavailable(f"device={device} but torch {torch.__version__} sees no CUDA device "
                                    f"(built for CUDA: {torch.version.cuda or 'no'}); use device=auto or cpu")
        index = device.partition(":")[2]
        if index and (not index.isdigit() or int(index) >= torch.cuda.device_count()):
            raise MetricUnavailable(f"device={device}: this machine has {torch.cuda.device_count()} CUDA device(s)")
        return
    raise MetricUnavailable(f"device={device!r} is not one of auto, cpu, cuda, cuda:N")


class ModelBacked:
    """Resolves ``self.model``/``self.num_layers`` once; a failure is a one-line reason."""

    #: units of 32 items: workers share out a few hundred summaries evenly, and each
    #: unit still batches ~40 texts by length (16 items: 10% fewer tokens/s on CPU)
    score_chunk: ClassVar[int] = 32
    deterministic: ClassVar[bool] = True
    #: modules looked for at resolution, so a missing package fails here, not mid-run
    needs: ClassVar[tuple[str, ...]] = ("bert_score", "torch")
    install_hint: ClassVar[str] = "pip install bert-score torch"

    def check_model(self, model: ResolvedModel) -> None:
        """Metric-specific requirements on the resolved model (raise MetricUnavailable)."""

    def resolved(self) -> ResolvedModel:
        if getattr(self, "_resolved", None) is None and getattr(self, "_reason", None) is None:
            self._resolved, self._reason = None, None
            try:
                model = resolve_model(self.model, self.num_layers)  # type: ignore[attr-defined]
                self.check_model(model)
                for module in self.needs:  # installed? (found, not imported: a resume with nothing
                    if importlib.util.find_spec(module) is None:  # to do never loads torch)
                        raise ModuleNotFoundError(name=module)
                check_device(getattr(self, "device", "auto"))
                self._resolved = model
            except MetricUnavailable as exc:
                self._reason = exc.message
            except ImportError as exc:
                self._reason = f"{self.name} needs {exc.name} ({self.install_hint})"  # type: ignore[attr-defined]
        if self._resolved is None:
            raise MetricUnavailable(self._reason or "model not resolved")
        return self._resolved

    def sign_model(self, sig: dict) -> ResolvedModel | None:
        """Put the model (or why there is none) and its language rule in a signature; the model or None."""
        try:
            model = self.resolved()
        except MetricUnavailable as exc:
            sig["model"] = {"unavailable": exc.message}
            return None
        sig["model"] = model.describe()
        if model.english_only:
            sig["language"] = ENGLISH_ONLY_RULE
        return model

    def foreign_text(self, summary: str, references: list[str]) -> str | None:
        """Why an English-only model must not score these texts (mostly non-Latin letters), or None."""
        from bench.text.units import non_latin_share

        model = self.resolved()
        if not model.english_only:
            return None
        for label, text in [("summary", summary), *(("reference", r) for r in references)]:
            share = non_latin_share(text)
            if share > NON_LATIN_LIMIT:
                return (f"{label} is {share:.0%} non-Latin letters (e.g. CJK) and {model.name} is an English "
                        "model; give model=PATH of a local model for this language")
        return None

    def runs_in_workers(self) -> bool:
        """CPU models run in workers (torch threads = cores / workers); a GPU stays
        with one process (device=cuda, or auto on a machine with CUDA)."""
        from .embed import resolve_device

        return resolve_device(self.device) == "cpu"  # type: ignore[attr-defined]

    def unavailable_reason(self) -> str | None:
        try:
            self.resolved()
        except MetricUnavailable as exc:
            return exc.message
        return None
