from __future__ import annotations

import pytest

from bench.metrics.shared.lexical import words
from bench.metrics.extractiveness import Extractiveness, _Source
from bench.metrics.faithfulness.grounding import Grounding
from bench.metrics.length import Length
from bench.plugins import ItemFailure, ScoreItem
from bench.text.sentences import split_sentences
from model_fixtures import cluster, minilm, refs, seed_suite  # noqa: F401  (pytest fixtures)

INVENTED = "Toyota agreed to build a $40 billion semiconductor plant in Ohio as part of the visit."


@pytest.fixture(scope="module")
def copied(cluster):
    doc = cluster.documents[2]  # Taipei Times
    return doc, split_sentences(doc.text)[0]


def test_copied_sentence_is_fully_supported_and_dense(cluster, refs, copied):
    doc, sentence = copied
    item = ScoreItem("copy", cluster, (sentence,), refs)
    g = Grounding().score([item])[0]
    assert g.values["support"] == 1.0 and g.values["weak_share"] == 0.0
    evidence = g.details["bullets"][0]["evidence"][0]
    assert evidence["sentence"] == sentence and evidence["outlet"] == doc.source
    e = Extractiveness().score([item])[0]
    n = len(words(sentence))
    assert e.values["coverage"] == 1.0
    assert e.values["density"] == pytest.approx(n)  # one fragment of the whole sentence: n^2 / n


def test_invented_fact_is_weakly_grounded(cluster, refs, copied):
    _, sentence = copied
    item = ScoreItem("mixed", cluster, (sentence, INVENTED), refs)
    g = Grounding().score([item])[0]
    copied_b, invented_b = g.details["bullets"]
    assert invented_b["weak"] and invented_b["support"] < 0.4
    assert {"toyota", "ohio", "semiconductor"} <= set(invented_b["terms_in_no_document"])
    assert not copied_b["weak"]
    assert g.values["weak_share"] == 0.5
    assert g.details["outlets"] == {copied[0].source: 1}  # weak bullets name no outlet
    e = Extractiveness().score([ScoreItem("inv", cluster, (INVENTED,), refs)])[0]
    assert e.values["density"] < 2


def test_reference_bullets_are_grounded(cluster, refs):
    g = Grounding().score([ScoreItem("ref", cluster, refs[1].bullets, refs)])[0]
    assert g.values["weak_share"] == 0.0
    assert len(g.details["outlets"]) >= 2  # the team wrote from several outlets


def test_newsroom_fragments():
    # Grusky et al. 2018: the longest shared sequence at each summary position
    src = _Source([words("the quick brown fox jumps over the lazy dog"), words("a lazy dog sleeps")])
    frags = src.fragments(words("the lazy dog sleeps and the quick brown fox"))
    assert frags == [["the", "lazy", "dog"], ["sleeps"], ["the", "quick", "brown", "fox"]]
    frags = src.fragments(words("lazy dog sleeps"))
    assert frags == [["lazy", "dog", "sleeps"]]  # from the second document


def test_han_kana_characters_are_words_as_in_budgets():
    assert words("東京で地震。Tokyo quake") == ["東", "京", "で", "地", "震", "tokyo", "quake"]
    src = _Source([words("東京で大きな地震が発生した。")])
    assert src.fragments(words("大きな地震")) == [["大", "き", "な", "地", "震"]]


def test_length(cluster, refs):
    res = Length().score([ScoreItem("s", cluster, ("One two three.", "Four five."), refs)])[0]
    assert res.values["words"] == 5 and res.values["bullets"] == 2
    total = sum(len(words(d.text)) for d in cluster.documents)
    assert res.values["compression"] == pytest.approx(total / 5)
    empty = Length().score([ScoreItem("s", cluster, (), refs)])[0]
    assert empty.values == {"words": 0.0, "bullets": 0.0}  # no compression ratio, not a 0


def test_empty_summary_fails_lexical_metrics(cluster, refs):
    item = ScoreItem("s", cluster, (), refs)
    assert isinstance(Extractiveness().score([item])[0], ItemFailure)
    assert isinstance(Grounding().score([item])[0], ItemFailure)


def test_invented_name_or_number_makes_a_bullet_weak(cluster, refs):
    bullets = (
        "Trump will visit Seoul on Oct. 27-29 to discuss South Korea's military buildup.",
        "Japan will buy 340 fighter jets from the U.S.",
    )
    g = Grounding().score([ScoreItem("s", cluster, bullets, refs)])[0]
    seoul, jets = g.details["bullets"]
    assert seoul["support"] >= 0.5 and seoul["weak"] and seoul["unsupported_specifics"] == ["Seoul"]
    assert jets["weak"] and "340" in jets["unsupported_specifics"]
    loose = Grounding(specifics=False).score([ScoreItem("s", cluster, bullets[:1], refs)])[0]
    assert not loose.details["bullets"][0]["weak"]  # words alone look supported
