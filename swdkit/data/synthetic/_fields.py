"""Vectorised random-field helpers for the synthetic scene generator.

Everything here works on a batch of ``n`` scenes at once, with numpy broadcasting over the
leading sample axis, so the generator never loops over samples in Python.

- :func:`smooth_fields`: band-limited Gaussian fields with standard normal marginals at every
  pixel (white noise on a coarse lattice, bilinearly interpolated, then divided by the exact
  interpolated standard deviation).
- :func:`normal_quantile`: the inverse standard normal CDF, for thresholds on those fields.
- :func:`block_mean`: area averaging of a fine grid to a coarse one (what a sensor pixel does
  to the sub-pixel scene).
- :func:`shifted_max` and :func:`shifted_count`: the running maximum (or count of
  non-negative values) of ``H(x - k d) - k c`` over ``k``, the kernel of the optical shadow and
  of the radar shadow and layover computations.
"""

from __future__ import annotations

import numpy as np


def _interp_matrix(size: int, cells: int) -> np.ndarray:
    """Bilinear interpolation weights ``(size, cells + 1)`` from lattice nodes to pixels."""
    pos = (np.arange(size) + 0.5) / size * cells
    left = np.minimum(np.floor(pos).astype(int), cells - 1)
    frac = pos - left
    mat = np.zeros((size, cells + 1))
    mat[np.arange(size), left] = 1.0 - frac
    mat[np.arange(size), left + 1] = frac
    return mat


def smooth_fields(rng: np.random.Generator, n: int, count: int, size: int,
                  cells: int) -> np.ndarray:
    """Smooth random fields with N(0, 1) marginals at every pixel.

    A lattice of ``(cells + 1)**2`` i.i.d. N(0, 1) values per field is interpolated bilinearly:
    ``F = A Z A^T`` with ``A`` the ``(size, cells + 1)`` weight matrix. The variance at pixel
    ``(i, j)`` is ``(sum_k A_ik^2)(sum_l A_jl^2)``; dividing by its square root makes every
    pixel exactly standard normal, so thresholds at normal quantiles give exact expected area
    fractions.

    Args:
        rng: numpy generator.
        n: number of scenes.
        count: fields per scene.
        size: output side in pixels.
        cells: lattice cells across the side (larger = finer structure).

    Returns:
        float32 ``(n, count, size, size)``.
    """
    a = _interp_matrix(size, cells)
    sd = np.sqrt((a**2).sum(1))
    a = a.astype(np.float32)
    z = rng.standard_normal((n, count, cells + 1, cells + 1), dtype=np.float32)
    f = np.matmul(np.matmul(a, z), a.T)
    f /= np.outer(sd, sd).astype(np.float32)
    return f


_ACKLAM_A = (-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
             1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00)
_ACKLAM_B = (-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
             6.680131188771972e+01, -1.328068155288572e+01)
_ACKLAM_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
             -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00)
_ACKLAM_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
             3.754408661907416e+00)


def normal_quantile(p: np.ndarray) -> np.ndarray:
    """Inverse standard normal CDF ``Phi^-1(p)`` as float32; 0 -> -inf, 1 -> inf.

    Meant for small arrays of thresholds: comparing a standard normal field ``F < Phi^-1(f)``
    marks an expected fraction ``f`` of the pixels without transforming every pixel. Uses
    P. J. Acklam's rational approximation (2003; relative error below 1.2e-9), central region
    ``|p - 1/2| <= 0.475`` and the two tails.
    """
    p = np.asarray(p, dtype=np.float64)
    q = np.clip(p, 1e-300, 1 - 1e-16)
    a, b, c, d = _ACKLAM_A, _ACKLAM_B, _ACKLAM_C, _ACKLAM_D
    r = q - 0.5
    r2 = r * r
    central = (((((a[0] * r2 + a[1]) * r2 + a[2]) * r2 + a[3]) * r2 + a[4]) * r2 + a[5]) * r / \
        (((((b[0] * r2 + b[1]) * r2 + b[2]) * r2 + b[3]) * r2 + b[4]) * r2 + 1)
    t = np.sqrt(-2 * np.log(np.minimum(q, 1 - q)))
    tail = (((((c[0] * t + c[1]) * t + c[2]) * t + c[3]) * t + c[4]) * t + c[5]) / \
        ((((d[0] * t + d[1]) * t + d[2]) * t + d[3]) * t + 1)
    tail = np.where(q < 0.5, tail, -tail)
    out = np.where(np.abs(r) <= 0.475, central, tail)
    return np.where(p <= 0, -np.inf, np.where(p >= 1, np.inf, out)).astype(np.float32)


def block_mean(x: np.ndarray, factor: int) -> np.ndarray:
    """Average ``factor x factor`` blocks of the two axes after the sample axis.

    Args:
        x: ``(n, H, W, ...)`` with ``H`` and ``W`` divisible by ``factor``.
        factor: block side.

    Returns:
        ``(n, H // factor, W // factor, ...)``, the block means.
    """
    if factor == 1:
        return x
    out = np.zeros((x.shape[0], x.shape[1] // factor, x.shape[2] // factor, *x.shape[3:]),
                   dtype=np.result_type(x.dtype, np.float32))
    for a in range(factor):
        for b in range(factor):
            out += x[:, a::factor, b::factor]  # strided adds beat a multi-axis mean here
    out *= 1.0 / (factor * factor)
    return out


def _shifted_reduce(height: np.ndarray, drop: np.ndarray, step: tuple[int, int],
                    max_steps: np.ndarray, count: bool) -> np.ndarray:
    """:func:`shifted_max` (``count`` False) or :func:`shifted_count` (``count`` True)."""
    n, h, w = height.shape
    order = np.argsort(-max_steps, kind="stable")
    hs, ds, ks = height[order], drop[order].reshape(-1, 1, 1), max_steps[order]
    res = np.zeros_like(hs) if count else np.full_like(hs, -np.inf)
    di, dj = step
    for k in range(1, int(ks[0]) + 1 if n else 1):
        m = int(np.searchsorted(-ks, -k, side="right"))  # scenes that still need step k
        oi, oj = k * di, k * dj
        if m == 0 or abs(oi) >= h or abs(oj) >= w:
            break
        src = hs[:m, max(0, -oi):h - max(0, oi), max(0, -oj):w - max(0, oj)] - k * ds[:m]
        dst = res[:m, max(0, oi):h - max(0, -oi), max(0, oj):w - max(0, -oj)]
        if count:
            dst += src >= 0
        else:
            np.maximum(dst, src, out=dst)
    out = np.empty_like(res)
    out[order] = res
    return out


def shifted_max(height: np.ndarray, drop: np.ndarray, step: tuple[int, int],
                max_steps: np.ndarray) -> np.ndarray:
    """``M(p) = max_{1 <= k <= K} (H(p - k * step) - k * drop)`` per scene (-inf if none).

    ``H(p - k step)`` is the height ``k`` steps back along ``step``; ``drop`` is how much a ray
    descends per step (for example ``step_length * tan(elevation)`` for sun rays). A pixel is in
    shadow when ``M(p) > H(p)``. Only ``k <= K = max_steps[scene]`` is visited; scenes are
    sorted by ``K`` so each step only touches the scenes that still need it.

    Args:
        height: float32 ``(n, H, W)`` heights in metres.
        drop: float32 ``(n,)`` descent per step in metres (positive).
        step: ``(di, dj)`` integer pixel offset of one step, for example ``(0, 1)``.
        max_steps: int ``(n,)`` number of steps worth visiting per scene.

    Returns:
        float32 ``(n, H, W)``.
    """
    return _shifted_reduce(height, drop, step, max_steps, count=False)


def shifted_count(height: np.ndarray, drop: np.ndarray, step: tuple[int, int],
                  max_steps: np.ndarray) -> np.ndarray:
    """``N(p) = #{1 <= k <= K : H(p - k * step) >= k * drop}`` per scene.

    Same walk as :func:`shifted_max`, counting instead of maximising: with ``H`` the heights of
    radar-facing walls and ``drop = step_length * tan(incidence)``, ``N(p)`` is the number of
    facades whose layover (length ``h / tan(incidence)`` towards the radar) covers ``p``.

    Returns:
        float32 ``(n, H, W)``.
    """
    return _shifted_reduce(height, drop, step, max_steps, count=True)
