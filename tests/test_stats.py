"""Statistics on constructed cases."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from bench.stats.bootstrap import mean_ci
from bench.stats.groups import letters, rank_ranges
from bench.stats.holm import holm
from bench.stats.paired import paired_test, sign_flip_p


def scores(values):
    return {f"c{i:03d}": float(v) for i, v in enumerate(values)}


RNG_VALUES = np.random.default_rng(123).uniform(0.2, 0.6, size=40)


def test_identical_systems_not_different():
    a = scores(RNG_VALUES)
    res = paired_test(a, dict(a), seed=0)
    assert res.p_value == 1.0
    assert (res.wins, res.ties, res.losses) == (0, 40, 0)
    assert res.diff == 0.0 and res.diff_low == 0.0 and res.diff_high == 0.0


def test_better_on_every_cluster_is_significant():
    a = scores(RNG_VALUES + 0.01 + RNG_VALUES * 0.05)
    b = scores(RNG_VALUES)
    res = paired_test(a, b, seed=0)
    assert res.wins == 40 and res.losses == 0
    assert res.p_value < 0.01
    assert res.diff_low > 0
    # direction-aware wins for lower-is-better metrics
    low = paired_test(a, b, seed=0, lower_is_better=True)
    assert low.losses == 40 and low.p_value == res.p_value


def test_small_n_uses_exact_permutation():
    # 5 clusters all better: exact two-sided p = 2 / 2^5
    a, b = scores([2, 3, 4, 5, 6]), scores([1, 2, 3, 4, 5])
    assert paired_test(a, b, seed=0).p_value == pytest.approx(2 / 32)
    # hand check of a mixed case against brute force enumeration
    d = np.array([0.3, -0.1, 0.2, 0.05, -0.02, 0.4])
    hits = sum(abs(np.dot(s, d)) >= abs(d.sum()) - 1e-12 for s in itertools.product([1, -1], repeat=6))
    assert sign_flip_p(d, seed=0) == pytest.approx(hits / 64)


def test_pairs_only_shared_clusters():
    a = scores([1, 2, 3])
    b = {"c001": 1.0, "c002": 5.0, "zzz": 9.0}
    res = paired_test(a, b, seed=0)
    assert res.n == 2 and res.mean_a == 2.5 and res.mean_b == 3.0
    assert paired_test(a, {"x": 1.0}, seed=0) is None


def test_seed_makes_intervals_reproducible():
    vals = list(RNG_VALUES)
    first, again = mean_ci(vals, seed=7), mean_ci(vals, seed=7)
    assert first == again
    other = mean_ci(vals, seed=8)
    assert other != first
    # a different seed moves the bounds only slightly
    width = first.high - first.low
    assert abs(other.low - first.low) < 0.2 * width and abs(other.high - first.high) < 0.2 * width
    assert first.low < first.mean < first.high
    assert mean_ci([0.5], seed=0) is None


def test_large_n_permutation_is_seeded():
    rng = np.random.default_rng(5)
    d = rng.normal(0.01, 0.1, size=60)
    assert sign_flip_p(d, seed=1) == sign_flip_p(d, seed=1)
    assert 0 < sign_flip_p(d, seed=1) <= 1


def test_holm_hand_computed():
    # sorted: 0.01*4=0.04, 0.02*3=0.06, 0.03*2=0.06, 0.04*1=0.04 -> monotone 0.06
    assert holm([0.04, 0.01, 0.03, 0.02]) == pytest.approx([0.06, 0.04, 0.06, 0.06])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])
    assert holm([]) == []


def test_groups():
    # a and b indistinguishable, c worse than both; d only worse than a
    sig = {(0, 2), (1, 2), (0, 3)}
    differs = lambda i, j: (min(i, j), max(i, j)) in sig  # noqa: E731
    assert letters(4, differs) == ["a", "ab", "c", "bc"]  # b~d share "b"
    assert rank_ranges(4, differs) == [(1, 2), (1, 3), (3, 4), (2, 4)]
    assert letters(3, lambda i, j: False) == ["a", "a", "a"]
    assert letters(3, lambda i, j: True) == ["a", "b", "c"]
