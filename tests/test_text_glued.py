"""Sentences glued by scraping ("community.Dr Venter") are cut apart by ``split_sentences``,
which the systems and the evidence index both use; what only looks glued is left whole."""

import json

import pytest

from bench.model import Cluster, Document
from bench.text.sentences import split_sentences
from conftest import SHARED_DATA

CASES = [
    # glued ends, with the quote or bracket on its side
    ("Linnell told LiveScience.European countries recycle.",
     ["Linnell told LiveScience.", "European countries recycle."]),
    ("It was in 2015.The year ended.", ["It was in 2015.", "The year ended."]),
    ("He asked why?Nobody knew.", ["He asked why?", "Nobody knew."]),
    ("He waited...The door opened.", ["He waited...", "The door opened."]),  # pysbd cuts "... The" too
    ("A deal was done.A new era began.", ["A deal was done.", "A new era began."]),
    ("She said “stop.”Then she left.", ["She said “stop.”", "Then she left."]),
    ("He left.“No way,” she said.", ["He left.", "“No way,” she said."]),
    ("He said 'go.'Then he left.", ["He said 'go.'", "Then he left."]),
    ("Shares of Acme (the maker of Inc.).The next day they fell.",
     ["Shares of Acme (the maker of Inc.).", "The next day they fell."]),
    ('She posted a photo."Legal in NYC," she wrote.', ["She posted a photo.", '"Legal in NYC," she wrote.']),
    ('"It is a start," he said."We will see."The mayor agreed.',
     ['"It is a start," he said.', '"We will see."', "The mayor agreed."]),
    # not glued ends: titles, initials, abbreviations, decimals, domains, URLs, words holding a "!"
    ("Gov.Perry met Mrs.Smith and Sen.Warren today.", ["Gov.Perry met Mrs.Smith and Sen.Warren today."]),
    ("Mr.Smith met U.S.Army officials, e.g.Colonel Jones.", ["Mr.Smith met U.S.Army officials, e.g.Colonel Jones."]),
    ("J.K.Rowling wrote it at 9 a.m.Tuesday.", ["J.K.Rowling wrote it at 9 a.m.Tuesday."]),
    ("Shares rose 3.5 percent at Amazon.com and Amazon.Com today.",
     ["Shares rose 3.5 percent at Amazon.com and Amazon.Com today."]),
    ("See http://example.com/news.Html or www.Site.Com now.",
     ["See http://example.com/news.Html or www.Site.Com now."]),
    ("Write to jane.Doe@example.com today.", ["Write to jane.Doe@example.com today."]),
    ("Read it on Yahoo!News today.", ["Read it on Yahoo!News today."]),
    ("Step 1.The first step.", ["Step 1.The first step."]),
    ("He waited…The door opened.", ["He waited…The door opened."]),  # pysbd does not cut "… The" either
]


@pytest.mark.parametrize("text, expected", CASES, ids=[c[0][:30] for c in CASES])
def test_glued_sentence_ends_are_cut_and_look_alikes_are_not(text, expected):
    out = split_sentences(text)
    assert out == expected
    assert all(s in text for s in out)  # each a slice of the text as written


def test_the_evidence_index_cuts_documents_the_same_way():
    from bench.metrics.faithfulness.source import Source

    text = 'The lab opened in the community.Dr Venter said it cost $40m."It is a start," he said.'
    rows = Source(Cluster("c", (Document("d", text),))).rows
    assert [r.text for r in rows] == split_sentences(text) == [
        "The lab opened in the community.", "Dr Venter said it cost $40m.", '"It is a start," he said.']


# glued ends in the Multi-News sample: the end of one sentence, the start of the next
MULTI_NEWS = [
    ("told LiveScience.", "European countries"),
    ("just about anything.", "Thus, Finley"),
    ("first-in-the-nation primary.", "Michele Bachmann"),
    ("women breastfeeding.", '"Legal in NYC'),
    ("wearing only a skirt.", '"What @instagram'),
    ("another daring photo.", "The model and actress"),
    ("for the Granite State.\"", "Huntsman has accused"),
    ("her account was deleted.", "Willis isn't"),
]


@pytest.mark.skipif(not SHARED_DATA.exists(), reason=f"shared Multi-News dev data absent ({SHARED_DATA})")
def test_glued_ends_in_multi_news_are_cut():
    rows = [json.loads(line) for line in SHARED_DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    articles = [a for r in rows for a in r["document"].split("|||||")]
    for end, start in MULTI_NEWS:
        article = next(a for a in articles if end + start in a)
        sentences = split_sentences(article)
        assert any(a.endswith(end) and b.startswith(start) for a, b in zip(sentences, sentences[1:])), end
    # a film title with a title in it is no glued end
    article = next(a for a in articles if '"Mr.Turner" premiere' in a)
    assert any('"Mr.Turner" premiere' in s for s in split_sentences(article))
