"""What the data lesson shows of a sample: SAR amplitude in dB and phase, EO in true colour.

The SAR input is Sentinel-1's unfiltered VV channel as a complex number z = a + i b per pixel
(channel 0 real part a, channel 1 imaginary part b). It is shown as

    amplitude in decibels   A_dB = 20 log10 |z| = 10 log10 (a^2 + b^2)
    phase                   phi  = atan2(b, a) in (-pi, pi]

(the same as ``20 * np.log10(np.abs(z))`` and ``np.angle(z)``); :func:`sar_amplitude_db` is the
one SAR display of the views. EO is Sentinel-2 B4, B3, B2, i.e. red, green, blue, shown as a
true-colour image after a percentile stretch: the values at the lower and upper percentiles map
to 0 and 1, those outside are clipped. Display choices only; nothing here changes the data a
model sees. Reference for the data: Zhu et al., "So2Sat LCZ42", IEEE GRSM 8(3), 2020.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from swdkit._checks import is_real

AMPLITUDE_FLOOR = 1e-6  # |z| below this is shown as 20 log10(1e-6) = -120 dB, not -inf
DEFAULT_PERCENTILES = (2.0, 98.0)


def check_channels(name: str, x: Any, channels: int, meaning: str) -> np.ndarray:
    """``x`` as an array if it has shape ``(..., channels, H, W)``; else ValueError naming
    ``meaning`` (what the channels hold)."""
    arr = np.asarray(x)
    if arr.ndim < 3 or arr.shape[-3] != channels:
        raise ValueError(f"{name} must have shape (..., {channels}, H, W) ({meaning}); got shape "
                         f"{arr.shape}. Pass Split.{name} or one sample of it.")
    return arr


def sar_amplitude_db(sar: Any) -> np.ndarray:
    """Amplitude of the complex VV channel in decibels, 20 log10 |a + i b|.

    Args:
        sar: ``(..., 2, H, W)`` VV real part a (channel 0) and imaginary part b (channel 1),
            raw (not normalised) values.

    Returns:
        float64 ``(..., H, W)``; |z| is floored at :data:`AMPLITUDE_FLOOR` so a zero pixel
        gives -120 dB instead of -inf.
    """
    x = check_channels("sar", sar, 2, "VV real, VV imaginary").astype(np.float64)
    amplitude = np.hypot(x[..., 0, :, :], x[..., 1, :, :])
    return 20.0 * np.log10(np.maximum(amplitude, AMPLITUDE_FLOOR))


def sar_phase(sar: Any) -> np.ndarray:
    """Phase of the complex VV channel, atan2(b, a) in (-pi, pi] (``np.angle`` of a + i b).

    Args:
        sar: ``(..., 2, H, W)`` VV real part a (channel 0) and imaginary part b (channel 1).

    Returns:
        float64 ``(..., H, W)`` in radians.
    """
    x = check_channels("sar", sar, 2, "VV real, VV imaginary").astype(np.float64)
    return np.arctan2(x[..., 1, :, :], x[..., 0, :, :])


def stretch_limits(values: Any, percentiles: Sequence[float] = DEFAULT_PERCENTILES
                   ) -> tuple[float, float]:
    """The values at two percentiles of ``values`` (finite values only), for a display stretch.

    Raises:
        TypeError: a percentile is not a number.
        ValueError: percentiles not two increasing numbers in [0, 100], or no finite value.
    """
    if not all(is_real(v) for v in percentiles):
        raise TypeError(f"percentiles must be two numbers, e.g. (2, 98); got {percentiles!r}")
    p = [float(v) for v in percentiles]
    if len(p) != 2 or not 0.0 <= p[0] < p[1] <= 100.0:
        raise ValueError(f"percentiles must be two increasing numbers in [0, 100], e.g. (2, 98); "
                         f"got {tuple(percentiles)}")
    x = np.asarray(values, dtype=np.float64)
    x = x[np.isfinite(x)]
    if x.size == 0:
        raise ValueError("values hold no finite number to compute a display stretch from")
    lo, hi = np.percentile(x, p)
    return float(lo), float(hi)


def stretch(values: Any, limits: tuple[float, float]) -> np.ndarray:
    """Map ``limits = (lo, hi)`` to 0 and 1 linearly and clip to [0, 1]: clip((x-lo)/(hi-lo)).

    A degenerate range (hi <= lo) maps values at or below lo to 0 and above it to 1.
    """
    lo, hi = float(limits[0]), float(limits[1])
    x = np.asarray(values, dtype=np.float64)
    if hi <= lo:
        return (x > lo).astype(np.float64)
    return np.clip((x - lo) / (hi - lo), 0.0, 1.0)


def rgb_image(eo: Any, *, percentiles: Sequence[float] = DEFAULT_PERCENTILES,
              limits: tuple[float, float] | None = None) -> np.ndarray:
    """True-colour display of EO patches: channels last, one stretch shared by R, G and B.

    Sharing the stretch across the three bands (rather than one per band) keeps the colour
    balance: green vegetation stays green and grey roofs stay grey.

    Args:
        eo: ``(..., 3, H, W)`` Sentinel-2 B4, B3, B2 (red, green, blue).
        percentiles: used when ``limits`` is None, over all values given.
        limits: ``(lo, hi)`` to use instead, e.g. the same for several images.

    Returns:
        float64 ``(..., H, W, 3)`` in [0, 1], ready for ``imshow``.
    """
    x = check_channels("eo", eo, 3, "B4 red, B3 green, B2 blue")
    if limits is None:
        limits = stretch_limits(x, percentiles)
    return np.moveaxis(stretch(x, limits), -3, -1)
