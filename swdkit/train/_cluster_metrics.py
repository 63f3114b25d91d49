"""How tight the classes are in an embedding space: k-NN accuracy and the silhouette.

Used to measure what SupCon pretraining does to the EO embedding (notebook 03). Both work on
cosine distances ``d(a, b) = 1 - <a, b> / (|a| |b|)`` by default, the geometry SupCon shapes
(it compares normalised embeddings), or on Euclidean distances.

- k-NN accuracy: each query takes the majority label of its k nearest reference points (ties go
  to the smallest label); the share of queries labelled correctly.
- Silhouette (Rousseeuw 1987, "Silhouettes: a graphical aid to the interpretation and validation
  of cluster analysis", J. Comput. Appl. Math. 20): for each point, a = mean distance to the
  other points of its class, b = the smallest mean distance to another class,
  s = (b - a) / max(a, b); the mean over points. Near 1: tight, well separated classes; near 0:
  overlapping ones.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

METRICS = ("cosine", "euclidean")


def _as_points(z: Any, name: str) -> torch.Tensor:
    t = torch.as_tensor(np.asarray(z) if not isinstance(z, torch.Tensor) else z)
    if t.ndim != 2 or len(t) == 0:
        raise ValueError(f"{name} must have shape (N, D) with N >= 1, got {tuple(t.shape)}")
    return t.detach().double().cpu()


def _as_labels(y: Any, n: int, name: str) -> torch.Tensor:
    t = torch.as_tensor(np.asarray(y) if not isinstance(y, torch.Tensor) else y).cpu()
    if t.ndim != 1 or len(t) != n or t.is_floating_point():
        raise ValueError(f"{name} must be {n} integer labels, got shape {tuple(t.shape)} "
                         f"dtype {t.dtype}")
    return t.long()


def pairwise_distances(a: torch.Tensor, b: torch.Tensor, metric: str = "cosine") -> torch.Tensor:
    """``(N, M)`` distances between rows of ``a (N, D)`` and ``b (M, D)``."""
    if metric == "cosine":
        an = a / a.norm(dim=1, keepdim=True).clamp_min(1e-12)
        bn = b / b.norm(dim=1, keepdim=True).clamp_min(1e-12)
        return (1.0 - an @ bn.T).clamp_min(0.0)
    if metric == "euclidean":
        return torch.cdist(a, b)
    raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")


def knn_accuracy(z_ref: Any, y_ref: Any, z_query: Any, y_query: Any, *, k: int = 5,
                 metric: str = "cosine") -> float:
    """Accuracy of k-nearest-neighbour voting: queries ``(M, D)`` against references ``(N, D)``.

    Pass the training embeddings as references and held-out ones as queries.
    """
    ref, query = _as_points(z_ref, "z_ref"), _as_points(z_query, "z_query")
    yr, yq = _as_labels(y_ref, len(ref), "y_ref"), _as_labels(y_query, len(query), "y_query")
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= len(ref):
        raise ValueError(f"k must be an integer in 1..{len(ref)} (the number of references), "
                         f"got {k!r}")
    dist = pairwise_distances(query, ref, metric)
    nearest = torch.topk(dist, k, dim=1, largest=False).indices  # (M, k)
    votes = torch.zeros(len(query), int(yr.max()) + 1, dtype=torch.long)
    votes.scatter_add_(1, yr[nearest], torch.ones_like(nearest))
    pred = votes.argmax(dim=1)  # argmax returns the first maximum: ties go to the smaller label
    return float((pred == yq).double().mean())


def silhouette(z: Any, y: Any, *, metric: str = "cosine") -> float:
    """Mean silhouette coefficient of labelled points ``z (N, D)``; needs two classes or more.

    A point alone in its class gets s = 0 (Rousseeuw's convention, as in scikit-learn).
    """
    pts = _as_points(z, "z")
    labels = _as_labels(y, len(pts), "y")
    classes = torch.unique(labels)
    if len(classes) < 2:
        raise ValueError(f"silhouette needs at least two classes in y, got {classes.tolist()}")
    dist = pairwise_distances(pts, pts, metric)
    onehot = (labels[:, None] == classes[None, :]).double()  # (N, C)
    sums = dist @ onehot  # (N, C): summed distance from each point to each class
    counts = onehot.sum(dim=0)  # (C,)
    own = onehot.argmax(dim=1)
    own_count = counts[own]
    a = sums[torch.arange(len(pts)), own] / (own_count - 1).clamp_min(1)
    mean_other = sums / counts
    mean_other[torch.arange(len(pts)), own] = float("inf")
    b = mean_other.min(dim=1).values
    s = (b - a) / torch.maximum(a, b).clamp_min(1e-12)
    s[own_count == 1] = 0.0
    return float(s.mean())
