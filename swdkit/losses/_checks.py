"""Tensor checks shared by the losses: each failure names the argument and says what to do.

Plain numbers go through :mod:`swdkit._checks` (a wrong type is a TypeError, a value out of
range a ValueError); tensors with the wrong shape, dtype or device are ValueErrors.

The losses are called once per training step, so these checks stay cheap: shapes, dtypes and
devices are read from tensor metadata; only the unit-norm check on explicit projections and
the label checks touch the data (a ``(D, L)`` norm and an integer dtype test).
"""

from __future__ import annotations

import math

import torch

from swdkit._checks import check_value


def check_points(name: str, x, *, min_rows: int = 1) -> None:
    """Check that ``x`` is a floating-point tensor of shape ``(N, D)`` with N >= min_rows."""
    if not isinstance(x, torch.Tensor):
        raise ValueError(f"{name} must be a torch.Tensor of shape (N, D); got "
                         f"{type(x).__name__}. Convert it with torch.as_tensor({name}).")
    if x.ndim != 2:
        hint = f" For one-dimensional samples use {name}.unsqueeze(1)." if x.ndim == 1 else ""
        raise ValueError(f"{name} must be 2-D, shape (N, D) (samples by features); got shape "
                         f"{tuple(x.shape)}.{hint}")
    if not x.is_floating_point():
        raise ValueError(f"{name} must have a floating-point dtype; got {x.dtype}. Use "
                         f"{name}.float().")
    if x.shape[0] < min_rows or x.shape[1] < 1:
        need = "at least one sample" if min_rows == 1 else f"at least {min_rows} samples"
        raise ValueError(f"{name} must be non-empty with {need} and at least one feature; "
                         f"got shape {tuple(x.shape)}.")


def check_pair(x, y, *, names: tuple[str, str] = ("x", "y"), min_rows: int = 1) -> None:
    """Check two point clouds ``(N, D)`` and ``(M, D)``: same D, dtype and device."""
    check_points(names[0], x, min_rows=min_rows)
    check_points(names[1], y, min_rows=min_rows)
    a, b = names
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"{a} and {b} must have the same feature dimension D; got {a} of "
                         f"shape {tuple(x.shape)} and {b} of shape {tuple(y.shape)}.")
    if x.dtype != y.dtype:
        raise ValueError(f"{a} and {b} must have the same dtype; got {x.dtype} and {y.dtype}. "
                         f"Convert one, e.g. {b}.to({a}.dtype).")
    if x.device != y.device:
        raise ValueError(f"{a} and {b} must be on the same device; got {x.device} and "
                         f"{y.device}. Move one, e.g. {b}.to({a}.device).")


def check_p(p) -> float:
    """Check the Wasserstein order: a real number p >= 1."""
    p = check_value("p", p, "number", hint="the order of W_p, a real number >= 1")
    if p < 1:
        raise ValueError(f"p must be a finite real number >= 1 (the order of W_p); got {p!r}.")
    return p


def check_count(name: str, value) -> int:
    """Check a positive integer count such as ``n_projections`` (TypeError for a non-integer)."""
    return check_value(name, value, "positive integer")


def check_positive(name: str, value) -> float:
    """Check a finite real number > 0 (temperatures, bandwidths, step sizes)."""
    return check_value(name, value, "number > 0")


def unit_tolerance(dtype: torch.dtype) -> float:
    """How far from 1 a column norm may be in ``dtype``: sqrt(machine epsilon)."""
    return math.sqrt(torch.finfo(dtype).eps)


def check_projections(projections, dim: int, like: torch.Tensor) -> torch.Tensor:
    """Check explicit projections ``(D, L)`` with unit columns; return them on ``like``'s
    device and dtype.

    The unit-norm test runs in the projections' own dtype with tolerance sqrt(eps).
    """
    if not isinstance(projections, torch.Tensor):
        raise ValueError("projections must be a torch.Tensor of shape (D, L) with unit columns; "
                         f"got {type(projections).__name__}. Draw them with "
                         "swdkit.losses.random_projections(D, L).")
    if projections.ndim != 2 or projections.shape[0] != dim or projections.shape[1] < 1:
        raise ValueError(f"projections must have shape (D, L) = ({dim}, L) with L >= 1, one "
                         f"unit direction per column; got shape {tuple(projections.shape)}. "
                         "A (L, D) matrix needs .T.")
    if not projections.is_floating_point():
        raise ValueError(f"projections must have a floating-point dtype; got {projections.dtype}.")
    # Squared norms and one min/max pass: this check runs on every call of a loss.
    detached = projections.detach()
    low, high = torch.aminmax((detached * detached).sum(dim=0))
    low, high = low.item(), high.item()
    finite = math.isfinite(low) and math.isfinite(high)
    worst = max(1 - math.sqrt(low), math.sqrt(high) - 1) if finite else math.inf
    if not worst <= unit_tolerance(projections.dtype):
        raise ValueError("projections must have unit-norm columns (one direction per column); "
                         f"the worst column norm is off by {worst:.3g}. Normalise them with "
                         "projections / projections.norm(dim=0, keepdim=True).")
    return projections.to(device=like.device, dtype=like.dtype)


def check_labels(name: str, labels, n: int, device: torch.device) -> torch.Tensor:
    """Check integer class labels of shape ``(n,)``; return them on ``device``."""
    if not isinstance(labels, torch.Tensor):
        raise ValueError(f"{name} must be a torch.Tensor of integer class labels, shape ({n},); "
                         f"got {type(labels).__name__}.")
    if labels.ndim != 1 or labels.shape[0] != n:
        raise ValueError(f"{name} must have shape ({n},), one label per sample; got shape "
                         f"{tuple(labels.shape)}.")
    if labels.is_floating_point() or labels.is_complex() or labels.dtype == torch.bool:
        raise ValueError(f"{name} must hold integer class labels; got dtype {labels.dtype}. "
                         f"Use {name}.long().")
    return labels.to(device)
