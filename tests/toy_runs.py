"""Made-up training runs with known geometry, for tests, demos and exercises of the views.

Each class c has an EO centre mu_c in R^D. The SAR points of class c start around a shifted,
wrongly assigned centre (the centre of class c+1 plus an offset b) and move in a straight line
onto mu_c as the epochs pass:

    sar_c(t) = (1 - t/T) (mu_{c+1} + b) + (t/T) mu_c + noise,   t = 0..T,

so the SAR cloud visibly settles onto the EO cloud and the SAR accuracy (nearest EO class
centre) rises from about 0 to about 1. Classes listed in ``stuck_classes`` never move: they
show what failed alignment looks like. Nothing here is trained; it is geometry by construction.
"""

from __future__ import annotations

import numpy as np

from swdkit.train import Snapshot


def toy_snapshots(*, n_epochs: int = 5, n_classes: int = 3, n_per_class: int = 40,
                  dim: int = 16, spread: float = 6.0, noise: float = 1.0,
                  stuck_classes: tuple[int, ...] = (), seed: int = 0) -> list[Snapshot]:
    """Snapshots for epochs ``0..n_epochs`` of a made-up run (see the module docstring).

    Args:
        n_epochs: T; the run has T + 1 snapshots.
        n_classes: K >= 2.
        n_per_class: EO and SAR probe points per class.
        dim: D, the embedding size.
        spread: scale of the class centres (larger: classes further apart).
        noise: standard deviation of the points around their centres.
        stuck_classes: classes whose SAR points never move.
        seed: the random source.

    Returns:
        ``n_epochs + 1`` :class:`swdkit.train._evaluate.Snapshot` s, each with float32 ``(K n, D)``
        clouds, the same labels and noise every epoch, ``sw`` the SW_2^2 between the clouds
        (128 fixed seeded directions) and ``sar_accuracy`` the nearest-EO-centre accuracy of
        the SAR points.
    """
    import torch

    from swdkit.losses import random_projections, sliced_wasserstein
    from swdkit.views._alignment_stats import eo_centroids, nearest_centroid

    if n_classes < 2 or n_epochs < 0 or n_per_class < 1 or dim < 2:
        raise ValueError("need n_classes >= 2, n_epochs >= 0, n_per_class >= 1 and dim >= 2; got "
                         f"{n_classes}, {n_epochs}, {n_per_class}, {dim}.")
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_classes, dim)) * spread
    offset = rng.normal(size=dim) * spread
    labels = np.repeat(np.arange(n_classes), n_per_class).astype(np.int64)
    eo = centres[labels] + noise * rng.normal(size=(len(labels), dim))
    start = centres[(labels + 1) % n_classes] + offset
    sar_noise = noise * rng.normal(size=(len(labels), dim))
    stuck = np.isin(labels, np.asarray(stuck_classes, dtype=np.int64))
    dirs = random_projections(dim, 128, generator=torch.Generator().manual_seed(seed),
                              dtype=torch.float64)
    snaps = []
    for t in range(n_epochs + 1):
        frac = t / n_epochs if n_epochs else 1.0
        moved = np.where(stuck[:, None], start, (1 - frac) * start + frac * centres[labels])
        sar = moved + sar_noise
        sw = float(sliced_wasserstein(torch.from_numpy(eo), torch.from_numpy(sar),
                                      projections=dirs))
        predicted = nearest_centroid(sar, eo_centroids(eo, labels, n_classes))
        snaps.append(Snapshot(t, eo.astype(np.float32), sar.astype(np.float32), labels.copy(),
                                 labels.copy(), sw, float(np.mean(predicted == labels))))
    return snaps
