"""Near-duplicate detection, candidate preparation, budget filling, sentence splitting."""

import pytest

from bench.budget import Budget, fill_budget
from bench.model import Cluster, Document
from bench.suites import load_suite
from bench.text.candidates import prepare
from bench.text.dedup import unique_indices
from bench.text.sentences import split_sentences


def test_wire_copy_variants_are_duplicates_but_different_facts_are_not():
    sents = [
        "Japan is undergoing a five-year military buildup through 2027 as part of its national security strategy.",
        "Japan is currently undergoing a five-year military buildup through 2027 as part of its national security strategy.",
        "Trump is also to meet Japanese Emperor Naruhito during the visit.",
        "JAPAN IS UNDERGOING a five-year military buildup through 2027 as part of its national security strategy.",
    ]
    assert unique_indices(sents) == [0, 2]


def test_dedup_rejects_bad_threshold():
    with pytest.raises(ValueError):
        unique_indices(["a b c"], threshold=0)


def test_seed_cluster_candidates_have_no_near_duplicates_across_outlets():
    cluster = load_suite().clusters[0]
    cands = prepare(cluster)
    assert len({c.doc for c in cands}) == 4
    # documents 001 and 003 share wire copy: the later copy is gone
    assert not any(c.doc == 2 and c.text.startswith("“Our national defense should be based") for c in cands)
    assert len(unique_indices([c.text for c in cands])) == len(cands)
    assert all(5 <= c.words <= 80 for c in cands)


def test_fill_budget_skips_sentences_that_do_not_fit():
    ranked = ["one two three four five six", "a b c d e f g h i j", "x y z w v"]
    assert fill_budget(ranked, Budget(words=12)) == ["one two three four five six", "x y z w v"]
    assert fill_budget(ranked, Budget(bullets=1)) == ["one two three four five six"]
    assert fill_budget(ranked, Budget(words=3)) == ["one two three"]  # nothing fits: best one cut
    assert len(fill_budget([f"s{i} a b c d" for i in range(9)], Budget())) == 5


def test_headline_is_not_glued_to_first_sentence():
    text = "Storm hits coast\nA storm hit the coast on Monday. Power was cut to U.S. homes."
    assert split_sentences(text) == ["Storm hits coast", "A storm hit the coast on Monday.", "Power was cut to U.S. homes."]


def test_tiny_document_keeps_short_sentences():
    cluster = Cluster("c", (Document("d", "Fire out. All safe."),))
    assert [c.text for c in prepare(cluster)] == ["Fire out.", "All safe."]


def test_stray_closing_quote_joins_its_sentence():
    # pysbd splits a closing quote after the full stop into a sentence of its own
    out = split_sentences("He left early.\n\n”This finding will be judged by history as a turning point.“")
    assert out == ["He left early.", "”This finding will be judged by history as a turning point.“"]


def test_sentences_glued_by_scraping_are_split_and_abbreviations_are_not():
    text = ('The lab opened in the community.Dr Venter said it cost $40m. "It is a start."The mayor agreed. '
            "Mr.Smith met U.S.Army officials, e.g.Colonel Jones.")
    assert split_sentences(text) == ["The lab opened in the community.", "Dr Venter said it cost $40m.",
                                     '"It is a start."', "The mayor agreed.",
                                     "Mr.Smith met U.S.Army officials, e.g.Colonel Jones."]
    assert all(s in text for s in split_sentences(text))  # each a slice of the text as written
