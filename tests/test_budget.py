from __future__ import annotations

import pytest

from bench.budget import Budget, apply_budget


def test_words_cut_at_word_boundary():
    fitted = apply_budget(["one two three", "four five six"], Budget(words=4))
    assert fitted.bullets == ("one two three", "four") and fitted.truncated
    assert fitted.words_before == 6 and fitted.bullets_before == 2


def test_bullets_then_words():
    fitted = apply_budget(["a b", "c d", "e f"], Budget(words=10, bullets=2))
    assert fitted.bullets == ("a b", "c d") and fitted.truncated


def test_within_budget_untouched_but_normalised():
    fitted = apply_budget(["  a   b ", "", "c"], Budget(words=10))
    assert fitted.bullets == ("a b", "c") and not fitted.truncated


def test_invalid_budget():
    with pytest.raises(ValueError):
        Budget(words=0)
