"""How the radar is shown to the SAR encoder: the paper's complex values, or intensity in dB.

The seed paper feeds the encoder the real and imaginary parts of the unfiltered VV channel
(``"re_im"``). Those two numbers carry the class information of a single-look radar return only
through their local power: the absolute phase is random (speckle), so a small CNN has to learn
to square, sum and average before it sees anything, and a few bright points dominate the raw
values. The usual remedy in SAR image classification is to work with intensity in decibels,
whose speckle is additive and of fixed variance (for single-look intensity ``I = x v``, with ``v``
exponential, ``10 log10 I = 10 log10 x + 10 log10 v``: an offset and a noise of constant spread,
5.6 dB) and whose tail is compressed (Oliver and Quegan, *Understanding Synthetic Aperture Radar
Images*, 1998, ch. 4).

``SAR_INPUTS`` (every one keeps two channels, so the encoder is the same; ``DEFAULT_SAR_INPUT``
is the one chosen on the validation cities):

- ``"re_im"``: VV real and imaginary parts as stored (the paper's input).
- ``"db_smooth"``: channel 0 the VV intensity in dB, ``10 log10(re^2 + im^2 + floor)``; channel 1
  the dB of the intensity averaged over a 5 x 5 window (a boxcar multilook of 25 looks: the local
  backscatter level with most of the speckle removed, as a Lee or boxcar filter gives).
  ``floor`` is 10^-4 (-40 dB, well below the Sentinel-1 noise floor of about -24 dB), so a zero
  value stays finite.
- ``"db_lee"``: channel 0 as in ``"db_smooth"``; channel 1 the dB of the Lee-filtered VV
  intensity, ``10 log10(m + b (I - m) + floor)`` with ``m`` the 5 x 5 mean of ``I`` and Lee's
  weight ``b = clip(var_x / var_I, 0, 1)``, ``var_x = (var_I - m^2 / L) / (1 + 1 / L)`` from the
  5 x 5 variance ``var_I`` and ``L = 1`` look (:func:`swdkit.data.synthetic._lee.lee_weight`, the
  filter the generator uses for So2Sat's Lee channels). Where the window is flat (``var_I``
  near the speckle's ``m^2 / L``) it is the 5 x 5 average; at an edge or a bright point
  (``var_I`` well above it) it keeps part of the pixel's departure from the mean, at most
  ``1 / (1 + 1 / L)``, half for one look (a lone bright point: about -3 dB, where the average
  takes about -14 dB off it). The real So2Sat files hold a Lee-filtered VV intensity too
  (``sen1`` channel 5), made with settings the data set does not state; this input filters the
  unfiltered VV channels the lessons read, so it is made the same way from the real and the
  synthetic files.

The transform is applied to the raw values before normalisation (the normalisation statistics
are then fitted on the transformed training split).
"""

from __future__ import annotations

import numpy as np

from swdkit._checks import check_choice

SAR_INPUTS = ("re_im", "db_smooth", "db_lee")
# Chosen on the validation cities (experiments/ablation.yml, benchmarks/README.md "Transfer"):
# with batch norm, SAR-only at 32 labels 49 % validation accuracy on db_smooth against 32 % on
# re_im, and 67 % against 44 % with all labels (lowrise, five seeds); db_lee was not better
# (benchmarks/README.md, "Representation x normalisation x capacity"). The paper's input is "re_im".
DEFAULT_SAR_INPUT = "db_smooth"
DB_FLOOR = 1e-4
SMOOTH_WINDOW = 5


def sar_representation(sar: np.ndarray,
                       sar_input: str = DEFAULT_SAR_INPUT) -> np.ndarray:
    """The encoder's SAR input from raw VV real and imaginary parts.

    Args:
        sar: float ``(N, 2, H, W)``: VV real, VV imaginary (as :func:`swdkit.data.load_split`
            returns them, before any normalisation).
        sar_input: one of :data:`SAR_INPUTS` (module docstring).

    Returns:
        float32 ``(N, 2, H, W)``.
    """
    check_choice("sar_input", sar_input, SAR_INPUTS)
    sar = np.asarray(sar)
    if sar.ndim != 4 or sar.shape[1] != 2:
        raise ValueError(f"sar must be (N, 2, H, W) VV real and imaginary parts; got shape "
                         f"{sar.shape}. Pass Split.sar as load_split returns it")
    if sar_input == "re_im":
        return sar.astype(np.float32, copy=False)
    intensity = sar[:, 0].astype(np.float64) ** 2 + sar[:, 1].astype(np.float64) ** 2
    level = 10.0 * np.log10(intensity + DB_FLOOR)
    filtered = _filtered(intensity, lee=sar_input == "db_lee")
    return np.stack([level, 10.0 * np.log10(filtered + DB_FLOOR)], axis=1).astype(np.float32)


def _filtered(intensity: np.ndarray, *, lee: bool) -> np.ndarray:
    """The ``SMOOTH_WINDOW`` x ``SMOOTH_WINDOW`` mean ``m`` of ``intensity (N, H, W)``, or with
    ``lee`` Lee's single-look estimate ``m + b (I - m)`` (module docstring); float64. The
    generator's filter code, imported here so that ``import swdkit.data`` does not load it."""
    from swdkit.data.synthetic._lee import box_mean, lee_weight

    mean = box_mean(intensity, SMOOTH_WINDOW)
    if not lee:
        return mean
    return mean + lee_weight(intensity, SMOOTH_WINDOW, looks=1.0) * (intensity - mean)
