"""Exact optimal transport on the line between uniform empirical measures.

For sorted samples u_(0) <= ... <= u_(N-1) and v_(0) <= ... <= v_(M-1), the optimal coupling
is monotone and

    W_p^p = int_0^1 |F^-1(t) - G^-1(t)|^p dt,

F^-1 and G^-1 being the quantile (step) functions. For N == M it is (1/N) sum_i
|u_(i) - v_(i)|^p; for N != M the steps are merged exactly (:func:`quantile_pairing`).
Reference: Bonneel et al. (2015), "Sliced and Radon Wasserstein barycenters of measures",
JMIV 51; Peyre and Cuturi (2019), "Computational optimal transport", Sec. 2.6.
"""

from __future__ import annotations

import functools
import math

import torch

from swdkit.losses._checks import check_p


@functools.lru_cache(maxsize=64)
def quantile_pairing(n: int, m: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Merge the breakpoints of two quantile step functions, exactly, in integers.

    The quantile function of n sorted samples u_(0) <= ... <= u_(n-1) is u_(ceil(t n) - 1) on
    ((i-1)/n, i/n]. Over the merged breakpoints {i/n} U {j/m} both are constant, so the
    integral of |F^-1 - G^-1|^p is the finite sum sum_k w_k |u_(a_k) - v_(b_k)|^p with w_k the
    interval lengths. Times are counted in units of 1/lcm(n, m), so the merge is exact.

    Returns:
        a ``(K,)`` and b ``(K,)`` int64 sample indices, w ``(K,)`` float64 weights summing to
        1, with K <= n + m - 1.
    """
    lcm = n * m // math.gcd(n, m)
    step_u, step_v = lcm // n, lcm // m
    ends = torch.unique(torch.cat([torch.arange(1, n + 1) * step_u,
                                   torch.arange(1, m + 1) * step_v]))  # sorted, ends[-1] = lcm
    starts = torch.cat([torch.zeros(1, dtype=ends.dtype), ends[:-1]])
    a = (ends + step_u - 1) // step_u - 1  # ceil(t n) - 1 at the interval's right end
    b = (ends + step_v - 1) // step_v - 1
    w = (ends - starts).to(torch.float64) / lcm
    return a, b, w


@functools.lru_cache(maxsize=64)
def quantile_pairing_on(n: int, m: int, device: torch.device, dtype: torch.dtype):
    a, b, w = quantile_pairing(n, m)
    return a.to(device), b.to(device), w.to(device=device, dtype=dtype)


def power_cost(diff: torch.Tensor, p: float) -> torch.Tensor:
    """|diff|^p, with the exact cheap forms for p = 1 and 2 (finite gradient at 0 for p >= 1)."""
    return diff.square() if p == 2 else diff.abs() if p == 1 else diff.abs().pow(p)


def wasserstein_1d_sorted(u: torch.Tensor, v: torch.Tensor, p: float) -> torch.Tensor:
    """W_p^p between rows of sorted samples ``u (..., N)`` and ``v (..., M)``; returns ``(...)``."""
    n, m = u.shape[-1], v.shape[-1]
    if n == m:
        return power_cost(u - v, p).mean(dim=-1)
    a, b, w = quantile_pairing_on(n, m, u.device, u.dtype)
    return torch.matmul(power_cost(u.index_select(-1, a) - v.index_select(-1, b), p), w)


def wasserstein_1d(u: torch.Tensor, v: torch.Tensor, *, p: float = 2) -> torch.Tensor:
    """Exact W_p^p between one-dimensional uniform empirical measures, batched over rows.

    W_p^p = int_0^1 |F^-1(t) - G^-1(t)|^p dt, evaluated exactly: for N == M it is
    (1/N) sum_i |u_(i) - v_(i)|^p over sorted samples; for N != M the quantile step functions
    are compared on their merged breakpoints {i/N} U {j/M} (a finite weighted sum).

    Args:
        u: ``(..., N)`` samples, one measure per row; any leading batch shape.
        v: ``(..., M)`` samples with the same leading shape.
        p: order, a real number >= 1.

    Returns:
        ``(...)`` tensor of W_p^p values, differentiable in ``u`` and ``v``.
    """
    p = check_p(p)
    for name, t in (("u", u), ("v", v)):
        if not isinstance(t, torch.Tensor) or t.ndim < 1 or t.shape[-1] < 1:
            raise ValueError(f"{name} must be a tensor of shape (..., N) with N >= 1 samples in "
                             f"the last dimension; got {getattr(t, 'shape', type(t).__name__)}.")
    if not u.is_floating_point():
        raise ValueError(f"u and v must have a floating-point dtype; got {u.dtype}.")
    if u.shape[:-1] != v.shape[:-1] or u.dtype != v.dtype or u.device != v.device:
        raise ValueError("u and v must share leading shape, dtype and device; got "
                         f"{tuple(u.shape)} {u.dtype} {u.device} and "
                         f"{tuple(v.shape)} {v.dtype} {v.device}.")
    return wasserstein_1d_sorted(torch.sort(u, dim=-1).values, torch.sort(v, dim=-1).values, p)
