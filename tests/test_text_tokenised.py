from bench.text.tokenised import detokenised, sentence_ends


def test_a_lone_full_stop_before_a_lower_case_word_ends_a_sentence():
    assert sentence_ends("he was brought on . just been watching ! why ? we know") == [
        "he was brought on .", "just been watching !", "why ?", "we know"]


def test_an_ellipsis_a_decimal_or_ordinary_prose_is_not_cut():
    for text in ("these minerals are scarce . . . is it worth it", "growth was 3 . 5 percent",
                 "The U.S. economy grew. It did.", "He left at 9 p.m. on Monday."):
        assert sentence_ends(text) == [text]


def test_tokenised_text_reads_as_ordinary_text():
    assert detokenised("-lrb- cnn -rrb- the queen 's guard did n't `` slip '' , he said .") == \
        '(cnn) the queen\'s guard didn\'t "slip", he said.'
    assert detokenised("it cost $ 4.9 m -lrb- 3 % of the total -rrb- .") == "it cost $4.9 m (3% of the total)."
    plain = 'Normal text, with "quotes" and (brackets): 3.5% of it.'
    assert detokenised(plain) == plain


def test_in_tokenised_text_a_full_stop_set_apart_ends_a_sentence_before_a_capital_too():
    # a stray quote token (`` ` ... ' `` closed after the last sentence) held these together in pysbd
    text = ("Aaron Siler , 26 , was shot after he ` armed himself ' on March 14 . Torres is on leave . "
            "Siler 's family called the billboard disrespectful '")
    assert sentence_ends(text) == ["Aaron Siler , 26 , was shot after he ` armed himself ' on March 14 .",
                                   "Torres is on leave .", "Siler 's family called the billboard disrespectful '"]
    assert sentence_ends("the score was 3 . 5 , it said . `` We won '' , he said") == [
        "the score was 3 . 5 , it said .", "`` We won '' , he said"]
