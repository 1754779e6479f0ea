"""Does a summary sentence follow from its evidence? P(entailment) and P(contradiction) from a small NLI
cross-encoder: the installed all-MiniLM-L6-v2 with a trained delta (its top layers and a head,
``benchmarks/nli_train.py``). torch and the weights load on first use.

Premises for a sentence: each evidence passage, and the first two joined in source order (summaries
fuse two source sentences into one).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Sequence

from bench.errors import MetricUnavailable

#: the delta's default place (not shipped unless it improves the faithfulness metric)
DELTA = Path(__file__).with_name("nli_delta.safetensors")
TRAIN = "python benchmarks/nli_train.py SDIST --out PATH"


@functools.lru_cache(maxsize=2)
def _loaded(delta: str):
    if not Path(delta).is_file():
        raise MetricUnavailable(f"NLI delta {delta} not found (train one: {TRAIN})")
    from benchmarks import _nli_model as nli_model  # imports torch

    tok, enc, sha = nli_model.load_encoder()  # MetricUnavailable when MiniLM is not installed
    try:
        top = nli_model.load_delta(enc, delta, sha)
    except ValueError as exc:
        raise MetricUnavailable(str(exc)) from None
    except Exception as exc:  # unreadable / not safetensors / wrong tensors
        raise MetricUnavailable(f"NLI delta {delta} is unreadable ({type(exc).__name__}: "
                                f"{str(exc).splitlines()[0][:120]})") from None
    return tok, enc, top


def pair_probabilities(premises: Sequence[str], hypotheses: Sequence[str],
                       delta: str | Path = DELTA) -> list[tuple[float, float]]:
    """(P(entailment), P(contradiction)) of each hypothesis given its premise."""
    from benchmarks import _nli_model as nli_model

    tok, enc, top = _loaded(str(delta))
    probs = nli_model.probabilities(tok, enc, top, list(premises), list(hypotheses))
    entail, contradict = nli_model.LABELS.index("entailment"), nli_model.LABELS.index("contradiction")
    return [(p[entail], p[contradict]) for p in probs]


def premises(evidence: Sequence[str]) -> list[str]:
    """The passages a sentence is checked against: each of ``evidence`` (in source order), and the
    first two joined."""
    out = list(evidence)
    if len(evidence) >= 2:
        out.append(f"{evidence[0]} {evidence[1]}")
    return out


def sentence_entailment(pairs: Sequence[tuple[str, Sequence[str]]],
                        delta: str | Path = DELTA) -> list[tuple[float, float]]:
    """Per (sentence, evidence in source order): (max P(entailment), max P(contradiction)) over its
    premises; (0, 0) for a sentence without evidence."""
    flat = [(i, p, s) for i, (s, ev) in enumerate(pairs) for p in premises(ev)]
    probs = pair_probabilities([p for _, p, _ in flat], [s for _, _, s in flat], delta)
    out = [(0.0, 0.0)] * len(pairs)
    for (i, _, _), (e, c) in zip(flat, probs):
        out[i] = (max(out[i][0], e), max(out[i][1], c))
    return out
