"""The SummEval content benchmark's reference choice and system-level interval, checked by hand."""

from __future__ import annotations

import math

import pytest

from benchmarks.keypoints_summeval import mean_over, system_tau_interval

PER_REF = {"highlights": {"kp_recall": 0.5}, "crowd1": {"kp_recall": 1.0}, "crowd2": {"kp_recall": 0.0}}


def test_mean_over_the_chosen_references():
    assert mean_over(PER_REF, "kp_recall", ("highlights",)) == 0.5
    assert mean_over(PER_REF, "kp_recall", ("highlights", "crowd1")) == 0.75
    assert mean_over(PER_REF, "kp_recall", None) == 0.5  # every reference
    with pytest.raises(ValueError, match="no reference by crowd9; have highlights, crowd1, crowd2"):
        mean_over(PER_REF, "kp_recall", ("crowd9",))


def grid(metric_order, articles=4):
    """Three systems in every article: human ratings 1, 2, 3; the metric ranks them as told."""
    values, human, clusters, systems = [], [], [], []
    for a in range(articles):
        for s, m in zip("ABC", metric_order):
            values.append(m + a / 10)  # article offsets do not change the systems' order
            human.append({"A": 1, "B": 2, "C": 3}[s])
            clusters.append(f"art{a}")
            systems.append(s)
    return values, human, clusters, systems


def test_system_tau_interval_by_hand():
    assert system_tau_interval(*grid([1, 2, 3]), resamples=200) == (1.0, 1.0)
    assert system_tau_interval(*grid([3, 2, 1]), resamples=200) == (-1.0, -1.0)
    # one failed (NaN) summary is left out: the systems' order is unchanged
    values, human, clusters, systems = grid([1, 2, 3])
    values[0] = math.nan
    assert system_tau_interval(values, human, clusters, systems, resamples=200) == (1.0, 1.0)


def test_system_tau_interval_widens_when_articles_disagree():
    # two articles rank the systems rightly, two wrongly (with more weight): resampling spreads tau
    values, human, clusters, systems = grid([1, 2, 3], articles=2)
    v2, h2, c2, s2 = grid([30, 20, 10], articles=2)
    low, high = system_tau_interval(values + v2, human + h2, clusters + [c + "x" for c in c2], systems + s2,
                                    resamples=500)
    assert low == -1.0 and high == 1.0


def test_rho_difference_is_paired_over_articles():
    from benchmarks.keypoints_summeval import article_rhos, rho_difference

    good, human, clusters, _ = grid([1, 2, 3])
    bad, *_ = grid([3, 2, 1])
    assert article_rhos(good, human, clusters) == {f"art{a}": 1.0 for a in range(4)}
    d = rho_difference(good, bad, human, clusters, resamples=200)
    assert (d.mean, d.low, d.high, d.n) == (2.0, 2.0, 2.0, 4)
    flat = [0.0] * len(good)  # constant in every article: no rho, no article to pair
    assert article_rhos(flat, human, clusters) == {}
