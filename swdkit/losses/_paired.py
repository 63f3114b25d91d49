"""The transport cost of a known coupling: the control for what sliced Wasserstein must guess.

SW compares two clouds without knowing which point belongs to which: in every direction it
matches them by sorting, the best coupling for that direction. When the pairs are known (EO patch
i and SAR patch i show the same scene, as in So2Sat), the coupling i <-> i can be paid for
directly. For x ``(N, D)`` and y ``(N, D)`` with rows paired,

    C(x, y) = (1/N) sum_i ||x_i - y_i||^2 / D.

Why divided by D: for theta uniform on the unit sphere S^(D-1), E[(theta . d)^2] = ||d||^2 / D,
so C is the mean over directions of the 1-D squared cost of the pairing, the same average SW_2^2
takes over directions of the 1-D optimal cost. In each direction sorting is optimal, so with the
same projections theta_1..theta_L

    SW_2^2 = (1/L) sum_l W_2^2(theta_l . x, theta_l . y)
          <= (1/L) sum_l (1/N) sum_i (theta_l . (x_i - y_i))^2,

whose expectation over the directions is C. C is zero only when every y_i sits on its x_i; SW is
zero whenever the clouds have the same shape, whichever point lands where.
"""

from __future__ import annotations

import torch

from swdkit.losses._checks import check_pair


def paired_cost(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """C(x, y) = mean_i ||x_i - y_i||^2 / D for paired rows (module docstring).

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
