"""Source support without false alarms: the classes named in the faithfulness issue, by hand."""

from __future__ import annotations

import pytest

from bench.metrics.faithfulness.source import Source
from bench.metrics.faithfulness.specifics import check
from bench.metrics.faithfulness.words import found, tokens, vocabulary
from bench.model import Cluster, Document


def source(*texts: str) -> Source:
    return Source(Cluster("c", tuple(Document(f"d{i}", t, source=f"Outlet {i}") for i, t in enumerate(texts))))


def flagged(sentence: str, src: Source, lexicon=None) -> list[tuple[str, str]]:
    words = tokens(sentence)
    ev = src.evidence(words, 2)
    return [(s.text, s.status) for s in check(words, ev.sentences, src, lexicon, sentence) if s.status != "supported"]


@pytest.mark.parametrize("summary_word, source_text", [
    ("54", "The 54-year-old was arrested on Monday."),  # hyphen: a number inside a compound
    ("O'Neill", "Mr O’Neill said he would stay."),  # apostrophe, typographic in the source
    ("Neill", "Mr O'Neill said he would stay."),
    ("Saint-Germain", "Paris Saint Germain won again."),
    ("9pm", "The match starts at 9 pm tonight."),
    ("25, 000", "About 25,000 people marched."),  # detokenised thousands
    ("7. 5", "Growth was 7.5 per cent."),  # detokenised decimal
    ("three", "He signed a 3-year deal."),  # number words are numbers
    ("£5m", "The club paid 5 million pounds."),
    ("3 per cent", "Growth was 3%."),  # one unit, three spellings
    ("3%", "Growth was 3 per cent."),
    ("3 percent", "Growth was 3 per cent."),
    ("4.9 million", "It cost $4.9m."),
    ("Sept. 5", "It opened on September 5."),  # abbreviated months and weekdays
    ("Tues.", "It opened on Tuesday."),
    ("twenty-five", "About 25 people came."),  # spelled and ordinal forms
    ("sixth", "It was his 6th title."),
])
def test_no_false_alarm_between_forms(summary_word, source_text):
    word = [w for w in tokens(summary_word)]
    vocab = vocabulary(tokens(source_text))
    assert word and all(found(w, vocab) for w in word), (summary_word, [w.atoms for w in word])


def test_names_in_lower_case_summaries_are_checked():
    src = source("Gary Locke will be confirmed as Kilmarnock's manager. He replaced Allan Johnston in February.")
    assert flagged("gary locke will be confirmed as kilmarnock 's manager .", src) == []
    # a name the sources never mention, in lower case, is caught with a vocabulary of ordinary words;
    # here the sources name someone else in its place (next to "Gary")
    lexicon = frozenset({"will", "be", "confirmed", "as", "manager", "replaced", "in", "the", "club", "said", "fine"})
    assert flagged("gary mcfadzean will be confirmed as manager .", src, lexicon) == [("mcfadzean", "contradicted")]
    assert flagged("mcfadzean said the club will be fine .", src, lexicon) == [
        ("mcfadzean", "unsupported")]
    # without a vocabulary an unknown lower-case word is not taken for a name
    assert flagged("mcfadzean said the club will be fine .", src) == []


def test_contradicted_number_in_the_same_role():
    src = source("The former Hearts boss was given a two-year deal. The club has 40 players.")
    assert flagged("The former Hearts boss was given a three-year deal.", src) == [("three-year", "contradicted")]
    words = tokens("The former Hearts boss was given a three-year deal.")
    spec = [s for s in check(words, src.evidence(words, 2).sentences, src) if s.status == "contradicted"]
    assert spec[0].source_says == "two-year"


def test_unsupported_misplaced_and_supported_names():
    src = source("Smith met the minister in Paris on Monday. Later, Jones flew to Berlin.")
    assert flagged("Smith met the minister in Paris on Monday.", src) == []
    # another place in the same role: the sources say Paris
    assert flagged("Smith met the minister in Rome on Monday.", src) == [("Rome", "contradicted")]
    assert flagged("Smith, from Rome, met the minister.", src) == [("Rome", "unsupported")]
    # a name the sources have, but not in the sentences that support this one
    words = tokens("Smith met the minister in Paris and Berlin on Monday.")
    assert [(s.text, s.status) for s in check(words, [0], src) if s.status != "supported"] == [
        ("Berlin", "misplaced")]


def test_a_number_in_a_compound_is_the_number():
    src = source("The man, 54, was arrested.")
    assert flagged("The 54-year-old man was arrested.", src) == []
    assert flagged("The man, 45, was arrested.", src) == [("45", "contradicted")]
    assert flagged("The 45-year-old man was arrested.", src) == [("45-year-old", "unsupported")]


def test_placeholders_are_not_words():
    assert [w.text for w in tokens("a UNK loan -LRB- PSU -RRB- <unk>")] == ["a", "loan", "PSU"]


def test_spans_point_into_the_sentence():
    sentence = "Officials said 25, 000 people came, not 30,000."
    src = source("Officials said 20,000 people came.")
    words = tokens(sentence)
    for s in check(words, src.evidence(words, 2).sentences, src):
        assert sentence[s.start:s.end] == s.text


def test_glued_sentences_in_scraped_text_are_split():
    src = source("The biologist was vilified by the community.Dr Venter has not gained a reputation for modesty.")
    assert len(src.rows) == 2
    assert "community" in src.vocabulary


def test_long_evidence_is_clipped_around_the_shared_words():
    from bench.metrics.faithfulness.judge import EVIDENCE_WORDS, clip

    filler = " ".join(f"word{i}" for i in range(60))
    src = source(f"{filler} the minister resigned in Tokyo on Friday {filler}.")
    words = tokens("The minister resigned in Tokyo.")
    ev = src.evidence(words, 1)
    passage = clip(src.rows[ev.sentences[0]], ev.terms)
    assert "minister resigned in Tokyo" in passage
    assert len(tokens(passage)) == EVIDENCE_WORDS
    assert src.rows[0].text.find(passage) >= 0  # a slice of the sentence as written


def test_grounding_raises_none_of_these_false_alarms():
    from bench.metrics.faithfulness.grounding import Grounding
    from bench.plugins import ScoreItem

    cluster = Cluster("c", (Document("d0", "Sean O’Neill, 54, left the Saint-Germain club at 9 pm on Monday. "
                                           "About 25,000 fans and 7.5 per cent of members had signed a petition."),))
    bullets = ("the 54-year-old o'neill left saint-germain at 9pm on monday .",
               "some 25, 000 fans and 7. 5 per cent of members had signed a petition .")
    [r] = Grounding().score([ScoreItem("s", cluster, bullets, ())])
    assert [b["unsupported_specifics"] for b in r.details["bullets"]] == [[], []]
    assert r.values["weak_share"] == 0.0


def test_capitals_that_open_a_quotation_or_clause_are_not_names():
    src = source("The mayor said the plan was enough for the city. Scientists studied the bones.")
    lexicon = frozenset({"enough", "anthropologist", "studied", "bones", "the", "plan", "was", "said", "forensic",
                         "scientist"})
    assert flagged('The mayor said: "Enough for the city."', src, lexicon) == []
    # a plural of a vocabulary word opening the sentence is an ordinary word, not a name
    assert flagged("Anthropologists studied the bones.", src, lexicon) == []
    # a cased sentence with no capital after its first word is not lower-case text
    assert flagged("Forensic scientists re-created the bones.", src, lexicon) == []


def test_contractions_written_apart_are_not_names():
    # Penn Treebank-tokenised, lower-cased output (several FRANK systems): "n't", "'re" are grammar
    src = source("Brendan Rodgers has not disciplined Sterling. You are right.")
    lexicon = frozenset({"has", "disciplined", "right", "you", "are", "not"})
    assert flagged("brendan rodgers has n't disciplined sterling .", src, lexicon) == []
    assert flagged("you 're right , i would n't .", src, lexicon) == []


def test_inflections_of_ordinary_words_are_not_names():
    src = source("Fans lined up outside the cinema. He posted a message.")
    lexicon = frozenset({"queue", "tweet", "shame", "fans", "the", "cinema", "outside", "he", "message"})
    assert flagged("fans queued outside the cinema .", src, lexicon) == []
    assert flagged("he tweets a shameful message .", src, lexicon) == []
    # an unknown word is still a name
    assert flagged("fans queued outside the zorblatt cinema .", src, lexicon) == [("zorblatt", "unsupported")]


def test_a_number_beside_a_name_is_not_its_role():
    # "first" and "one" are both 1, but a number says nothing of which place a name stands for
    src = source("FAKERS: According to one audit, few followers are real. Clinton was in Monticello, Iowa.")
    assert ("Iowa", "contradicted") not in flagged("Clinton is in Monticello, Iowa for the first stop.", src)


def test_another_part_or_spelling_of_the_same_name_is_no_contradiction():
    src = source("Former captain Mike Tindall and wife Zara Phillips watched the race.")
    got = flagged("Tindal and his wife Zara Phillips watched the race.", src)
    assert [s for s in got if s[1] == "contradicted"] == [], got
    # a different person in the same role still is
    assert ("Wilkinson", "contradicted") in flagged("Jonny Wilkinson and his wife Zara Phillips watched the race.", src)


def test_a_changed_number_in_the_same_place_is_contradicted_however_its_unit_is_written():
    # the bundled suite's case (issue 26): "3%" where the evidence says "2 percent"
    src = source("Japan is undergoing a five-year military buildup through 2027, including doubling its annual "
                 "defense spending to 2 percent of GDP.")
    assert ("3", "contradicted") in flagged("Japan is doubling defence spending to 3% of GDP through 2027.", src)
    src = source("The club paid 4.9 million dollars for the striker.")
    assert flagged("The club paid $5.9m for the striker.", src) == [("5.9m", "contradicted")]
    assert flagged("The club paid $4.9m for the striker.", src) == []
    src = source("The club paid £3m, a fee of 2 per cent of its turnover.")
    assert flagged("The club paid £3m, a fee of 4% of its turnover.", src) == [("4", "contradicted")]


def test_a_changed_weekday_or_month_is_contradicted_however_it_is_written():
    src = source("Trump is expected to hold talks next Tuesday with Prime Minister Sanae Takaichi.")
    assert flagged("Trump will hold talks next Tues. with Prime Minister Sanae Takaichi.", src) == []
    assert flagged("Trump will hold talks next Thurs. with Prime Minister Sanae Takaichi.", src) == [
        ("Thurs", "contradicted")]
    src = source("The law takes effect in September across the state.")
    assert flagged("The law takes effect in Oct. across the state.", src) == [("Oct", "contradicted")]


def test_a_number_only_a_lesser_evidence_sentence_states_is_contradicted_by_the_best():
    # the bundled suite (issue 26): "3" was taken as supported by "three people briefed ...", a sentence
    # picked as evidence for that number alone, while the best evidence says "2 percent of GDP"
    from bench.suites import load_suite

    src = Source(load_suite("seed-news").clusters[0])
    words = tokens("Japan is doubling defence spending to 3% of GDP through 2027.")
    [three] = [s for s in check(words, src.evidence(words, 2).sentences, src) if s.text == "3"]
    assert (three.status, three.source_says) == ("contradicted", "2")
