from bench.text.bullets import normalized, text_to_bullets


def test_marked_lines_are_bullets():
    assert text_to_bullets("- One thing.\n2) Two things. Really.\n* Three") == ["One thing.", "Two things. Really.", "Three"]


def test_prose_is_split_into_sentences():
    assert text_to_bullets("A storm hit. Power is out.") == ["A storm hit.", "Power is out."]


def test_unmarked_lines_only_count_for_outputs():
    text = "Japan will spend more. It says so.\nTrump visits."
    assert text_to_bullets(text, lines_are_bullets=True) == ["Japan will spend more. It says so.", "Trump visits."]
    assert text_to_bullets(text) == ["Japan will spend more.", "It says so.", "Trump visits."]


def test_normalized():
    assert normalized("  Same   TEXT ") == normalized("same text")


def test_tokenised_lower_case_output_is_split_into_sentences():
    # CNN/DM-era output: lower-cased, Penn Treebank tokens, a lone full stop ends a sentence (quotes
    # written ` ' made the splitter run sentences together)
    text = ("siler was shot after he ` armed himself with a weapon ' on march 14 . torres is on leave . "
            "`` just been watching , '' he said . -lrb- cnn -rrb- he did n't play .")
    assert text_to_bullets(text) == ["siler was shot after he ` armed himself with a weapon ' on march 14 .",
                                     "torres is on leave .", "`` just been watching , '' he said .",
                                     "-lrb- cnn -rrb- he did n't play ."]
