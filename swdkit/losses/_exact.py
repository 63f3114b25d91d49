"""The exact Wasserstein-2 distance between two small point clouds: what SW approximates.

Sliced Wasserstein replaces one matching in D dimensions by L matchings on lines, each solved by
sorting. The exact distance solves the D-dimensional matching itself. For uniform empirical
measures on x ``(n, D)`` and y ``(m, D)``,

    W_2^2(x, y) / D = min over couplings P of sum_ij P_ij ||x_i - y_j||^2 / D,

P ranging over the ``(n, m)`` matrices with rows summing to 1/n and columns to 1/m. With
N = lcm(n, m), x repeated N/n times and y N/m times are two uniform measures on N atoms each, the
same measures, and for those an optimal coupling is a permutation (Birkhoff-von Neumann: the
vertices of the doubly stochastic polytope are permutation matrices). So the distance is

    W_2^2(x, y) / D = min over permutations s of (1/N) sum_k ||x'_k - y'_s(k)||^2 / D,

an assignment problem, solved exactly by :func:`scipy.optimize.linear_sum_assignment` on the
detached squared distances (in float64, on the CPU). The value is then recomputed from the
tensors along the chosen matching, so its gradient with respect to the points is the gradient
of the optimal cost (the envelope theorem; a subgradient where the optimum is not unique).

Why divided by D: for theta uniform on S^(D-1), E[(theta . d)^2] = ||d||^2 / D, so with this
scale SW_2^2(x, y) <= W_2^2(x, y) / D (in every direction sorting beats the projection of the
best D-dimensional matching), and the distance sits on the scale of SW and of
:func:`swdkit.losses.pairing_cost` (the cost of one fixed, known matching, never below this
minimum): SW_2^2 <= W_2^2 / D <= pairing cost.

Cost: the assignment is cubic in N, fine for the alignment's batches (N = 64 at the lesson's
defaults), slow beyond a few thousand points; ``max_points`` bounds N.
"""

from __future__ import annotations

import math

import torch

from swdkit._checks import check_value
from swdkit.losses._checks import check_pair

DEFAULT_MAX_POINTS = 4096


def exact_wasserstein(x: torch.Tensor, y: torch.Tensor, *,
                      max_points: int = DEFAULT_MAX_POINTS) -> torch.Tensor:
    """W_2^2(x, y) / D between the uniform measures on the rows of x and y (module docstring).

    Args:
        x: ``(n, D)`` points.
        y: ``(m, D)`` points, the same D, dtype and device.
        max_points: the largest N = lcm(n, m) to solve (the assignment is cubic in N).

    Returns:
        A scalar tensor on the inputs' device and dtype, differentiable with respect to both.

    Raises:
        ValueError: not two floating ``(n, D)``, ``(m, D)`` tensors of one D, dtype and device,
            or lcm(n, m) above ``max_points`` (the message says how to avoid it).
    """
    from scipy.optimize import linear_sum_assignment

    check_pair(x, y)
    max_points = check_value("max_points", max_points, "positive integer",
                             hint="the largest lcm(n, m) to solve")
    n, m = x.shape[0], y.shape[0]
    size = math.lcm(n, m)
    if size > max_points:
        raise ValueError(f"the exact matching of {n} and {m} points needs lcm({n}, {m}) = {size} "
                         f"points a side, above max_points={max_points}. Use sizes with a large "
                         f"common divisor (equal sizes are best), or raise max_points.")
    xs = x.repeat_interleave(size // n, dim=0)
    ys = y.repeat_interleave(size // m, dim=0)
    cost = torch.cdist(xs.detach().double(), ys.detach().double()).square().cpu().numpy()
    rows, cols = linear_sum_assignment(cost)
    rows = torch.as_tensor(rows, device=x.device)
    cols = torch.as_tensor(cols, device=x.device)
    return (xs[rows] - ys[cols]).square().sum(dim=1).mean() / x.shape[1]
