"""Tests of swdkit.train._cluster_metrics against slow loops, scikit-learn and known cases."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from swdkit.train._cluster_metrics import knn_accuracy, pairwise_distances, silhouette


def slow_knn(ref, yr, query, yq, k, metric):
    correct = 0
    for q, label in zip(query, yq, strict=True):
        if metric == "cosine":
            d = [1 - np.dot(q, r) / (np.linalg.norm(q) * np.linalg.norm(r)) for r in ref]
        else:
            d = [np.linalg.norm(q - r) for r in ref]
        order = np.argsort(d, kind="stable")[:k]
        counts = np.bincount(yr[order], minlength=yr.max() + 1)
        correct += int(np.argmax(counts) == label)
    return correct / len(query)


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_knn_accuracy_matches_a_loop(metric):
    rng = np.random.default_rng(0)
    ref, query = rng.normal(size=(40, 5)), rng.normal(size=(25, 5))
    yr, yq = rng.integers(0, 3, 40), rng.integers(0, 3, 25)
    for k in (1, 3, 7):
        assert knn_accuracy(ref, yr, query, yq, k=k, metric=metric) == pytest.approx(
            slow_knn(ref, yr, query, yq, k, metric))


def test_knn_on_separated_clusters_is_perfect():
    rng = np.random.default_rng(1)
    centres = np.array([[10.0, 0], [0, 10.0], [-10.0, -10.0]])
    y = np.repeat(np.arange(3), 20)
    z = centres[y] + rng.normal(scale=0.5, size=(60, 2))
    assert knn_accuracy(z[::2], y[::2], z[1::2], y[1::2], k=3) == 1.0


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_silhouette_matches_scikit_learn(metric):
    from sklearn.metrics import silhouette_score

    rng = np.random.default_rng(2)
    z = rng.normal(size=(50, 4)) + np.repeat(np.eye(4)[:3] * 2, [20, 20, 10], axis=0)
    y = np.repeat(np.arange(3), [20, 20, 10])
    y[0] = 3  # a class with a single member: s = 0 for it, as in scikit-learn
    assert silhouette(z, y, metric=metric) == pytest.approx(
        silhouette_score(z, y, metric=metric), abs=1e-9)


def test_distances_and_errors():
    a = np.array([[1.0, 0.0], [0.0, 2.0]])
    t = torch.tensor(a)
    np.testing.assert_allclose(pairwise_distances(t, t, "cosine").numpy(), [[0, 1], [1, 0]])
    np.testing.assert_allclose(pairwise_distances(t, t, "euclidean").numpy(),
                               [[0, 5**0.5], [5**0.5, 0]])
    with pytest.raises(ValueError, match="two classes"):
        silhouette(a, [0, 0])
    with pytest.raises(ValueError, match="k must be"):
        knn_accuracy(a, [0, 1], a, [0, 1], k=3)
    with pytest.raises(ValueError, match="metric"):
        pairwise_distances(t, t, "manhattan")
