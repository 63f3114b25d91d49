"""The twin set: a radar whose lesson channels are a known, noisy linear map of the optical RGB.

A teaching and testing tool. In the twin set the two SAR channels the lessons read (So2Sat
``sen1[..., 2:4]``, VV real and imaginary) carry exactly the optical image's class information,
through a transform that is known, and with a large domain shift (other channels, other scales,
mixed signs): whatever transfer cannot recover there, it cannot recover anywhere.

The map. With ``x = (B4, B3, B2)`` the stored optical RGB of a pixel (So2Sat ``sen2[..., [2, 1,
0]]``, reflectance) and ``A`` a 2 x 3 matrix::

    (VV real, VV imaginary) = A x + noise_level * s * e,   e ~ N(0, I_2) per pixel

where ``s = (s_1, s_2)`` is the standard deviation of each noise-free channel ``(A x)_k`` over
every pixel of the render block (:data:`swdkit.data.synthetic._splits.CHUNK` patches), so
``noise_level`` is the noise's standard deviation relative to the signal's (0.1: a
signal-to-noise ratio of 10, 20 dB). No offset is added.

What is drawn, and from which stream:

- ``A`` (:func:`twin_matrix`): six independent standard normal entries, drawn once per seed from
  ``numpy.random.default_rng(SeedSequence(seed, spawn_key=(TWIN_STREAM,)))``, a stream of its
  own: the same matrix in every split and block, whatever the sizes.
- ``e``: ``standard_normal((n, 32, 32, 2))`` (float64) from the block's own stream (the one that
  rendered the block), drawn after everything the block rendered, so every other array (the
  optical bands, the radar's VH channels) equals the normal set's of the same seed and knobs.

The other channels. VH real and imaginary (``sen1[..., 0:2]``) are left as rendered (radar);
the Lee-filtered channels 4 to 7 are recomputed from the stored VH and twin VV channels
(:func:`swdkit.data.synthetic._lee.lee_filter_covariance`, the generator's number of looks), so
they remain the filter of what channels 0 to 3 hold: 5 and 6-7 follow the twin, 4 is the radar's
VH intensity filtered with a weight from the new span.
"""

from __future__ import annotations

import numpy as np

from swdkit._checks import check_value
from swdkit.data.synthetic._lee import lee_filter_covariance

TWIN_STREAM = 1001  # spawn key of the matrix's stream (the city table's is 1000)
RGB = (2, 1, 0)  # sen2 indices of B4, B3, B2
VV = slice(2, 4)  # sen1 channels replaced: VV real, VV imaginary


def twin_matrix(seed: int) -> np.ndarray:
    """The twin set's map ``A`` from ``(B4, B3, B2)`` to ``(VV real, VV imaginary)``.

    Args:
        seed: the generator's seed.

    Returns:
        float64 ``(2, 3)``: standard normal entries from
        ``default_rng(SeedSequence(seed, spawn_key=(TWIN_STREAM,)))``.
    """
    seed = check_value("seed", seed, "integer >= 0")
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(TWIN_STREAM,)))
    return rng.standard_normal((2, 3))


def twin_sar(rng: np.random.Generator, sen1: np.ndarray, sen2: np.ndarray, matrix: np.ndarray,
             noise_level: float, looks: int = 1) -> np.ndarray:
    """Replace a block's VV channels by the twin map of its RGB (module docstring).

    Args:
        rng: the block's generator, after the block was rendered (the noise ``e``).
        sen1: float32 ``(n, 32, 32, 8)`` rendered radar (not changed).
        sen2: float32 ``(n, 32, 32, 10)`` rendered optics.
        matrix: ``(2, 3)`` map (:func:`twin_matrix`).
        noise_level: the noise's standard deviation relative to each channel's signal, >= 0.
        looks: the number of looks the Lee filter assumes.

    Returns:
        float32 ``(n, 32, 32, 8)``: channels 2, 3 the twin, 4 to 7 refiltered, 0, 1 as given.
    """
    clean = sen2[..., list(RGB)].astype(np.float64) @ np.asarray(matrix, np.float64).T
    scale = clean.reshape(-1, 2).std(axis=0)
    twin = clean + noise_level * scale * rng.standard_normal(clean.shape)
    out = sen1.copy()
    out[..., VV] = twin
    vh = out[..., 0] + 1j * out[..., 1]
    vv = out[..., 2] + 1j * out[..., 3]
    c11, c22, c12 = lee_filter_covariance(vh, vv, looks=float(looks))
    out[..., 4], out[..., 5], out[..., 6], out[..., 7] = c11, c22, c12.real, c12.imag
    return out
