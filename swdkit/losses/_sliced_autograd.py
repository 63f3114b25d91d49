"""SW_p^p with a hand-written backward pass, so a training step pays little beyond the sorts.

Plain autograd through ``torch.sort`` would zero-fill and scatter each gradient, and keep
several ``(L, N)`` temporaries; here the forward pass keeps the sort orders and the sorted
differences, and the backward pass un-sorts with one scatter per side. The value is the one
:func:`swdkit.losses._sliced._sliced_from_projected` computes with plain autograd; the tests check
values and gradients against it.
"""

from __future__ import annotations

import torch
from torch.autograd.function import once_differentiable

from swdkit.losses._transport_1d import quantile_pairing_on


def _cost_and_slope(diff: torch.Tensor, p: float) -> tuple[torch.Tensor, torch.Tensor | None]:
    """|d|^p, and its derivative p |d|^(p-1) sign(d) (None for p = 2: it is 2 d)."""
    if p == 2:
        return diff * diff, None
    if p == 1:
        return diff.abs(), diff.sign()
    magnitude = diff.abs()
    return magnitude.pow(p), magnitude.pow(p - 1).mul_(diff.sign()).mul_(p)


class SortedSlicedWasserstein(torch.autograd.Function):
    """V = (1/L) sum_l sum_k w_k |xs_l[a_k] - ys_l[b_k]|^p, with xs = sort(P^T x^T) ``(L, N)``
    and ys = sort(P^T y^T) ``(L, M)``.

    For N == M, a = b = identity and w_k = 1/N; otherwise (a, b, w) merge the two quantile
    step functions (:func:`swdkit.losses._transport_1d.quantile_pairing`). With
    g_k = w_k p |d_k|^(p-1) sign(d_k) / L, the gradient with respect to the sorted values is
    g summed over the k with a_k = i (an ``index_add``; the identity for N == M), un-sorted by
    one scatter (each row's order is a permutation, so nothing needs zero-filling); then
    dV/dx = G_x^T P^T, dV/dy = -G_y^T P^T and dV/dP = x^T G_x^T - y^T G_y^T.

    Called as ``apply(x (N, D), y (M, D), directions (D, L), p)``; first-order only (double
    backward raises).
    """

    @staticmethod
    def forward(ctx, x, y, directions, p):
        xs, x_order = torch.sort(torch.mm(directions.T, x.T), dim=-1)  # (L, N)
        ys, y_order = torch.sort(torch.mm(directions.T, y.T), dim=-1)  # (L, M)
        n_proj, n, m = xs.shape[0], xs.shape[1], ys.shape[1]
        if n == m:
            diff, pairing = xs.sub_(ys), None
        else:
            pairing = quantile_pairing_on(n, m, xs.device, xs.dtype)
            diff = xs.index_select(1, pairing[0]).sub_(ys.index_select(1, pairing[1]))
        cost, slope = _cost_and_slope(diff, p)
        if pairing is None:
            value = cost.sum() / diff.numel()
        else:
            value = torch.mv(cost, pairing[2]).sum() / n_proj
        ctx.p, ctx.pairing = p, pairing
        ctx.save_for_backward(diff if slope is None else slope, x_order, y_order, directions,
                              x, y)
        return value

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        slope, x_order, y_order, directions, x, y = ctx.saved_tensors
        factor = 2.0 if ctx.p == 2 else 1.0  # for p = 2 the saved tensor is d itself
        pairing = ctx.pairing  # out-of-place products: backward may run again (retain_graph)
        if pairing is None:
            g = slope * (grad * (factor / slope.numel()))
            g_xs = g_ys = g
        else:
            a, b, w = pairing
            g = slope * (w * (grad * (factor / slope.shape[0])))
            g_xs = g.new_zeros(x_order.shape).index_add_(1, a, g)
            g_ys = g.new_zeros(y_order.shape).index_add_(1, b, g)
        g_x = torch.empty_like(g_xs).scatter_(1, x_order, g_xs)  # dV / d(P^T x^T), (L, N)
        g_y = torch.empty_like(g_ys).scatter_(1, y_order, g_ys)  # -dV / d(P^T y^T), (L, M)
        need_x, need_y, need_dir, _ = ctx.needs_input_grad
        grad_x = torch.mm(g_x.T, directions.T) if need_x else None
        grad_y = torch.mm(g_y.T, -directions.T) if need_y else None
        grad_dir = torch.mm(x.T, g_x.T) - torch.mm(y.T, g_y.T) if need_dir else None
        return grad_x, grad_y, grad_dir, None
