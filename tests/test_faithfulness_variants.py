"""benchmarks/faithfulness_variants.py: the cheaper variants change only the embedding features."""

from __future__ import annotations

import numpy as np

from bench.metrics.faithfulness.features import FEATURES
from benchmarks.faithfulness_variants import gated, lexical_only


def rows() -> np.ndarray:
    copied = dict(similarity=0.62, support1=1.0, weakest=0.71, unsupported=0, contradicted=0, repetition=0)
    new = dict(similarity=0.55, support1=0.6, weakest=0.2, unsupported=1, contradicted=0, repetition=0.1)
    return np.array([[r[k] for k in FEATURES] for r in (copied, new)], float)


def test_gated_skips_the_model_only_for_sentences_one_source_sentence_holds():
    before = rows()
    after = gated(before)
    sim, weak = FEATURES.index("similarity"), FEATURES.index("weakest")
    assert after[0, sim] == after[0, weak] == 1.0  # every word in one source sentence: no embedding needed
    assert np.array_equal(after[1], before[1])  # the other sentence keeps what the model measured
    assert np.array_equal(np.delete(after, [sim, weak], axis=1), np.delete(before, [sim, weak], axis=1))
    assert before[0, sim] == 0.62  # the input is not changed in place


def test_lexical_only_keeps_the_lexical_features():
    after = lexical_only(rows())
    kept = [FEATURES.index(k) for k in FEATURES if k not in ("similarity", "weakest")]
    assert np.array_equal(after[:, kept], rows()[:, kept])
    assert not after[:, [FEATURES.index("similarity"), FEATURES.index("weakest")]].any()
