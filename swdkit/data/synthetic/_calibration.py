"""How close the synthetic set is to the real So2Sat LCZ42: per-channel statistics side by side.

Reference values: the per-channel means and standard deviations of the So2Sat LCZ42 version-2
training set (352,366 patches; Zhu et al., IEEE GRSM 8(3), 2020) that torchgeo publishes for
normalisation (``torchgeo/datamodules/so2sat.py``, ``So2SatDataModule`` band means and
standard deviations, Sentinel-1 channels 0-7 then Sentinel-2 B2 ... B12), rounded here to four
significant digits. Upper quantiles of the real channels are not published, so quantiles are
shown for the synthetic set alone.

The calibration target (what :mod:`swdkit.data.synthetic._scatterers` and the optical gain of
:mod:`swdkit.data.synthetic._cities` were set to meet): every channel's standard deviation within
a factor ``STD_FACTOR`` of the real one, and its mean within ``MEAN_SHARE`` of the real one, or
within ``NEAR_ZERO`` in absolute terms where the real mean is that close to zero (the complex and
covariance channels). The synthetic set is class-balanced while the real training set is not;
the comparison is of the sets as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CHANNELS = (
    "S1 VH real", "S1 VH imaginary", "S1 VV real", "S1 VV imaginary",
    "S1 Lee VH intensity", "S1 Lee VV intensity", "S1 Lee covariance real",
    "S1 Lee covariance imaginary",
    "S2 B2", "S2 B3", "S2 B4", "S2 B5", "S2 B6", "S2 B7", "S2 B8", "S2 B8A", "S2 B11", "S2 B12",
)
REAL_MEAN = (
    -3.591e-05, -7.659e-06, 5.937e-05, 2.517e-05, 0.04420, 0.2576, 7.557e-04, 1.350e-03,
    0.1238, 0.1093, 0.1011, 0.1142, 0.1593, 0.1815, 0.1746, 0.1950, 0.1543, 0.1091,
)
REAL_STD = (
    0.1756, 0.1756, 0.4600, 0.4560, 2.856, 8.325, 2.450, 1.465,
    0.03959, 0.04778, 0.06637, 0.06359, 0.07744, 0.09102, 0.09218, 0.1016, 0.09992, 0.08781,
)
STD_FACTOR = 1.5
MEAN_SHARE = 0.20
NEAR_ZERO = 0.01


@dataclass(frozen=True)
class ChannelStat:
    """One channel of the synthetic set beside the real one.

    Attributes:
        name: e.g. ``"S1 Lee VV intensity"``.
        mean, std: over every pixel of the samples measured.
        q99, q999, maximum: upper quantiles (0.99, 0.999) and the largest value.
        real_mean, real_std: the published values of the real training set.
    """

    name: str
    mean: float
    std: float
    q99: float
    q999: float
    maximum: float
    real_mean: float
    real_std: float

    @property
    def std_ratio(self) -> float:
        """Synthetic standard deviation over the real one."""
        return self.std / self.real_std

    @property
    def std_ok(self) -> bool:
        """Within a factor :data:`STD_FACTOR` either way."""
        return 1 / STD_FACTOR <= self.std_ratio <= STD_FACTOR

    @property
    def mean_ok(self) -> bool:
        """Within :data:`MEAN_SHARE` of the real mean, or :data:`NEAR_ZERO` of it near zero."""
        if abs(self.real_mean) < NEAR_ZERO:
            return abs(self.mean - self.real_mean) <= NEAR_ZERO
        return abs(self.mean / self.real_mean - 1) <= MEAN_SHARE


def channel_statistics(sen1: np.ndarray, sen2: np.ndarray, *,
                       stride: int = 1) -> list[ChannelStat]:
    """Per-channel statistics of So2Sat-layout arrays, in :data:`CHANNELS` order.

    Args:
        sen1: ``(N, 32, 32, 8)`` Sentinel-1 channels (So2Sat's ``sen1``).
        sen2: ``(N, 32, 32, 10)`` Sentinel-2 bands (So2Sat's ``sen2``).
        stride: use every ``stride``-th sample (the issue's measurement used every 4th).

    Returns:
        One :class:`ChannelStat` per channel (18), computed in float64 one channel at a time.
    """
    sen1, sen2 = np.asarray(sen1), np.asarray(sen2)
    if sen1.ndim != 4 or sen1.shape[-1] != 8 or sen2.ndim != 4 or sen2.shape[-1] != 10 \
            or len(sen1) != len(sen2) or len(sen1) == 0:
        raise ValueError(f"sen1 must be (N, H, W, 8) and sen2 (N, H, W, 10) with the same N >= 1; "
                         f"got {sen1.shape} and {sen2.shape}. Pass the arrays of one split "
                         "(e.g. generate_split(...)['sen1'], ['sen2'])")
    stats = []
    for k, name in enumerate(CHANNELS):
        source, c = (sen1, k) if k < 8 else (sen2, k - 8)
        x = source[::stride, ..., c].astype(np.float64).ravel()
        q99, q999 = np.quantile(x, [0.99, 0.999])
        stats.append(ChannelStat(name=name, mean=float(x.mean()), std=float(x.std()),
                                 q99=float(q99), q999=float(q999), maximum=float(x.max()),
                                 real_mean=REAL_MEAN[k], real_std=REAL_STD[k]))
    return stats


def bright_share(sen1: np.ndarray, *, factor: float = 10.0, stride: int = 1) -> float:
    """Share of pixels whose VV intensity ``re^2 + im^2`` exceeds ``factor`` times the median
    VV intensity of their own patch (a per-image measure of the bright tail)."""
    vv = np.asarray(sen1)[::stride, ..., 2].astype(np.float64) ** 2 \
        + np.asarray(sen1)[::stride, ..., 3].astype(np.float64) ** 2
    flat = vv.reshape(len(vv), -1)
    median = np.median(flat, axis=1, keepdims=True)
    return float((flat > factor * median).mean())


def calibration_table(stats: list[ChannelStat]) -> str:
    """A markdown table: synthetic beside real, the ratio, and whether each is within target."""
    def mark(ok: bool) -> str:
        return "yes" if ok else "**no**"

    lines = ["| channel | real mean | synthetic mean | mean ok | real std | synthetic std | "
             "std ratio | std ok | q99 | q99.9 | max |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in stats:
        lines.append(f"| {s.name} | {s.real_mean:.4g} | {s.mean:.4g} | {mark(s.mean_ok)} | "
                     f"{s.real_std:.4g} | {s.std:.4g} | {s.std_ratio:.2f} | {mark(s.std_ok)} | "
                     f"{s.q99:.3g} | {s.q999:.3g} | {s.maximum:.3g} |")
    return "\n".join(lines)
