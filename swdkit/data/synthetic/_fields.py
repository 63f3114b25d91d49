"""Vectorised random-field helpers for the synthetic scene generator.

Everything here works on a batch of ``n`` scenes at once, with numpy broadcasting over the
leading sample axis, so the generator never loops over samples in Python.

- :func:`hash_uniforms`: a counter-based random number per (scene, integer cell, salt), so a
  building lot or a field parcel gets the same random height, roof, or crop wherever its pixels
  are, without a table (an integer hash: C. Wellons, "Prospecting for hash functions", 2018,
  the "lowbias32" constants).
- :func:`smooth_fields`: band-limited Gaussian fields with standard normal marginals at every
  pixel (white noise on a coarse lattice, bilinearly interpolated, then divided by the exact
  interpolated standard deviation).
- :func:`block_mean`: area averaging of a fine grid to a coarse one (what a sensor pixel does
  to the sub-pixel scene).
- :func:`shifted_max` and :func:`shifted_count`: the running maximum (or count of
  non-negative values) of ``H(x - k d) - k c`` over ``k``, the kernel of the optical shadow and
  of the radar shadow and layover computations.
"""

from __future__ import annotations

import math

import numpy as np

_GOLDEN32 = np.uint32(0x9E3779B1)
_MIX1 = np.uint32(0x7FEB352D)
_MIX2 = np.uint32(0x846CA68B)
_S15, _S16 = np.uint32(15), np.uint32(16)
_CELL_STRIDE = np.int64(4099)


def _mix32(z: np.ndarray) -> np.ndarray:
    """Wellons' "lowbias32" integer hash (a bijection of uint32 with good avalanche)."""
    z = z ^ (z >> _S16)
    z *= _MIX1
    z ^= z >> _S15
    z *= _MIX2
    z ^= z >> _S16
    return z


def lot_keys(scene_keys: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mix per-scene keys with two integer cell coordinates into one uint32 key per pixel.

    Args:
        scene_keys: uint32 ``(n,)``, one random key per scene.
        a, b: integer ``(n, H, W)`` cell indices (for example lot row and column), each
            within +-2000 so that ``a * 4099 + b`` is unique.

    Returns:
        uint32 ``(n, H, W)``: equal wherever (scene, a, b) are equal, unrelated otherwise.
    """
    cell = (a.astype(np.int64) * _CELL_STRIDE + b).astype(np.uint32)
    return _mix32(cell * _GOLDEN32 + scene_keys.astype(np.uint32).reshape(-1, 1, 1))


def hash_uniforms(keys: np.ndarray, count: int, salt: int = 0) -> list[np.ndarray]:
    """``count`` independent uniform (0, 1) float32 arrays, one value per key each.

    Each 32-bit hash of (key, salt, index) is cut into two 16-bit halves, so the values have a
    resolution of 2**-16: plenty for occupancy, roof type, jitter and texture, and half the
    work of a hash per value.

    Args:
        keys: uint32 array of any shape (from :func:`lot_keys`).
        count: how many arrays.
        salt: small integer; different salts give unrelated values for the same keys.

    Returns:
        list of ``count`` float32 arrays shaped like ``keys``.
    """
    out = []
    scale = np.float32(2.0**-16)
    for h in range((count + 1) // 2):
        offset = np.uint32(((2 * salt + h + 1) * 0x632BE5AB) & 0xFFFFFFFF)
        z = _mix32(keys ^ offset)
        out.append(((z & np.uint32(0xFFFF)).astype(np.float32) + np.float32(0.5)) * scale)
        if len(out) < count:
            out.append(((z >> _S16).astype(np.float32) + np.float32(0.5)) * scale)
    return out


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


def normal_cdf(x: np.ndarray) -> np.ndarray:
    """Standard normal CDF ``Phi(x) = (1 + erf(x / sqrt 2)) / 2`` as float32.

    numpy has no vectorised erf; Abramowitz and Stegun formula 7.1.26 gives it to an absolute
    error below 1.5e-7, far below anything the generator resolves.
    """
    # Abramowitz and Stegun 7.1.26 applied to erf(|x| / sqrt 2): absolute error below 1.5e-7.
    z = np.abs(x) / math.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * z)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027
                                                                          + t * 1.061405429))))
    erf_abs = 1.0 - poly * np.exp(-z * z)
    return (0.5 * (1.0 + np.sign(x) * erf_abs)).astype(np.float32)


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
