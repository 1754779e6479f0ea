"""The similarity feature: a sentence that states part of a long source sentence is compared with that part."""

from __future__ import annotations

import numpy as np
import pytest

from bench.metrics.faithfulness.faithfulness import Faithfulness
from bench.metrics.faithfulness.features import embedding_features, passage_similarity
from bench.metrics.shared.vectors import Tokens
from bench.plugins import ScoreItem
from model_fixtures import cluster, minilm, seed_suite  # noqa: F401  (pytest fixtures)

E1, E2, E3 = np.eye(3)


def unit(v):
    return v / np.linalg.norm(v)


def test_a_passage_as_long_as_the_sentence():
    evidence = np.array([E1, E1, E2, E3])
    # the sentence says what the last two tokens say: cosine 1 with that passage, 0.577 with the whole
    assert passage_similarity(unit(E2 + E3), evidence, 2) == pytest.approx(1.0)
    assert float(unit(evidence.mean(0)) @ unit(E2 + E3)) == pytest.approx(1 / np.sqrt(3))


def test_the_whole_sentence_when_it_is_shorter():
    evidence = np.array([E1, E2, E3])
    assert passage_similarity(unit(E1 + E2), evidence, 10) == pytest.approx(float(unit(E1 + E2) @ unit(E1 + E2 + E3)))
    # passages as long as the sentence, never the whole of a longer one
    assert passage_similarity(unit(E1 + E2 + E3), evidence, 1) == pytest.approx(1 / np.sqrt(3))


def test_embedding_features_take_the_best_evidence():
    sentence = Tokens(np.array([unit(E2 + E3)] * 2), np.array([1, 1]))
    close, far = Tokens(np.array([E1, E1, E2, E3]), np.ones(4)), Tokens(np.array([E1]), np.ones(1))
    similarity, _ = embedding_features(sentence, [far, close])
    assert similarity == pytest.approx(1.0)
    assert embedding_features(sentence, []) == (0.0, 0.0)


LONG = ("Japanese Prime Minister Sanae Takaichi’s administration is also finalizing a purchase package, including "
        "US pickups, soybeans and gas, to present to Trump, but would not commit to any new defense spending target "
        "at the meeting, a source with knowledge of the preparations said.")


def test_a_compressed_restatement_of_a_long_sentence_is_supported(cluster, minilm):  # noqa: F811
    assert LONG in "\n".join(d.text for d in cluster.documents)
    said = "Takaichi's government is preparing a package of purchases, such as soybeans and gas, to offer Trump."
    [r] = Faithfulness(device="cpu").score([ScoreItem("s", cluster, (said,), ())])
    [s] = r.details["sentences"]
    assert s["verdict"] == "supported", s
    assert LONG in [e["sentence"] for e in s["evidence"]]
