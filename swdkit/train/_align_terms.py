"""The loss terms of the alignment phase (:mod:`swdkit.train._align`), one function each.

- :func:`discrepancy`: D(a, b) between two embedding clouds, SW_2^2 or another distance;
- :func:`class_conditional`: its mean over the classes both clouds share;
- :func:`pair_targets`: the EO embeddings of known pairs as fixed targets (``known_pairs``).
"""

from __future__ import annotations

from typing import Any

import torch

from swdkit.device import autocast
from swdkit.train import _batches

DISCREPANCIES = ("swd", "max_sliced", "wasserstein", "mmd", "coral")


def discrepancy(name: str, a: torch.Tensor, b: torch.Tensor, *,
                projections: torch.Tensor) -> torch.Tensor:
    """D(a, b) between embedding clouds ``a (N, D)`` and ``b (M, D)``.

    ``"swd"``: SW_2^2 on the given directions ``(D, L)``; ``"max_sliced"``: the largest 1-D
    W_2^2 among them; ``"wasserstein"``: the exact W_2^2 / D, the optimal matching in all D
    dimensions that SW approximates by slicing (the directions unused); ``"mmd"``: unbiased
    Gaussian-kernel MMD^2 (median bandwidth); ``"coral"``: distance of the covariances (see
    :mod:`swdkit.losses`).
    """
    from swdkit import losses

    if name == "swd":
        return losses.sliced_wasserstein(a, b, projections=projections)
    if name == "max_sliced":
        return losses.max_sliced_wasserstein(a, b, projections=projections)
    if name == "wasserstein":
        return losses.exact_wasserstein(a, b)
    if name == "mmd":
        return losses.mmd(a, b)
    if name == "coral":
        return losses.coral(a, b)
    raise ValueError(f"discrepancy must be one of {DISCREPANCIES}, got {name!r}")


def class_conditional(name: str, za: torch.Tensor, ya: torch.Tensor, zb: torch.Tensor,
                      yb: torch.Tensor, *, projections: torch.Tensor) -> torch.Tensor:
    """Mean over shared classes j of D(za | y = j, zb | y = j).

    For ``"swd"`` this is the library's ``class_conditional_swd`` (the mean over classes; the
    seed paper's Eq. 2 sums, which is |classes| times this: a rescaling of beta). MMD and CORAL
    need two samples per side, so a class with fewer is left out; with no class left the term
    is zero.
    """
    from swdkit import losses

    if name == "swd":
        return losses.class_conditional_swd(za, ya, zb, yb, projections=projections)
    smallest = 2 if name in ("mmd", "coral") else 1
    terms = []
    for c in torch.unique(yb).tolist():
        a, b = za[ya == c], zb[yb == c]
        if len(a) >= smallest and len(b) >= smallest:
            terms.append(discrepancy(name, a, b, projections=projections))
    return torch.stack(terms).mean() if terms else (za.sum() + zb.sum()) * 0.0


def pair_targets(net: Any, phi: Any, x_eo: torch.Tensor, device: torch.device) -> torch.Tensor:
    """phi(x_eo) ``(B, D)`` float32 as fixed targets: no gradient, phi in evaluation mode (its
    batch norm uses and keeps its running statistics), its mode restored afterwards."""
    was_training = net.eo_encoder.training
    net.eo_encoder.eval()
    with torch.no_grad(), autocast(device):
        targets = phi(_batches.prepare_batch(x_eo))
    net.eo_encoder.train(was_training)
    return targets.float()
