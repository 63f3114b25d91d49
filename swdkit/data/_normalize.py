"""Input normalisation, fitted on the training split only and applied to every split.

Statistics are computed per channel over every pixel of every training sample, in float64.

EO (Sentinel-2 RGB reflectance), per-channel standardisation:
    x' = (x - mean_c) / std_c.

SAR (Sentinel-1 VV real and imaginary parts, zero-mean and heavy-tailed), one of:

- ``"standard"``: x' = (x - mean_c) / std_c, as for EO.
- ``"signed_log"``: u = sign(x) * log(1 + |x| / s_c) with s_c the training median of |x|
  (the knee of the log sits at a typical amplitude), then u' = (u - mean_c(u)) / std_c(u).
  The sign, hence the phase quadrant, is kept; the tail is compressed.
- ``"robust"``: x' = clip((x - median_c) / h_c, -ROBUST_CLIP, ROBUST_CLIP) with
  h_c = (P99_c - P1_c) / 2, so the central 98% of training values land in [-1, 1] and
  outliers no longer set the scale.

Why it matters: the sliced Wasserstein distance compares embedding distributions, and the seed
paper reports that SWD transfer is sensitive to the input scale; wrong statistics silently ruin
training (torchgeo issue 4051 is a known case). A channel whose training values are all equal
gets scale 1 (a warning says which), rather than a division by zero.

Values that cannot be measurements are refused, not clipped: NaN, +-inf, and magnitudes
beyond :data:`SAR_LIMIT` (SAR) or :data:`EO_LIMIT` (EO). One such value (a damaged file's
3e38, say) would otherwise set the mean and standard deviation of its channel and squash every
real value of every split to about 0. The error gives their count per channel and the first
positions (sample, channel, row, column) and says what to do; clipping them instead would hide
a damaged file behind plausible numbers. The limits sit far above real data: So2Sat's
Lee-filtered VV intensity has mean 0.26 and standard deviation 8.3, which bounds its largest
value to about 1.6e5 (a single larger one would alone raise the standard deviation above 8.3),
i.e. amplitudes of a few hundred; bright point scatterers of +20 to +35 dB (linear intensity up
to a few thousand) have amplitudes up to about 60; an amplitude of 1e4 is an intensity of
+80 dB, brighter than any natural or man-made target. Sentinel-2 values are reflectance / 10000
(0 to about 1.5); 1e5 is above even raw digital numbers (at most 65535). ``load_split``
replaces NaN and +-inf by 0 (and counts them) when it reads a file, so what reaches this module
from a file can only be refused for magnitude.

The statistics (:class:`NormStats`) are plain data: ``to_dict`` / ``from_dict`` round-trip
through JSON, ``save`` / ``load`` write and read a JSON file atomically, and ``str(stats)``
prints a table.
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

SAR_NORMS = ("standard", "signed_log", "robust")
SAR_LIMIT = 1e4  # largest |SAR real or imaginary part| taken for a measurement (+80 dB)
EO_LIMIT = 1e5  # largest |EO value| taken for a measurement (above raw Sentinel-2 numbers)
ROBUST_PERCENTILES = (1.0, 99.0)
ROBUST_CLIP = 3.0
EO_NAMES = ("B4 red", "B3 green", "B2 blue")
SAR_NAMES = ("VV real", "VV imaginary")
_TINY = 1e-12


@dataclass(frozen=True)
class NormStats:
    """Per-channel normalisation statistics, fitted on a training split.

    Attributes:
        eo_mean, eo_std: 3 values each (B4, B3, B2).
        sar_norm: ``"standard"``, ``"signed_log"`` or ``"robust"``.
        sar_center, sar_scale: 2 values each (VV real, VV imaginary): mean and std for
            ``standard`` and (of the log values) ``signed_log``; median and half the P1-P99
            range for ``robust``.
        sar_log_scale: 2 values (the median |x|) for ``signed_log``, else None.
        sar_clip: the clip bound for ``robust``, else None.
        n_train: number of training samples the statistics were fitted on.
    """

    eo_mean: tuple[float, ...]
    eo_std: tuple[float, ...]
    sar_norm: str
    sar_center: tuple[float, ...]
    sar_scale: tuple[float, ...]
    sar_log_scale: tuple[float, ...] | None = None
    sar_clip: float | None = None
    n_train: int = 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (lists and numbers)."""
        return {"eo_mean": list(self.eo_mean), "eo_std": list(self.eo_std),
                "sar_norm": self.sar_norm, "sar_center": list(self.sar_center),
                "sar_scale": list(self.sar_scale),
                "sar_log_scale": None if self.sar_log_scale is None else list(self.sar_log_scale),
                "sar_clip": self.sar_clip, "n_train": self.n_train}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> NormStats:
        """Rebuild from :meth:`to_dict` output, checking names and lengths.

        Raises:
            ValueError: a missing key, an unknown ``sar_norm``, or a wrong number of values.
        """
        required = ("eo_mean", "eo_std", "sar_norm", "sar_center", "sar_scale")
        missing = [k for k in required if k not in d]
        if missing:
            raise ValueError(f"normalisation statistics lack keys {missing}; expected the output "
                             f"of NormStats.to_dict() with keys {list(required)}")
        if d["sar_norm"] not in SAR_NORMS:
            raise ValueError(f"sar_norm={d['sar_norm']!r} is unknown; choose one of {SAR_NORMS}")
        lengths = {"eo_mean": 3, "eo_std": 3, "sar_center": 2, "sar_scale": 2}
        if d["sar_norm"] == "signed_log":
            lengths["sar_log_scale"] = 2
        for key, n in lengths.items():
            if d.get(key) is None or len(d[key]) != n:
                raise ValueError(f"normalisation statistic {key!r} must hold {n} values, got "
                                 f"{d.get(key)!r}")
        log_scale = d.get("sar_log_scale")
        return cls(eo_mean=_floats(d["eo_mean"]), eo_std=_floats(d["eo_std"]),
                   sar_norm=d["sar_norm"], sar_center=_floats(d["sar_center"]),
                   sar_scale=_floats(d["sar_scale"]),
                   sar_log_scale=None if log_scale is None else _floats(log_scale),
                   sar_clip=None if d.get("sar_clip") is None else float(d["sar_clip"]),
                   n_train=int(d.get("n_train", 0)))

    def save(self, path: str | os.PathLike) -> Path:
        """Write the statistics as JSON (atomically) and return the path."""
        from swdkit.fileio import write_json_atomic

        return write_json_atomic(path, self.to_dict())

    @classmethod
    def load(cls, path: str | os.PathLike) -> NormStats:
        """Read statistics written by :meth:`save`."""
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    def __str__(self) -> str:
        center, scale = ("median", "half P1-P99") if self.sar_norm == "robust" else ("mean", "std")
        lines = [f"normalisation fitted on {self.n_train} training samples",
                 f"{'channel':<18}{'center':>12}{'scale':>12}"]
        for name, m, s in zip(EO_NAMES, self.eo_mean, self.eo_std, strict=True):
            lines.append(f"{'EO ' + name:<18}{m:>12.5g}{s:>12.5g}   mean / std")
        for i, name in enumerate(SAR_NAMES):
            note = f"{center} / {scale}"
            if self.sar_log_scale is not None:
                note += f" of sign(x) log(1 + |x| / {self.sar_log_scale[i]:.4g})"
            lines.append(f"{'SAR ' + name:<18}{self.sar_center[i]:>12.5g}"
                         f"{self.sar_scale[i]:>12.5g}   {note}")
        if self.sar_clip is not None:
            lines.append(f"SAR clipped to [-{self.sar_clip:g}, {self.sar_clip:g}] after scaling")
        return "\n".join(lines)


def _floats(values: Any) -> tuple[float, ...]:
    """Plain Python floats, for JSON."""
    return tuple(float(v) for v in values)


def _channel_values(x: np.ndarray) -> np.ndarray:
    """(N, C, H, W) -> (C, N*H*W) float64 view of each channel's values."""
    return np.asarray(x, dtype=np.float64).transpose(1, 0, 2, 3).reshape(x.shape[1], -1)


def check_measurements(x: np.ndarray, names: tuple[str, ...], limit: float, what: str) -> None:
    """Refuse values of ``x`` (N, C, H, W) that cannot be measurements: NaN, inf, |x| > limit.

    Args:
        x: the images; channel ``c`` is named ``names[c]``.
        limit: the largest magnitude accepted (:data:`SAR_LIMIT` or :data:`EO_LIMIT`).
        what: what ``x`` is, for the message (``"SAR of the training split"``).

    Raises:
        ValueError: how many such values each channel holds, the first positions as (sample,
            channel, row, column) with their values, and what to do.
    """
    x = np.asarray(x)
    if x.size == 0 or (-limit <= x.min() and x.max() <= limit):  # NaN fails both tests
        return
    bad = ~(np.abs(x) <= limit)
    counts = {names[c]: int(n) for c, n in enumerate(bad.sum(axis=(0, 2, 3))) if n}
    n_bad = sum(counts.values())
    first = ", ".join(f"(sample {i}, {names[c]}, row {r}, column {k}) = {x[i, c, r, k]:.4g}"
                      for i, c, r, k in np.argwhere(bad)[:3])
    raise ValueError(
        f"{what} holds {n_bad} value{'s' * (n_bad > 1)} that cannot be measurements (NaN, "
        f"infinite, or beyond +-{limit:g}), per channel {counts}; first at {first}. They would "
        f"set the normalisation statistics and squash every real value, so nothing was "
        f"normalised. The file is probably damaged or holds other units: check it with "
        f"`swdkit data verify FILE` and fetch or make it again; or set them to 0 (as "
        f"load_split does with NaN) and fit again, e.g. x[~(np.abs(x) <= {limit:g})] = 0")


def _safe_scale(scale: np.ndarray, names: tuple[str, ...], what: str) -> np.ndarray:
    """``scale`` (C,) with 1 wherever it is below ``_TINY`` (a constant channel), warning."""
    flat = scale < _TINY
    if flat.any():
        warnings.warn(f"the training {what} of channels {[names[i] for i in np.flatnonzero(flat)]}"
                      " is 0 (a constant channel?); using 1 instead", stacklevel=3)
    return np.where(flat, 1.0, scale)


def _signed_log(x: np.ndarray, log_scale: np.ndarray) -> np.ndarray:
    """``sign(x) * log(1 + |x| / s_c)`` of x (N, C, H, W), with s_c = ``log_scale`` (C,)."""
    s = log_scale.reshape(1, -1, 1, 1)
    return np.sign(x) * np.log1p(np.abs(x) / s)


def fit_normalization(train: Any, *, sar_norm: str = "standard",
                      name: str = "the training split") -> NormStats:
    """Fit per-channel statistics on a training split (in float64).

    Args:
        train: a :class:`swdkit.data.Split` (only ``eo`` (N, 3, 32, 32) and ``sar``
            (N, 2, 32, 32) are used); never the validation or test split.
        sar_norm: ``"standard"``, ``"signed_log"`` or ``"robust"`` (see the module docstring).
        name: what ``train`` is, for error messages.

    Returns:
        The :class:`NormStats`.

    Raises:
        ValueError: an unknown ``sar_norm``, an empty split, or values that cannot be
            measurements (:func:`check_measurements`: non-finite or beyond the limits).
    """
    if sar_norm not in SAR_NORMS:
        raise ValueError(f"sar_norm={sar_norm!r} is unknown; choose one of {SAR_NORMS}")
    if len(train.eo) == 0:
        raise ValueError("cannot fit normalisation statistics on an empty training split; "
                         "load one that holds samples (check its classes and max_samples)")
    check_measurements(train.eo, EO_NAMES, EO_LIMIT, f"the EO of {name}")
    check_measurements(train.sar, SAR_NAMES, SAR_LIMIT, f"the SAR of {name}")
    eo = _channel_values(train.eo)
    sar = _channel_values(train.sar)
    eo_std = _safe_scale(eo.std(axis=1), EO_NAMES, "EO std")
    log_scale, clip = None, None
    if sar_norm == "standard":
        center, scale = sar.mean(axis=1), sar.std(axis=1)
    elif sar_norm == "signed_log":
        log_scale = _safe_scale(np.median(np.abs(sar), axis=1), SAR_NAMES, "SAR median |x|")
        u = np.sign(sar) * np.log1p(np.abs(sar) / log_scale[:, None])
        center, scale = u.mean(axis=1), u.std(axis=1)
    else:
        lo, hi = np.percentile(sar, ROBUST_PERCENTILES, axis=1)
        center, scale, clip = np.median(sar, axis=1), (hi - lo) / 2.0, ROBUST_CLIP
    scale = _safe_scale(scale, SAR_NAMES, "SAR scale")
    return NormStats(eo_mean=_floats(eo.mean(axis=1)), eo_std=_floats(eo_std), sar_norm=sar_norm,
                     sar_center=_floats(center), sar_scale=_floats(scale),
                     sar_log_scale=None if log_scale is None else _floats(log_scale),
                     sar_clip=clip, n_train=len(train.eo))


def normalize_eo(eo: np.ndarray, stats: NormStats, *, what: str = "the EO input") -> np.ndarray:
    """Standardise EO (N, 3, H, W) per channel; float32 result.

    Raises:
        ValueError: values that cannot be measurements (:func:`check_measurements`), named
            as ``what``.
    """
    check_measurements(eo, EO_NAMES, EO_LIMIT, what)
    mean = np.asarray(stats.eo_mean).reshape(1, -1, 1, 1)
    std = np.asarray(stats.eo_std).reshape(1, -1, 1, 1)
    return ((np.asarray(eo, dtype=np.float64) - mean) / std).astype(np.float32)


def normalize_sar(sar: np.ndarray, stats: NormStats, *,
                  what: str = "the SAR input") -> np.ndarray:
    """Apply the fitted SAR scaling to (N, 2, H, W); float32 result.

    Raises:
        ValueError: values that cannot be measurements (:func:`check_measurements`), named
            as ``what``.
    """
    check_measurements(sar, SAR_NAMES, SAR_LIMIT, what)
    x = np.asarray(sar, dtype=np.float64)
    if stats.sar_norm == "signed_log":
        x = _signed_log(x, np.asarray(stats.sar_log_scale))
    center = np.asarray(stats.sar_center).reshape(1, -1, 1, 1)
    scale = np.asarray(stats.sar_scale).reshape(1, -1, 1, 1)
    x = (x - center) / scale
    if stats.sar_clip is not None:
        x = np.clip(x, -stats.sar_clip, stats.sar_clip)
    return x.astype(np.float32)


def normalize_split(split: Any, stats: NormStats, *, name: str = "the split") -> Any:
    """A copy of ``split`` (a :class:`swdkit.data.Split`) with EO and SAR normalised.

    Raises:
        ValueError: values that cannot be measurements, named with ``name``.
    """
    return replace(split, eo=normalize_eo(split.eo, stats, what=f"the EO of {name}"),
                   sar=normalize_sar(split.sar, stats, what=f"the SAR of {name}"))
