"""Per-class numbers for what alignment did to a snapshot, measured in embedding space.

UMAP pictures are for the eye; these numbers are computed on the D-dimensional embeddings
themselves, so they are what a lesson should quote:

- ``sw``: SW_2^2 between the EO and the SAR embeddings of one class (the class-conditional term
  of Rostami et al. 2019, one class at a time), over fixed seeded directions, so epochs compare;
- ``centroid_accuracy``: the share of that class's SAR points whose nearest EO class centroid
  (Euclidean) is their own class. It asks "did the SAR points land in the right EO region?",
  independently of the classifier head.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from swdkit._checks import check_value
from swdkit.views._snapshot_checks import check_snapshots


def eo_centroids(eo: np.ndarray, eo_labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Mean EO embedding per class, ``(K, D)``; NaN rows for classes with no EO point."""
    eo = np.asarray(eo, dtype=np.float64)
    out = np.full((n_classes, eo.shape[1]), np.nan)
    for c in range(n_classes):
        members = eo[eo_labels == c]
        if len(members):
            out[c] = members.mean(axis=0)
    return out


def nearest_centroid(points: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Index of the nearest (Euclidean) non-NaN centroid for each of ``points (P, D)``."""
    pts = np.asarray(points, dtype=np.float64)
    d2 = ((pts[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
    d2[:, np.isnan(centroids).any(axis=1)] = np.inf
    return d2.argmin(axis=1)


def per_class_alignment(snapshot: Any, *, n_classes: int | None = None,
                        n_projections: int = 128, seed: int = 0) -> list[dict[str, Any]]:
    """Per-class SW_2^2 between the domains and nearest-EO-centroid accuracy of the SAR points.

    Args:
        snapshot: one snapshot (see :mod:`swdkit.views._snapshot_checks`).
        n_classes: K; default one more than the largest label present.
        n_projections: directions for the per-class SW_2^2 (fixed by ``seed``).
        seed: seeds the directions.

    Returns:
        One dict per class ``c`` in ``0..K-1``: ``class``, ``n_eo``, ``n_sar``, ``sw`` (None when
        a side has no point of the class) and ``centroid_accuracy`` (None without SAR points).

    Raises:
        TypeError: ``n_classes`` or ``n_projections`` is not an integer.
        ValueError: bad snapshot, or ``n_classes`` not above every label.
    """
    import torch

    from swdkit.losses import random_projections, sliced_wasserstein

    (s,) = check_snapshots([snapshot])
    n_classes = check_value("n_classes", n_classes, "positive integer", allow_none=True)
    n_projections = check_value("n_projections", n_projections, "positive integer")
    eo, sar = np.asarray(s.eo, dtype=np.float64), np.asarray(s.sar, dtype=np.float64)
    ye, ys = np.asarray(s.eo_labels), np.asarray(s.sar_labels)
    k = int(max(ye.max(), ys.max())) + 1 if n_classes is None else n_classes
    if k <= max(ye.max(), ys.max()):
        raise ValueError(f"n_classes must exceed every label (largest {max(ye.max(), ys.max())})"
                         f"; got {n_classes!r}.")
    dirs = random_projections(eo.shape[1], n_projections,
                              generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    predicted = nearest_centroid(sar, eo_centroids(eo, ye, k))
    rows = []
    for c in range(k):
        xe, xs = eo[ye == c], sar[ys == c]
        sw = None
        if len(xe) and len(xs):
            sw = float(sliced_wasserstein(torch.from_numpy(xe), torch.from_numpy(xs),
                                          projections=dirs))
        acc = float(np.mean(predicted[ys == c] == c)) if len(xs) else None
        rows.append({"class": c, "n_eo": int(len(xe)), "n_sar": int(len(xs)), "sw": sw,
                     "centroid_accuracy": acc})
    return rows


def centroid_accuracy(snapshot: Any) -> float:
    """Share of all SAR probe points whose nearest EO class centroid is their own class."""
    (s,) = check_snapshots([snapshot])
    k = int(max(np.max(s.eo_labels), np.max(s.sar_labels))) + 1
    predicted = nearest_centroid(s.sar, eo_centroids(s.eo, np.asarray(s.eo_labels), k))
    return float(np.mean(predicted == np.asarray(s.sar_labels)))
