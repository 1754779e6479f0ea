from __future__ import annotations

import random

import pytest

from bench.budget import Budget, BudgetFill, apply_budget


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


def test_a_full_budget_keeps_nothing_given_after_it():
    """Once BudgetFill says full, apply_budget gives the same bullets whatever follows;
    before, something that follows would still be kept."""
    rng = random.Random(7)
    words = ["a", "bb", "中文", "  ", ""]
    for _ in range(3000):
        budget = Budget(words=rng.choice([None, 1, 3, 8]), bullets=rng.choice([None, 1, 2, 4]))
        bullets = [" ".join(rng.choice(words) for _ in range(rng.randint(0, 4))) for _ in range(rng.randint(0, 6))]
        fill, given = BudgetFill(budget), []
        for b in bullets:
            given.append(b)
            full = fill.add([b])
            more = apply_budget([*given, "x y"], budget).bullets
            assert (more == apply_budget(given, budget).bullets) == full, (budget, given)
            if full:
                break
