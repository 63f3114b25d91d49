"""The transport cost of a known coupling: what sliced Wasserstein has to do without.

SW compares two clouds without knowing which point belongs to which: in every direction it
matches them by sorting, the cheapest coupling for that direction. When the pairs are known (EO
patch i and SAR patch i show one scene, as in So2Sat), the coupling i <-> i can be paid for
directly. For x ``(N, D)`` and y ``(N, D)`` with rows paired,

    C(x, y) = (1/N) sum_i ||x_i - y_i||^2 / D.

Why divided by D: for theta uniform on the unit sphere S^(D-1), E[theta theta^T] = I / D, so
E[(theta . d)^2] = ||d||^2 / D and C is the expectation over directions of the pairing's 1-D
squared cost. In each direction sorting is the optimal coupling of two equally large uniform
samples, so the exact sliced distance (the expectation over all directions) satisfies

    SW_2^2(x, y) <= C(x, y),

with equality only if the pairing is optimal in almost every direction. The estimate on L random
directions obeys the bound only in expectation. SW is zero whenever the two samples are the same
set of points, whichever row sits where; C is zero only when every y_i equals its own x_i.
"""

from __future__ import annotations

import torch

from swdkit.losses._checks import check_pair


def pairing_cost(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """C(x, y) = mean_i ||x_i - y_i||^2 / D for rows paired by position (module docstring).

    Args:
        x: ``(N, D)`` points.
        y: ``(N, D)`` points, row i paired with ``x[i]``.

    Returns:
        A scalar tensor on the inputs' device and dtype.

    Raises:
        ValueError: not two floating ``(N, D)`` tensors of one shape, dtype and device.
    """
    check_pair(x, y)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"x and y must be paired row by row, so have the same number of rows; "
                         f"got {x.shape[0]} and {y.shape[0]}. Pass the two embeddings of the "
                         f"same samples in the same order.")
    return (x - y).square().sum(dim=1).mean() / x.shape[1]
