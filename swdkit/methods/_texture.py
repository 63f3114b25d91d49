"""Classical SAR texture statistics of VV patches: the features of the ``features`` baseline.

Everything is computed per patch from the VV intensity ``I = re^2 + im^2`` (linear power, one
look), float64 ``(N, H, W)``. The statistics (:data:`FEATURE_NAMES`, in this order):

- ``mean_db``: the backscatter level, ``10 log10(mean I)`` (Ulaby and Dobson, *Handbook of Radar
  Scattering Statistics for Terrain*, 1989: the mean backscatter coefficient per class).
- ``cv_2``, ``cv_4``, ``cv_8``: the coefficient of variation ``std(I) / mean(I)`` inside
  non-overlapping ``w x w`` windows, averaged over the windows. Fully developed speckle alone
  gives 1 (in the large-window limit); texture and point targets raise it. It is the
  heterogeneity measure of the adaptive speckle filters (Lee 1980; Lopes, Touzi and Nezry,
  "Adaptive speckle filters and scene heterogeneity", IEEE TGRS 28, 1990) and of Oliver and
  Quegan, *Understanding Synthetic Aperture Radar Images*, 1998, ch. 8.
- ``bright_fraction``: the fraction of pixels with ``I > 5 mean(I)``; speckle alone gives
  ``exp(-5) = 0.7 %``, bright point scatterers (corners, double bounce) more.
- ``q10_db``, ``q50_db``, ``q90_db``: intensity quantiles in dB (linear interpolation).
- ``log_mean_ratio``: ``ln mean(I) - mean(ln I)``, the log of the ratio of the arithmetic to the
  geometric mean: ``0.5772`` (Euler's gamma) for one-look speckle on a constant scene, larger
  with texture; it is the statistic of the maximum-likelihood shape (ENL) estimate of a gamma
  law and of the log-cumulant methods (Oliver and Quegan 1998, sec. 7.5).
- ``log_variance``: ``var(ln I)``, the second log-cumulant ``k2`` (``pi^2 / 6 = 1.645`` for
  one-look speckle; Nicolas, "Introduction aux statistiques de deuxieme espece", Traitement du
  Signal 19, 2002; Tison et al., "A new statistical model for Markovian classification of urban
  areas in high-resolution SAR images", IEEE TGRS 42, 2004).
- ``glcm_contrast``: the grey-level co-occurrence contrast ``sum_ij (i - j)^2 P(i, j)``
  (Haralick, Shanmugam and Dinstein, IEEE SMC 3, 1973) of the image quantised into
  :data:`GLCM_LEVELS` equal-probability levels (Soh and Tsatsoulis, "Texture analysis of SAR sea
  ice imagery using gray level co-occurrence matrices", IEEE TGRS 37, 1999), for the offsets one
  pixel right and one pixel down, averaged. Equal-probability levels are ranks, so the dB image
  and the intensity give the same levels. Spatially white speckle gives ``(L^2 - 1) / 6`` (42.5
  for L = 16); spatial structure lowers it.

Logarithms use ``I + INTENSITY_FLOOR`` (-100 dB), so a zero pixel stays finite; the floor is far
below any backscatter, so the scale-invariant statistics stay scale-invariant.

The methods receive normalised SAR (:mod:`swdkit.data._normalize`); :func:`sar_intensity`
undoes the normalisation with the fitted statistics first (exact for ``"standard"`` and
``"signed_log"``; ``"robust"`` clipped values at +-3 scaled units, and they come back at that
bound).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from swdkit._checks import check_choice, check_value

INTENSITY_FLOOR = 1e-10
CV_WINDOWS = (2, 4, 8)
BRIGHT_FACTOR = 5.0
QUANTILES = (0.1, 0.5, 0.9)
GLCM_LEVELS = 16
FEATURE_NAMES = ("mean_db", *(f"cv_{w}" for w in CV_WINDOWS), "bright_fraction",
                 *(f"q{round(100 * q)}_db" for q in QUANTILES), "log_mean_ratio",
                 "log_variance", "glcm_contrast")
# The encoder inputs (LessonData.sar_input) whose VV intensity sar_intensity can recover.
INVERTIBLE_INPUTS = ("re_im", "db_smooth", "db_lee")


def _stats_fields(stats: Any) -> tuple[str, np.ndarray, np.ndarray, np.ndarray | None]:
    """``(sar_norm, center (2,), scale (2,), log_scale (2,) or None)`` of NormStats or its dict."""
    if isinstance(stats, dict):
        from swdkit.data import NormStats

        stats = NormStats.from_dict(stats)
    try:
        norm, center, scale = stats.sar_norm, stats.sar_center, stats.sar_scale
        log_scale = stats.sar_log_scale
    except AttributeError:
        raise TypeError(f"stats must be a swdkit.data.NormStats (LessonData.stats), its to_dict() "
                        f"or None for raw values; got {type(stats).__name__}") from None
    return (norm, np.asarray(center, dtype=np.float64).reshape(1, -1, 1, 1),
            np.asarray(scale, dtype=np.float64).reshape(1, -1, 1, 1),
            None if log_scale is None else np.asarray(log_scale, np.float64).reshape(1, -1, 1, 1))


def sar_intensity(sar: Any, stats: Any = None, *, sar_input: str = "re_im") -> np.ndarray:
    """VV intensity (linear power) of SAR patches, with the lesson normalisation undone.

    With ``x`` the normalised value, ``c``, ``s`` the fitted centre and scale of its channel:
    ``standard`` and ``robust`` give the raw value ``u = s x + c``; ``signed_log`` gives
    ``u = sign(v) l (exp|v| - 1)`` with ``v = s x + c`` and ``l`` the fitted log scale. Then
    ``I = u_re^2 + u_im^2`` (``sar_input="re_im"``), or ``I = 10^(u_0 / 10)`` when channel 0 holds
    VV intensity in dB (``"db_smooth"``, ``"db_lee"``; that is the intensity plus its -40 dB
    floor).

    Args:
        sar: float ``(N, 2, H, W)``: the methods' SAR input (``LessonData.train.sar``).
        stats: the :class:`swdkit.data.NormStats` it was normalised with
            (``LessonData.stats``) or its ``to_dict()``; None = ``sar`` holds raw values.
        sar_input: what ``sar`` holds (``LessonData.sar_input``): ``"re_im"``, ``"db_smooth"``
            or ``"db_lee"``.

    Returns:
        float64 ``(N, H, W)``, >= 0.

    Raises:
        TypeError: ``sar`` is not a numeric array, ``stats`` not NormStats, a dict or None.
        ValueError: ``sar`` not ``(N, 2, H, W)``, an unknown ``sar_input`` or ``sar_norm``.
    """
    check_choice("sar_input", sar_input, INVERTIBLE_INPUTS)
    x = np.asarray(sar)
    if x.dtype.kind not in "fiu":
        raise TypeError(f"sar must be a numeric array (N, 2, H, W), got dtype {x.dtype}")
    if x.ndim != 4 or x.shape[1] != 2:
        raise ValueError(f"sar must be (N, 2, H, W) (VV real, imaginary), got shape {x.shape}")
    u = x.astype(np.float64)
    if stats is not None:
        norm, center, scale, log_scale = _stats_fields(stats)
        check_choice("stats.sar_norm", norm, ("standard", "signed_log", "robust"))
        u = u * scale + center
        if norm == "signed_log":
            u = np.sign(u) * log_scale * np.expm1(np.abs(u))
    if sar_input in ("db_smooth", "db_lee"):
        return 10.0 ** (u[:, 0] / 10.0)
    return u[:, 0] ** 2 + u[:, 1] ** 2


def _check_intensity(intensity: Any) -> np.ndarray:
    i = np.asarray(intensity)
    if i.dtype.kind not in "fiu":
        raise TypeError(f"intensity must be a numeric array (N, H, W), got dtype {i.dtype}")
    if i.ndim != 3 or i.shape[1] == 0 or i.shape[2] == 0:
        raise ValueError(f"intensity must be (N, H, W) with H, W >= 1, got shape {i.shape}")
    if not np.all(np.isfinite(i)) or i.min(initial=0.0) < 0:
        raise ValueError("intensity must hold finite values >= 0 (power, re^2 + im^2); "
                         "compute it with sar_intensity()")
    return i.astype(np.float64)


def window_cv(intensity: Any, window: int) -> np.ndarray:
    """Mean over non-overlapping ``window x window`` blocks of ``std / mean`` (population std).

    A block of zeros counts as 0. ``H`` and ``W`` must be multiples of ``window``.

    Returns:
        float64 ``(N,)``.
    """
    i = _check_intensity(intensity)
    n, h, w = i.shape
    window = check_value("window", window, "positive integer")
    if h % window or w % window:
        raise ValueError(f"window must divide the patch size {h} x {w}; got {window}")
    blocks = i.reshape(n, h // window, window, w // window, window)
    mean = blocks.mean(axis=(2, 4))
    std = blocks.std(axis=(2, 4))
    cv = np.divide(std, mean, out=np.zeros_like(std), where=mean > 0)
    return cv.mean(axis=(1, 2))


def bright_fraction(intensity: Any, factor: float = BRIGHT_FACTOR) -> np.ndarray:
    """Fraction of pixels brighter than ``factor`` times the patch mean: float64 ``(N,)``."""
    factor = check_value("factor", factor, "number > 0")
    i = _check_intensity(intensity)
    mean = i.mean(axis=(1, 2), keepdims=True)
    return (i > factor * mean).mean(axis=(1, 2))


def log_mean_ratio(intensity: Any) -> np.ndarray:
    """``ln mean(I) - mean(ln I)`` per patch (logs of ``I + INTENSITY_FLOOR``): ``(N,)``."""
    i = _check_intensity(intensity)
    return (np.log(i.mean(axis=(1, 2)) + INTENSITY_FLOOR)
            - np.log(i + INTENSITY_FLOOR).mean(axis=(1, 2)))


def equal_probability_levels(intensity: Any, levels: int = GLCM_LEVELS) -> np.ndarray:
    """Grey levels ``floor(levels * r / n)`` from the rank ``r`` of each pixel in its patch.

    ``r`` counts the patch's pixels below this one (ties share the lowest rank), ``n`` the
    pixels of a patch; every level holds about ``n / levels`` pixels.

    Returns:
        int64 ``(N, H, W)`` in ``0 .. levels - 1``.
    """
    levels = check_value("levels", levels, "positive integer")
    i = _check_intensity(intensity)
    n_img, h, w = i.shape
    flat = i.reshape(n_img, h * w)
    order = np.argsort(flat, axis=1, kind="stable")
    ordered = np.take_along_axis(flat, order, axis=1)
    starts = np.ones(ordered.shape, dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    first = np.maximum.accumulate(np.where(starts, np.arange(h * w), 0), axis=1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, first, axis=1)
    return (levels * ranks // (h * w)).reshape(n_img, h, w)


def glcm_contrast(intensity: Any, levels: int = GLCM_LEVELS) -> np.ndarray:
    """GLCM contrast at offsets (0, 1) and (1, 0), averaged, of equal-probability levels.

    ``sum_ij (i - j)^2 P(i, j)`` with ``P`` the normalised co-occurrence matrix of one offset is
    the mean of ``(g(p) - g(q))^2`` over the pixel pairs ``(p, q)`` of that offset, which is how
    it is computed here (no matrix is built). Patches must be at least 2 x 2.

    Returns:
        float64 ``(N,)``.
    """
    g = equal_probability_levels(intensity, levels).astype(np.float64)
    if min(g.shape[1:]) < 2:
        raise ValueError(f"intensity patches must be at least 2 x 2 for a co-occurrence "
                         f"contrast, got {g.shape[1]} x {g.shape[2]}")
    across = ((g[:, :, 1:] - g[:, :, :-1]) ** 2).mean(axis=(1, 2))
    down = ((g[:, 1:, :] - g[:, :-1, :]) ** 2).mean(axis=(1, 2))
    return (across + down) / 2.0


def texture_statistics(intensity: Any) -> np.ndarray:
    """The statistics of :data:`FEATURE_NAMES` (module docstring) of intensity patches.

    Args:
        intensity: float ``(N, H, W)`` VV intensity, linear (from :func:`sar_intensity`);
            ``H`` and ``W`` multiples of 8.

    Returns:
        float64 ``(N, F)``, ``F = len(FEATURE_NAMES)``, columns in that order.
    """
    i = _check_intensity(intensity)
    mean = i.mean(axis=(1, 2))
    db = 10.0 * np.log10(i + INTENSITY_FLOOR)
    columns = [10.0 * np.log10(mean + INTENSITY_FLOOR)]
    columns += [window_cv(i, w) for w in CV_WINDOWS]
    columns.append(bright_fraction(i))
    columns += list(np.quantile(db.reshape(len(i), -1), QUANTILES, axis=1))
    columns.append(log_mean_ratio(i))
    columns.append(np.log(i + INTENSITY_FLOOR).var(axis=(1, 2)))
    columns.append(glcm_contrast(i))
    return np.stack(columns, axis=1)


def sar_texture_features(sar: Any, stats: Any = None, *, sar_input: str = "re_im") -> np.ndarray:
    """:func:`texture_statistics` of :func:`sar_intensity` (arguments as there): ``(N, F)``."""
    return texture_statistics(sar_intensity(sar, stats, sar_input=sar_input))
