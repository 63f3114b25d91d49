"""Losses for embedding alignment: the sliced Wasserstein family, SupCon, MMD and CORAL.

Every function is pure: tensors in, a scalar tensor out on the input's device and dtype,
options keyword-only, randomness only from an explicit ``generator`` or ``projections``.
The implementations live in private modules: ``_sliced`` (with ``_sliced_autograd``, the
hand-written backward pass, and ``_transport_1d``, exact 1-D W_p^p), ``_sliced_variants``
(class-conditional, max-sliced), ``_exact`` (the exact W_2 of two small clouds), ``_pairing``
(the cost of a known coupling), ``_supcon`` and ``_kernel_distances`` (MMD, CORAL); this
package gathers them.

    sliced_wasserstein(x (N,D), y (M,D), *, n_projections=128, p=2, projections=None,
                       generator=None) -> SW_p^p
    class_conditional_swd(z_src, y_src, z_tgt, y_tgt, *, n_projections=128, p=2,
                          projections=None, generator=None)
    max_sliced_wasserstein(x, y, *, n_projections=128, p=2, projections=None, generator=None,
                           optimize_steps=0, step_size=0.1, return_direction=False)
    supcon_loss(features (B,V,D), labels=None, *, temperature=0.07, base_temperature=0.07)
    semisup_contrastive_loss(labeled (B,V,D), labels (B,), unlabeled (U,V,D), *, temperature=0.1)
    mmd(x, y, *, bandwidth=None); median_bandwidth(x, y) -> float; coral(x, y)
    exact_wasserstein(x (n,D), y (m,D), *, max_points=4096) -> W_2^2 / D (the optimal matching)
    pairing_cost(x (N,D), y (N,D)) -> mean_i ||x_i - y_i||^2 / D (a known coupling's cost)
    random_projections(dim, n_projections, *, generator=None, device=None, dtype=None) -> (D, L)
    project(x (N,D), projections (D,L)) -> (L, N)
    wasserstein_1d(u (..., N), v (..., M), *, p=2) -> (...)
"""

from __future__ import annotations

from swdkit.losses._exact import exact_wasserstein
from swdkit.losses._kernel_distances import coral, median_bandwidth, mmd
from swdkit.losses._pairing import pairing_cost
from swdkit.losses._sliced import project, random_projections, sliced_wasserstein
from swdkit.losses._sliced_variants import class_conditional_swd, max_sliced_wasserstein
from swdkit.losses._supcon import semisup_contrastive_loss, supcon_loss
from swdkit.losses._transport_1d import wasserstein_1d

__all__ = [
    "class_conditional_swd",
    "coral",
    "exact_wasserstein",
    "max_sliced_wasserstein",
    "median_bandwidth",
    "mmd",
    "pairing_cost",
    "project",
    "random_projections",
    "semisup_contrastive_loss",
    "sliced_wasserstein",
    "supcon_loss",
    "wasserstein_1d",
]
