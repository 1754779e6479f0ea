"""Extractive systems: parameters, hand-checkable rankings, determinism."""

import pytest

from bench.budget import Budget
from bench.errors import PluginError
from bench.model import Cluster, Document, Reference
from bench.plugins.discovery import discover

REG = discover().systems

DOCS = (
    Document("a", "Flood hits the river town on Monday after heavy rain fell for three days.\n\n"
                  "The flood forced hundreds of families in the river town to leave their homes.\n\n"
                  "A local bakery celebrated its hundredth birthday with free cakes for children."),
    Document("b", "Heavy rain caused a flood in the river town, forcing families from their homes.\n\n"
                  "Officials said the flood in the river town was the worst in fifty years."),
)
CLUSTER = Cluster("flood", DOCS)


def test_mmr_lambda_param_and_validation():
    assert REG.create("mmr:lambda=0.3").instance.lambda_ == 0.3
    with pytest.raises(PluginError, match="lambda"):
        REG.create("mmr:lambda=1.5")
    with pytest.raises(PluginError):
        REG.create("lexrank:damping=1")


@pytest.mark.parametrize("name", ["lexrank", "textrank", "centroid", "mmr"])
def test_central_sentences_beat_the_off_topic_one(name):
    out = REG.create(name).instance.summarize(CLUSTER, Budget(bullets=2))
    assert len(out) == 2 and not any("bakery" in b for b in out)


def test_random_is_seeded():
    a = REG.create("random:seed=1").instance.summarize(CLUSTER, Budget(bullets=5))
    assert a == REG.create("random:seed=1").instance.summarize(CLUSTER, Budget(bullets=5))
    others = {tuple(REG.create(f"random:seed={s}").instance.summarize(CLUSTER, Budget(bullets=5))) for s in range(8)}
    assert len(others) > 1


def test_mmr_with_lambda_one_is_the_centroid_ranking():
    relevance_only = REG.create("mmr:lambda=1").instance.summarize(CLUSTER, Budget(bullets=5))
    centroid = REG.create("centroid").instance.summarize(CLUSTER, Budget(bullets=5))
    assert relevance_only == centroid


def test_oracle_picks_what_the_reference_says():
    ref = Reference("flood", "t", ("A local bakery celebrated its hundredth birthday with free cakes.",))
    oracle = REG.create("oracle").instance
    assert oracle.upper_bound and oracle.uses_references
    out = oracle.summarize(CLUSTER, Budget(words=20), (ref,))
    assert out == ["A local bakery celebrated its hundredth birthday with free cakes for children."]
    with pytest.raises(ValueError):
        oracle.summarize(CLUSTER, Budget(words=20), ())


def test_lead_first_k_of_each_document_and_clean_param():
    lead = REG.create("lead:n=1,per_doc=true").instance
    assert lead.summarize(CLUSTER, Budget()) == [
        "Flood hits the river town on Monday after heavy rain fell for three days.",
        "Heavy rain caused a flood in the river town, forcing families from their homes.",
    ]
    noisy = Cluster("n", (Document("x", "Latest News\nSign up for our newsletter\n\n" + DOCS[0].text),))
    assert REG.create("lead:n=1").instance.summarize(noisy, Budget())[0].startswith("Flood hits")
    assert REG.create("lead:n=1,clean=false").instance.summarize(noisy, Budget())[0] == "Latest News"
