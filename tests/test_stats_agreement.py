"""Correlation and agreement statistics equal scipy's and scikit-learn's on small cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps
from sklearn import metrics as skm

from bench.stats import agreement as ag
from bench.stats.bootstrap import paired_bootstrap_p, percentile_interval, resample_counts
from bench.stats.correlation import kendall_tau_b, kendall_tau_b_rows, pearson, pearson_from_sums

CASES = [
    ([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]),  # tau = 0.6 by hand: 8 concordant, 2 discordant of 10
    ([1, 1, 2, 3], [1, 2, 2, 3]),  # ties in both
    ([0.1, 0.4, 0.4, 0.9, 0.3, 0.3], [0.2, 0.2, 0.5, 0.7, 0.1, 0.6]),
    ([3, 2, 1], [1, 2, 3]),
]


def test_tau_by_hand():
    assert kendall_tau_b([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) == pytest.approx(0.6)
    assert kendall_tau_b([3, 2, 1], [1, 2, 3]) == -1.0


@pytest.mark.parametrize("x,y", CASES)
def test_tau_b_and_pearson_equal_scipy(x, y):
    assert kendall_tau_b(x, y) == pytest.approx(sps.kendalltau(x, y).statistic, abs=1e-12)
    assert pearson(x, y) == pytest.approx(sps.pearsonr(x, y).statistic, abs=1e-12)
    a, b = np.asarray(x, float), np.asarray(y, float)
    assert float(pearson_from_sums(len(a), a.sum(), b.sum(), (a * a).sum(), (b * b).sum(), (a * b).sum())) == \
        pytest.approx(pearson(x, y), abs=1e-9)


def test_undefined_correlations_are_nan():
    assert math.isnan(kendall_tau_b([1, 1, 1], [1, 2, 3]))
    assert math.isnan(kendall_tau_b([1], [1]))
    assert math.isnan(pearson([2, 2], [1, 3]))


def test_tau_rows_leave_nan_items_out():
    x = np.array([[1, 2, 3, 4, 5], [1, 2, np.nan, 4, 5]], dtype=float)
    y = np.array([[2, 1, 4, 3, 5], [2, 1, 4, 3, 5]], dtype=float)
    got = kendall_tau_b_rows(x, y)
    assert got[0] == pytest.approx(0.6)
    assert got[1] == pytest.approx(sps.kendalltau([1, 2, 4, 5], [2, 1, 3, 5]).statistic)


LABELS = [
    ([1, 1, 0, 0, 1, 0, 1, 1], [1, 0, 0, 0, 1, 1, 1, 1]),
    ([1, 1, 1, 1, 0], [1, 1, 1, 0, 0]),
    ([0, 0, 1, 1, 0, 1], [1, 0, 1, 0, 0, 1]),
]


@pytest.mark.parametrize("pred,true", LABELS)
def test_agreement_equals_sklearn(pred, true):
    c = ag.Confusion.of(pred, true)
    counts = (c.tp, c.fp, c.fn, c.tn)
    assert ag.accuracy(*counts) == pytest.approx(skm.accuracy_score(true, pred))
    assert ag.balanced_accuracy(*counts) == pytest.approx(skm.balanced_accuracy_score(true, pred))
    assert ag.cohen_kappa(*counts) == pytest.approx(skm.cohen_kappa_score(true, pred))
    assert ag.precision(*counts) == pytest.approx(skm.precision_score(true, pred))
    assert ag.recall(*counts) == pytest.approx(skm.recall_score(true, pred))


def test_kappa_by_hand_and_arrays():
    # 10 labels: tp 4, fp 1, fn 1, tn 4 -> po 0.8, pe 0.5, kappa 0.6
    assert ag.cohen_kappa(4, 1, 1, 4) == pytest.approx(0.6)
    rows = ag.cohen_kappa(np.array([4, 5]), np.array([1, 0]), np.array([1, 0]), np.array([4, 5]))
    assert rows == pytest.approx([0.6, 1.0])
    assert math.isnan(ag.cohen_kappa(3, 0, 0, 0))  # chance agreement 1: undefined


def test_roc_auc_equals_sklearn():
    scores = [0.9, 0.8, 0.8, 0.3, 0.5, 0.1, 0.7]
    true = [1, 1, 0, 0, 1, 0, 0]
    assert ag.roc_auc(scores, true) == pytest.approx(skm.roc_auc_score(true, scores))
    assert math.isnan(ag.roc_auc([0.1, 0.2], [1, 1]))


def test_resampling_is_seeded():
    a, b = resample_counts(7, seed=3, resamples=50), resample_counts(7, seed=3, resamples=50)
    assert (a == b).all() and (a.sum(axis=1) == 7).all()
    assert not (a == resample_counts(7, seed=4, resamples=50)).all()
    assert percentile_interval([np.nan, 1.0, 2.0, 3.0]) == pytest.approx((1.05, 2.95))
    assert paired_bootstrap_p(np.zeros(100)) == 1.0
    assert paired_bootstrap_p(np.full(999, 0.2)) == pytest.approx(2 / 1000)
