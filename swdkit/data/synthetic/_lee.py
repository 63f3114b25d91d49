"""The Lee speckle filter for the synthetic Sentinel-1 channels 4 to 7 of So2Sat.

Lee's local-statistics filter (J.-S. Lee, "Digital image enhancement and noise filtering by use
of local statistics", IEEE Trans. PAMI 2(2), 165-168, 1980) is the linear minimum-mean-square
estimate of the noise-free intensity ``x`` from a speckled intensity ``I = x v``, with speckle
``v`` of mean 1 and variance ``sigma_v^2 = 1 / L`` for ``L`` looks, using the mean ``m`` and
variance ``var_I`` of ``I`` in a sliding window::

    var_x = (var_I - m^2 sigma_v^2) / (1 + sigma_v^2)
    b     = clip(var_x / var_I, 0, 1)
    x_hat = m + b (I - m)

In flat areas ``var_I ~ m^2 sigma_v^2``, so ``b ~ 0`` and the filter averages; on edges and
bright points ``b ~ 1`` and it keeps the pixel.

So2Sat's channels 4 to 7 are the Lee-filtered 2 x 2 covariance matrix of (VH, VV). For a
polarimetric covariance matrix the same weight ``b`` is applied to every element, computed from
the span ``C11 + C22`` (Lee, Grunes and De Grandi, "Polarimetric SAR speckle filtering and its
implication for classification", IEEE TGRS 37(5), 2363-2373, 1999), so the filtered matrix stays
a valid covariance matrix. This module does exactly that, with a square window (the 1999 paper
adds edge-aligned windows; we do not). The window (5 x 5) and the number of looks are
assumptions: the So2Sat paper does not state its filter settings. ``LEE_LOOKS = 1`` matches the
generator's default single-look channels; with the generator's ``looks = L`` the filter is given
the ``L``-look covariance and ``L`` (:func:`swdkit.data.synthetic._sar.render_sar`).
"""

from __future__ import annotations

import numpy as np

LEE_WINDOW = 5
LEE_LOOKS = 1.0


def _reflect_pad(x: np.ndarray, r: int, axis: int) -> np.ndarray:
    """Mirror ``r`` samples at both ends of ``axis`` (numpy's "reflect": the edge not repeated)."""
    n = x.shape[axis]
    head = np.take(x, np.arange(r, 0, -1), axis=axis)
    tail = np.take(x, np.arange(n - 2, n - 2 - r, -1), axis=axis)
    return np.concatenate([head, x, tail], axis=axis)


def box_mean(x: np.ndarray, window: int) -> np.ndarray:
    """Mean over a ``window x window`` neighbourhood, edges mirrored (numpy "reflect").

    Separable: ``window`` shifted slices are summed along rows, then along columns, in float64
    (complex128 for complex input), so no long running sums lose precision.

    Args:
        x: ``(n, H, W)`` real or complex, ``H, W > window // 2``.
        window: odd side length.

    Returns:
        ``(n, H, W)`` local means.
    """
    r = window // 2
    dtype = np.complex128 if np.iscomplexobj(x) else np.float64
    h, w = x.shape[1:]
    p = _reflect_pad(x.astype(dtype), r, axis=1)
    rows = p[:, 0:h].copy()
    for k in range(1, window):
        rows += p[:, k:k + h]
    p = _reflect_pad(rows, r, axis=2)
    out = p[:, :, 0:w].copy()
    for k in range(1, window):
        out += p[:, :, k:k + w]
    out /= window * window
    return out


def lee_weight(span: np.ndarray, window: int = LEE_WINDOW, looks: float = LEE_LOOKS) -> np.ndarray:
    """Lee's weight ``b = clip(var_x / var_I, 0, 1)`` from local statistics of ``span``.

    Args:
        span: ``(n, H, W)`` non-negative intensities.
        window: odd window side.
        looks: equivalent number of looks ``L`` (``sigma_v^2 = 1 / L``).

    Returns:
        float64 ``(n, H, W)`` in [0, 1].
    """
    sv2 = 1.0 / looks
    mean = box_mean(span, window)
    var = np.maximum(box_mean(span.astype(np.float64) ** 2, window) - mean**2, 0.0)
    var_x = (var - mean**2 * sv2) / (1.0 + sv2)
    with np.errstate(invalid="ignore", divide="ignore"):
        b = np.where(var > 0, var_x / var, 0.0)
    return np.clip(b, 0.0, 1.0)


def lee_filter_covariance(s_vh: np.ndarray, s_vv: np.ndarray, window: int = LEE_WINDOW,
                          looks: float = LEE_LOOKS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lee-filtered covariance matrix elements of two complex channels.

    ``C11 = |S_vh|^2``, ``C22 = |S_vv|^2``, ``C12 = S_vh conj(S_vv)`` per pixel; each is
    replaced by ``mean + b (C - mean)`` with the window means of that element and the common
    weight ``b`` of the span ``C11 + C22`` (:func:`lee_weight`).

    Args:
        s_vh, s_vv: complex ``(n, H, W)`` single-look complex channels.
        window: odd window side.
        looks: equivalent number of looks.

    Returns:
        ``(C11_hat, C22_hat, C12_hat)``: float64, float64, complex128, each ``(n, H, W)``.
    """
    c11 = (s_vh.real.astype(np.float64) ** 2 + s_vh.imag.astype(np.float64) ** 2)
    c22 = (s_vv.real.astype(np.float64) ** 2 + s_vv.imag.astype(np.float64) ** 2)
    c12 = s_vh.astype(np.complex128) * np.conj(s_vv.astype(np.complex128))
    return lee_filter_matrix(c11, c22, c12, window, looks)


def lee_filter_matrix(c11: np.ndarray, c22: np.ndarray, c12: np.ndarray,
                      window: int = LEE_WINDOW, looks: float = LEE_LOOKS
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lee-filtered elements of a given 2 x 2 covariance matrix per pixel (for example an
    ``L``-look one, ``C = (1/L) sum_l s_l s_l^H``): each element ``C`` becomes
    ``mean + b (C - mean)`` with the common weight ``b`` of the span ``C11 + C22``.

    Args:
        c11, c22: float64 ``(n, H, W)`` intensities (the diagonal).
        c12: complex128 ``(n, H, W)`` off-diagonal.
        window: odd window side.
        looks: equivalent number of looks of ``C``.

    Returns:
        ``(C11_hat, C22_hat, C12_hat)``: float64, float64, complex128, each ``(n, H, W)``.
    """
    b = lee_weight(c11 + c22, window, looks)
    out = []
    for c in (c11, c22, c12):
        m = box_mean(c, window)
        out.append(m + b * (c - m))
    return out[0], out[1], out[2]
