"""FRANK's protocol in meta: partial Pearson with per-system means removed, AUC of perfect summaries."""

from __future__ import annotations

import numpy as np
import pytest

from bench.meta import MetaError
from bench.meta.judgments import read_judgments
from bench.meta.partial import partial_pearson, perfect_auc


def test_partial_pearson_removes_each_systems_mean():
    # system 0 is better on both scores everywhere; within each system, the metric ranks the clusters backwards
    M = np.array([[0.9, 0.2], [0.8, 0.3], [0.7, 0.4]])
    H = np.array([[1.0, 0.0], [1.1, -0.1], [1.2, -0.2]])
    r, draws = partial_pearson(M, H, np.ones((4, 3)))
    assert r == pytest.approx(-1.0)
    assert np.corrcoef(M.ravel(), H.ravel())[0, 1] > 0.9  # pooled, the system difference hides it
    assert np.allclose(draws, -1.0)


def test_partial_pearson_matches_numpy_by_hand_with_missing_values():
    rng = np.random.default_rng(1)
    M, H = rng.random((6, 3)), rng.random((6, 3))
    M[2, 1] = np.nan
    x, y = [], []
    for s in range(3):
        ok = np.isfinite(M[:, s])
        x += list(M[ok, s] - M[ok, s].mean())
        y += list(H[ok, s] - H[ok, s].mean())
    r, _ = partial_pearson(M, H, np.ones((1, 6)))
    assert r == pytest.approx(np.corrcoef(x, y)[0, 1])


def test_perfect_auc():
    M = np.array([[0.9, 0.1], [0.8, 0.5]])
    H = np.array([[1.0, 0.5], [1.0, 0.0]])
    assert perfect_auc(M, H) == (1.0, 2)
    assert perfect_auc(M, np.full_like(M, 0.5)) == (None, 0)


def test_subset_is_read_and_checked(tmp_path):
    f = tmp_path / "j.jsonl"
    f.write_text('{"cluster": "c1", "system": "a", "score": 1, "dataset": "cnndm"}\n'
                 '{"cluster": "c1", "system": "b", "score": 0.5, "subset": "xsum"}\n')
    j = read_judgments(f, ["c1"], ["a", "b"], None)
    assert j.subsets == {("c1", "a"): "cnndm", ("c1", "b"): "xsum"}
    f.write_text('{"cluster": "c1", "system": "a", "score": 1, "subset": 3}\n')
    with pytest.raises(MetaError, match="subset"):
        read_judgments(f, ["c1"], ["a"], None)
