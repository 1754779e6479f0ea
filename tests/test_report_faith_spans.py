"""Flagged spans placed in the bullet as the report shows it."""

from bench.report.faith_spans import Segment, segments


def test_spans_are_placed_in_their_sentence_within_the_bullet():
    bullet = "Iwaya met Rubio on Tuesday. He met Waltz on Friday in Rome."
    sentences = [
        {"sentence": "Iwaya met Rubio on Tuesday.", "spans": []},
        {"sentence": "He met Waltz on Friday in Rome.", "spans": [
            {"text": "Friday", "start": 16, "end": 22, "kind": "date", "status": "contradicted",
             "source_says": "Tuesday"},
            {"text": "Rome", "start": 26, "end": 30, "kind": "name", "status": "unsupported"},
            {"text": "Waltz", "start": 7, "end": 12, "kind": "name", "status": "misplaced"}]},
    ]
    out = segments(bullet, sentences)
    assert "".join(s.text for s in out) == bullet
    flagged = [(s.text, s.status) for s in out if s.status]
    assert flagged == [("Friday", "contradicted"), ("Rome", "unsupported")]
    assert "Tuesday" in [s for s in out if s.status == "contradicted"][0].title


def test_spans_that_do_not_match_are_left_out():
    bullet = "Taxes rise by 3%."
    out = segments(bullet, [{"sentence": "Taxes rise by 3%.", "spans": [
        {"text": "4", "start": 14, "end": 15, "status": "unsupported"}]}])
    assert out == [Segment(bullet)]
    assert segments(bullet, [{"sentence": "Another text.", "spans": []}]) == [Segment(bullet)]
