"""Variants of the sliced Wasserstein distance: class-conditional and max-sliced."""

from __future__ import annotations

import math
import numbers

import torch

from swdkit.losses._checks import check_labels, check_p, check_pair, check_positive
from swdkit.losses._sliced import project, resolve_projections
from swdkit.losses._sliced_autograd import SortedSlicedWasserstein
from swdkit.losses._transport_1d import wasserstein_1d_sorted


def class_conditional_swd(z_src: torch.Tensor, y_src: torch.Tensor, z_tgt: torch.Tensor,
                          y_tgt: torch.Tensor, *, n_projections: int = 128, p: float = 2,
                          projections: torch.Tensor | None = None,
                          generator: torch.Generator | None = None) -> torch.Tensor:
    """Mean over shared classes of the sliced Wasserstein distance between class clouds.

    CC = (1/|S|) sum_{c in S} SW_p^p(z_src[y_src = c], z_tgt[y_tgt = c]), where S is the set of
    classes present on both sides; classes seen on one side only are skipped. All classes use
    the same L directions. This is the class-matching term of Rostami et al. (2019), which sums
    over classes j: their term = |S| * ours (and see :func:`swdkit.losses.sliced_wasserstein`
    for the mean-versus-sum convention inside each SW term).

    Args:
        z_src: ``(N, D)`` source embeddings (e.g. EO).
        y_src: ``(N,)`` integer labels of ``z_src``.
        z_tgt: ``(M, D)`` target embeddings (e.g. labeled SAR).
        y_tgt: ``(M,)`` integer labels of ``z_tgt``.
        n_projections, p, projections, generator: as in
            :func:`swdkit.losses.sliced_wasserstein`.

    Returns:
        Scalar tensor; an exact zero that is still differentiable (zero gradients) when no
        class is shared.
    """
    check_pair(z_src, z_tgt, names=("z_src", "z_tgt"))
    y_src = check_labels("y_src", y_src, z_src.shape[0], z_src.device)
    y_tgt = check_labels("y_tgt", y_tgt, z_tgt.shape[0], z_tgt.device)
    p = check_p(p)
    directions = resolve_projections(z_src, n_projections, projections, generator)
    src_classes = torch.unique(y_src)
    shared = src_classes[torch.isin(src_classes, torch.unique(y_tgt))].tolist()
    if not shared:
        return (z_src.sum() + z_tgt.sum()) * 0.0
    terms = [SortedSlicedWasserstein.apply(z_src[y_src == c], z_tgt[y_tgt == c], directions, p)
             for c in shared]
    return torch.stack(terms).mean()


def _slice_cost(x: torch.Tensor, y: torch.Tensor, theta: torch.Tensor, p: float) -> torch.Tensor:
    """W_p^p between the projections of x and y on one direction ``theta (D,)``; a scalar."""
    directions = theta.unsqueeze(1)
    xs = torch.sort(project(x, directions), dim=-1).values
    ys = torch.sort(project(y, directions), dim=-1).values
    return wasserstein_1d_sorted(xs, ys, p)[0]


def _ascend_on_sphere(x: torch.Tensor, y: torch.Tensor, theta: torch.Tensor, p: float,
                      steps: int, step_size: float) -> torch.Tensor:
    """Riemannian gradient ascent of theta -> W_p^p(theta#x, theta#y) on the unit sphere.

    Each step moves along the great circle in the direction of the tangential gradient
    g - <g, theta> theta by the angle ``step_size``; a step that does not increase the value is
    refused and the angle halved, so the value never decreases.
    """
    angle = step_size
    # Works inside torch.no_grad() and torch.inference_mode() too: the clones are ordinary
    # tensors that autograd may record.
    with torch.inference_mode(False), torch.enable_grad():
        x, y, theta = x.detach().clone(), y.detach().clone(), theta.detach().clone()
        current = theta.detach().requires_grad_(True)
        value = _slice_cost(x, y, current, p)
        (grad,) = torch.autograd.grad(value, current)
        for _ in range(steps):
            tangent = grad - (grad @ current.detach()) * current.detach()
            norm = torch.linalg.vector_norm(tangent)
            if not norm > 0:
                break
            candidate = (math.cos(angle) * current.detach()
                         + math.sin(angle) * tangent / norm)
            candidate = (candidate / torch.linalg.vector_norm(candidate)).requires_grad_(True)
            new_value = _slice_cost(x, y, candidate, p)
            if new_value >= value:
                current, value = candidate, new_value
                (grad,) = torch.autograd.grad(value, current)
            else:
                angle /= 2
    return current.detach()


def max_sliced_wasserstein(x: torch.Tensor, y: torch.Tensor, *, n_projections: int = 128,
                           p: float = 2, projections: torch.Tensor | None = None,
                           generator: torch.Generator | None = None, optimize_steps: int = 0,
                           step_size: float = 0.1, return_direction: bool = False):
    """Max-sliced Wasserstein distance to the p-th power: the largest one-dimensional W_p^p.

    max-SW_p^p(x, y) = max_theta W_p^p(<theta, x>, <theta, y>) (Deshpande et al. 2019,
    "Max-sliced Wasserstein distance and its use for GANs", CVPR). Here the maximum is taken
    over L random directions and, when ``optimize_steps`` > 0, the best of them is then improved
    by Riemannian gradient ascent on the sphere (x and y detached; each step turns theta by at
    most ``step_size`` radians, and a step that would lower the value is refused with the angle
    halved, so optimising never returns less than the random maximum). The returned value is
    differentiable in x and y at the chosen, fixed direction (as in Danskin's theorem). Since a
    projection is 1-Lipschitz, the result never exceeds the full W_p^p(x, y).

    Args:
        x: ``(N, D)`` source points.
        y: ``(M, D)`` target points (same D, dtype and device).
        n_projections, p, projections, generator: as in
            :func:`swdkit.losses.sliced_wasserstein` (the candidate directions).
        optimize_steps: number of ascent steps after the random search (0: none).
        step_size: the first ascent step's angle in radians.
        return_direction: also return the maximising direction ``(D,)`` (detached).

    Returns:
        A scalar tensor, or ``(value, direction)`` when ``return_direction`` is True.
    """
    check_pair(x, y)
    p = check_p(p)
    if (isinstance(optimize_steps, bool) or not isinstance(optimize_steps, numbers.Integral)
            or optimize_steps < 0):
        raise ValueError(f"optimize_steps must be an integer >= 0; got {optimize_steps!r}.")
    step_size = check_positive("step_size", step_size)
    directions = resolve_projections(x, n_projections, projections, generator)
    with torch.no_grad():
        xs = torch.sort(project(x, directions), dim=-1).values
        ys = torch.sort(project(y, directions), dim=-1).values
        best = torch.argmax(wasserstein_1d_sorted(xs, ys, p))
    theta = directions[:, best].detach()
    if optimize_steps:
        theta = _ascend_on_sphere(x, y, theta, p, optimize_steps, step_size)
    value = _slice_cost(x, y, theta, p)
    return (value, theta) if return_direction else value
