"""Other distribution discrepancies for comparison with SWD: MMD and CORAL."""

from __future__ import annotations

import torch

from swdkit.losses._checks import check_pair, check_positive


def _squared_distances(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """||a_i - b_j||^2 for ``a (N, D)``, ``b (M, D)``; returns ``(N, M)``, clamped at 0.

    The expansion ||a||^2 + ||b||^2 - 2 a.b has a finite gradient where a_i = b_j (unlike
    the square root inside ``torch.cdist``).
    """
    sq = (a.square().sum(1).unsqueeze(1) + b.square().sum(1).unsqueeze(0)
          - 2.0 * torch.mm(a, b.T))
    return sq.clamp_min(0.0)


def median_bandwidth(x: torch.Tensor, y: torch.Tensor) -> float:
    """The median heuristic: sigma = median of ||z_i - z_j|| over distinct pairs i < j of the
    pooled sample z = (x, y), a common default (Gretton et al. 2012, JMLR 13).

    If the median is zero (most pairs coincide), the mean of the positive distances is used;
    if every point coincides, 1.0 (any bandwidth then gives MMD 0).

    Args:
        x: ``(N, D)`` points.
        y: ``(M, D)`` points.

    Returns:
        sigma as a Python float (no gradient flows through the bandwidth).
    """
    check_pair(x, y)
    with torch.no_grad():
        z = torch.cat([x, y])
        rows, cols = torch.triu_indices(len(z), len(z), offset=1, device=z.device)
        dist = _squared_distances(z, z)[rows, cols].sqrt()
        if dist.numel() == 0:
            return 1.0
        dist = torch.sort(dist).values
        half = len(dist) // 2  # the median averages the two middle values for an even count
        sigma = float(dist[half] if len(dist) % 2 else (dist[half - 1] + dist[half]) / 2)
        if sigma > 0:
            return sigma
        positive = dist[dist > 0]
        return float(positive.mean()) if positive.numel() else 1.0


def mmd(x: torch.Tensor, y: torch.Tensor, *, bandwidth: float | None = None) -> torch.Tensor:
    """Unbiased squared maximum mean discrepancy with a Gaussian kernel.

    With k(a, b) = exp(-||a - b||^2 / (2 sigma^2)):

        MMD_u^2 = 1/(N(N-1)) sum_{i != j} k(x_i, x_j) + 1/(M(M-1)) sum_{i != j} k(y_i, y_j)
                  - 2/(N M) sum_{i, j} k(x_i, y_j)

    (Gretton et al. 2012, "A kernel two-sample test", JMLR 13). Being unbiased, it can be
    slightly negative when the two samples come from the same distribution.

    Args:
        x: ``(N, D)`` points, N >= 2.
        y: ``(M, D)`` points, M >= 2 (same D, dtype and device).
        bandwidth: sigma > 0; None picks it by :func:`median_bandwidth` on the pooled sample.

    Returns:
        Scalar tensor on x's device and dtype, differentiable in x and y.
    """
    check_pair(x, y, min_rows=2)
    sigma = median_bandwidth(x, y) if bandwidth is None else check_positive("bandwidth",
                                                                           bandwidth)
    scale = -0.5 / sigma**2
    n, m = len(x), len(y)
    k_xx = torch.exp(_squared_distances(x, x) * scale)
    k_yy = torch.exp(_squared_distances(y, y) * scale)
    k_xy = torch.exp(_squared_distances(x, y) * scale)
    within_x = (k_xx.sum() - k_xx.diagonal().sum()) / (n * (n - 1))
    within_y = (k_yy.sum() - k_yy.diagonal().sum()) / (m * (m - 1))
    return within_x + within_y - 2.0 * k_xy.mean()


def coral(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """CORAL loss: squared Frobenius distance between the two feature covariances.

    CORAL = ||C_x - C_y||_F^2 / (4 D^2), with C = (Z - mean)^T (Z - mean) / (N - 1) the
    unbiased covariance ``(D, D)`` (Sun & Saenko 2016, "Deep CORAL: correlation alignment for
    deep domain adaptation", ECCV workshops, Eq. 1). It matches second moments only: a shift
    of the means leaves it unchanged.

    Args:
        x: ``(N, D)`` points, N >= 2.
        y: ``(M, D)`` points, M >= 2 (same D, dtype and device).

    Returns:
        Scalar tensor on x's device and dtype, differentiable in x and y.
    """
    check_pair(x, y, min_rows=2)
    dim = x.shape[1]
    diff = torch.cov(x.T) - torch.cov(y.T)  # (D, D); a 0-d tensor when D = 1
    return diff.square().sum() / (4.0 * dim**2)
