"""The maths behind the SWD playground: two 2-D point clouds, their 1-D projections, and the
sliced-Wasserstein flow that moves one cloud onto the other.

For a unit direction theta the projected samples <x_i, theta> and <y_j, theta> are matched by
sorting: the k-th smallest projection of x goes to the k-th smallest projection of y (the optimal
one-dimensional transport plan for equal sample counts, Bonneel et al. 2015, "Sliced and Radon
Wasserstein barycenters of measures", JMIV 51). The sliced-Wasserstein flow (Bonneel et al. 2015;
Liutkus et al. 2019, "Sliced-Wasserstein flows", ICML) takes gradient steps on

    SW_2^2(x, y) = (1/L) sum_l (1/N) sum_k (<x_(k), theta_l> - <y_(k), theta_l>)^2

with respect to the points x. For equal counts N its gradient at x_i is

    dSW_2^2 / dx_i = (2 / (N L)) sum_l (<x_i, theta_l> - <y_{sigma_l(i)}, theta_l>) theta_l,

sigma_l the sorted matching along theta_l. The flow step used here is

    x_i <- x_i - step_size * (N / 2) * dSW_2^2 / dx_i
         = x_i - step_size * (1/L) sum_l d_il theta_l,   d_il the 1-D gap along theta_l,

so with one direction and ``step_size=1`` one step closes every gap along that direction exactly,
and with many directions each step moves every point by the mean of its per-slice gaps. For
step sizes in (0, 2) SW_2^2 over the fixed directions never increases (the step is a gradient step
on a quadratic that touches SW_2^2 from above at x with curvature at most 2/N).

The loss and its gradient come from :func:`swdkit.losses.sliced_wasserstein`; this module only
adds the bookkeeping. Arrays are numpy float64 outside, torch float64 inside.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from swdkit._checks import check_value

N_EVALUATION = 256  # fixed directions on which a flow's SW_2^2 is reported


def direction(angle_degrees: float) -> np.ndarray:
    """The unit vector at ``angle_degrees`` from the x axis, shape ``(2,)``."""
    a = math.radians(float(angle_degrees))
    return np.array([math.cos(a), math.sin(a)])


def make_toy_clouds(n: int = 150, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two 2-D clouds of ``n`` points each: a source and a differently shaped target.

    The source is two elongated Gaussian blobs on the left; the target is a noisy ring on the
    right, so no rigid shift maps one onto the other and the flow has visible work to do.

    Returns:
        ``(x, y)``, each float64 ``(n, 2)``.
    """
    n = check_value("n", n, "positive integer", minimum=2, hint="points per cloud")
    rng = np.random.default_rng(seed)
    half = n // 2
    blob_a = rng.normal(size=(half, 2)) * [0.35, 0.9] + [-3.0, 1.2]
    blob_b = rng.normal(size=(n - half, 2)) * [0.9, 0.3] + [-2.5, -1.5]
    x = np.vstack([blob_a, blob_b])
    angles = rng.uniform(0.0, 2.0 * math.pi, size=n)
    radius = 1.6 + 0.15 * rng.normal(size=n)
    y = np.stack([2.5 + radius * np.cos(angles), radius * np.sin(angles)], axis=1)
    return x, y


def _check_cloud(name: str, cloud: np.ndarray) -> np.ndarray:
    arr = np.asarray(cloud, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 2 or arr.shape[0] < 1:
        raise ValueError(f"{name} must be a 2-D point cloud of shape (N, 2) with N >= 1; got "
                         f"shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} holds NaN or infinite coordinates; pass finite points.")
    return arr


def _check_equal_pair(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = _check_cloud("x", x), _check_cloud("y", y)
    if x.shape[0] != y.shape[0]:
        raise ValueError("the playground matches points one to one, so x and y need the same "
                         f"number of points; got {x.shape[0]} and {y.shape[0]} (subsample the "
                         "larger cloud).")
    return x, y


@dataclass(frozen=True)
class Matching:
    """The sorted matching of two equal-size clouds along one direction.

    Attributes:
        theta: ``(2,)`` unit direction.
        x_proj: ``(N,)`` projections <x_i, theta>; ``y_proj`` likewise for y.
        x_order: ``(N,)`` indices sorting ``x_proj``; ``y_order`` likewise. The k-th pair is
            ``(x[x_order[k]], y[y_order[k]])``.
        w2: the exact 1-D W_2^2 along theta, (1/N) sum_k (x_(k) - y_(k))^2.
    """

    theta: np.ndarray
    x_proj: np.ndarray
    y_proj: np.ndarray
    x_order: np.ndarray
    y_order: np.ndarray
    w2: float


def sorted_matching(x: np.ndarray, y: np.ndarray, angle_degrees: float) -> Matching:
    """Project ``x (N, 2)`` and ``y (N, 2)`` on the direction at ``angle_degrees``; match sorted.

    Ties are broken by index (a stable sort), so the matching is deterministic.
    """
    x, y = _check_equal_pair(x, y)
    theta = direction(angle_degrees)
    xp, yp = x @ theta, y @ theta
    xo, yo = np.argsort(xp, kind="stable"), np.argsort(yp, kind="stable")
    w2 = float(np.mean((xp[xo] - yp[yo]) ** 2))
    return Matching(theta, xp, yp, xo, yo, w2)


def fixed_directions(n_projections: int, *, seed: int = 0) -> np.ndarray:
    """``n_projections`` random unit directions in the plane, ``(2, L)`` float64.

    Drawn with :func:`swdkit.losses.random_projections` from a seeded generator. The draws are
    nested: for L <= 64 the directions are the first L of one seeded draw of 64, so adding
    projections keeps the ones there were (and a given ``(L, seed)`` is always the same).
    """
    import torch

    from swdkit.losses import random_projections

    n_projections = check_value("n_projections", n_projections, "positive integer")
    gen = torch.Generator().manual_seed(int(seed))
    pool = random_projections(2, max(64, n_projections), generator=gen, dtype=torch.float64)
    return pool[:, :n_projections].numpy()


@dataclass(frozen=True)
class Flow:
    """A sliced-Wasserstein flow: every step's positions and SW_2^2.

    Attributes:
        positions: ``(S+1, N, 2)``; ``positions[0]`` is the start, ``positions[s]`` after s steps.
        sw: ``(S+1,)`` SW_2^2(positions[s], y) over ``evaluation_directions``.
        evaluation_directions: ``(2, L_eval)`` the fixed directions ``sw`` is measured on.
        directions: ``(2, L)`` the fixed directions the flow used, or None if it drew new ones
            every step.
    """

    positions: np.ndarray
    sw: np.ndarray
    evaluation_directions: np.ndarray
    directions: np.ndarray | None


def flow_step(x: np.ndarray, y: np.ndarray, directions: np.ndarray, *,
              step_size: float = 1.0) -> np.ndarray:
    """One sliced-Wasserstein flow step of ``x (N, 2)`` towards ``y (N, 2)``.

    x <- x - step_size * (N/2) * grad_x SW_2^2(x, y; directions), the gradient taken by autograd
    through :func:`swdkit.losses.sliced_wasserstein` (see the module docstring for the formula).

    Args:
        x, y: ``(N, 2)`` clouds of equal size.
        directions: ``(2, L)`` unit directions.
        step_size: fraction of the mean per-slice gap moved per step; in (0, 2) for descent.

    Returns:
        The moved points, float64 ``(N, 2)``.
    """
    import torch

    from swdkit.losses import sliced_wasserstein

    x, y = _check_equal_pair(x, y)
    step_size = check_value("step_size", step_size, "number > 0")
    if step_size >= 2.0:
        raise ValueError(f"step_size must be a number in (0, 2) for the flow to descend; got "
                         f"{step_size!r}.")
    xt = torch.tensor(x, requires_grad=True)
    loss = sliced_wasserstein(xt, torch.from_numpy(y), projections=torch.from_numpy(directions))
    (grad,) = torch.autograd.grad(loss, xt)
    return x - step_size * (x.shape[0] / 2.0) * grad.numpy()


def sliced_wasserstein_2d(x: np.ndarray, y: np.ndarray, directions: np.ndarray) -> float:
    """SW_2^2 of two 2-D clouds over the given ``(2, L)`` directions, as a float."""
    import torch

    from swdkit.losses import sliced_wasserstein

    return float(sliced_wasserstein(torch.from_numpy(np.asarray(x, dtype=np.float64)),
                                    torch.from_numpy(np.asarray(y, dtype=np.float64)),
                                    projections=torch.from_numpy(directions)))


def sliced_wasserstein_flow(x: np.ndarray, y: np.ndarray, *, n_projections: int = 8,
                            n_steps: int = 40, step_size: float = 1.0, resample: bool = False,
                            seed: int = 0) -> Flow:
    """Move ``x`` onto ``y`` by ``n_steps`` sliced-Wasserstein flow steps.

    With ``resample=False`` the same L = ``n_projections`` directions are used at every step: the
    flow then matches the clouds along those L directions only, which is why few projections leave
    the shapes visibly different. With ``resample=True`` each step draws L new directions (as a
    training loop does), and the flow matches the whole distribution slowly but surely.

    Args:
        x, y: ``(N, 2)`` source and target clouds of equal size.
        n_projections: L, directions per step.
        n_steps: S, how many steps.
        step_size: see :func:`flow_step`.
        resample: draw new directions each step.
        seed: seeds every direction draw.

    Returns:
        A :class:`Flow` with ``(S+1, N, 2)`` positions and ``(S+1,)`` SW_2^2 values, measured
        on :data:`N_EVALUATION` fixed directions of their own (not the flow's, so flows with
        different L compare fairly).
    """
    x, y = _check_equal_pair(x, y)
    n_steps = check_value("n_steps", n_steps, "integer >= 0")
    evaluation = fixed_directions(N_EVALUATION, seed=10_000 + seed)
    fixed = None if resample else fixed_directions(n_projections, seed=seed)
    positions = [x]
    for step in range(n_steps):
        dirs = fixed if fixed is not None else fixed_directions(n_projections,
                                                                seed=seed * 100_003 + step)
        positions.append(flow_step(positions[-1], y, dirs, step_size=step_size))
    sw = np.array([sliced_wasserstein_2d(p, y, evaluation) for p in positions])
    return Flow(np.stack(positions), sw, evaluation, fixed)
