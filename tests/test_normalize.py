"""swdkit.data normalisation: fitted on training only, the three SAR scalings, plain data."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from swdkit.data import Split
from swdkit.data._normalize import (
    EO_LIMIT,
    ROBUST_CLIP,
    SAR_LIMIT,
    SAR_NORMS,
    NormStats,
    fit_normalization,
    normalize_eo,
    normalize_sar,
    normalize_split,
)


def _split(n: int, seed: int, *, eo_shift: float = 0.0, sar_gain: float = 1.0) -> Split:
    rng = np.random.default_rng(seed)
    eo = rng.uniform(0.0, 0.3, (n, 3, 32, 32)) * np.array([1.0, 2.0, 3.0])[None, :, None, None]
    # speckle-like SAR: complex Gaussian field times a heavy-tailed per-sample backscatter
    sar = rng.lognormal(0.0, 1.0, (n, 1, 1, 1)) * rng.standard_normal((n, 2, 32, 32))
    return Split(eo=(eo + eo_shift).astype(np.float32), sar=(sar_gain * sar).astype(np.float32),
                 labels=rng.integers(0, 4, n), class_names=["a", "b", "c", "d"])


def test_statistics_are_the_training_statistics():
    train, val = _split(40, 0), _split(40, 1, eo_shift=2.0, sar_gain=10.0)
    stats = fit_normalization(train, sar_norm="standard")
    eo64, sar64 = train.eo.astype(np.float64), train.sar.astype(np.float64)
    for c in range(3):  # a slow, obvious reference per channel
        values = eo64[:, c].ravel()
        assert stats.eo_mean[c] == pytest.approx(values.sum() / values.size, rel=1e-12)
        assert stats.eo_std[c] == pytest.approx(
            math.sqrt(((values - values.mean()) ** 2).mean()), rel=1e-12)
    np.testing.assert_allclose(stats.sar_center, sar64.mean(axis=(0, 2, 3)), rtol=1e-10)
    np.testing.assert_allclose(stats.sar_scale, sar64.std(axis=(0, 2, 3)), rtol=1e-10)
    assert stats.n_train == 40
    normed_val = normalize_split(val, stats)  # validation uses the training statistics ...
    assert normed_val.eo.mean() > 5 and normed_val.sar.std() > 5  # ... so the shifts show


@pytest.mark.parametrize("sar_norm", SAR_NORMS)
def test_normalised_training_eo_is_standard_and_labels_untouched(sar_norm):
    train = _split(30, 2)
    normed = normalize_split(train, fit_normalization(train, sar_norm=sar_norm))
    np.testing.assert_allclose(normed.eo.mean(axis=(0, 2, 3)), 0.0, atol=1e-5)
    np.testing.assert_allclose(normed.eo.std(axis=(0, 2, 3)), 1.0, atol=1e-5)
    assert normed.eo.dtype == np.float32 and normed.sar.dtype == np.float32
    assert normed.labels is train.labels and normed.class_names == train.class_names
    assert train.eo.max() < 1.0, "the input split is not modified"


def test_standard_sar_is_unit_variance():
    train = _split(30, 3)
    normed = normalize_split(train, fit_normalization(train, sar_norm="standard"))
    np.testing.assert_allclose(normed.sar.mean(axis=(0, 2, 3)), 0.0, atol=1e-5)
    np.testing.assert_allclose(normed.sar.std(axis=(0, 2, 3)), 1.0, atol=1e-5)


def test_signed_log_formula_on_known_values():
    stats = NormStats(eo_mean=(0, 0, 0), eo_std=(1, 1, 1), sar_norm="signed_log",
                      sar_center=(0.0, 0.0), sar_scale=(1.0, 1.0), sar_log_scale=(2.0, 4.0))
    x = np.zeros((1, 2, 32, 32))
    x[0, 0, 0, 0] = 2.0 * (math.e - 1.0)  # log(1 + (e - 1)) = 1
    x[0, 0, 0, 1] = -2.0 * (math.e ** 2 - 1.0)  # sign kept: -2
    x[0, 1, 0, 0] = 4.0 * (math.e ** 3 - 1.0)  # channel 1 has its own scale: 3
    y = normalize_sar(x, stats)
    assert y[0, 0, 0, 0] == pytest.approx(1.0, rel=1e-6)
    assert y[0, 0, 0, 1] == pytest.approx(-2.0, rel=1e-6)
    assert y[0, 1, 0, 0] == pytest.approx(3.0, rel=1e-6)
    assert y[0, 1, 5, 5] == 0.0


def test_signed_log_fit_uses_the_median_amplitude_and_standardises():
    train = _split(30, 4)
    stats = fit_normalization(train, sar_norm="signed_log")
    np.testing.assert_allclose(stats.sar_log_scale,
                               np.median(np.abs(train.sar.astype(np.float64)), axis=(0, 2, 3)),
                               rtol=1e-10)
    normed = normalize_sar(train.sar, stats)
    np.testing.assert_allclose(normed.std(axis=(0, 2, 3)), 1.0, atol=1e-5)
    log_only = NormStats.from_dict({**stats.to_dict(), "sar_center": [0, 0], "sar_scale": [1, 1]})
    np.testing.assert_array_equal(np.sign(normalize_sar(train.sar, log_only)), np.sign(train.sar))


def test_robust_maps_the_central_98_percent_to_unit_range_and_clips():
    train = _split(40, 5)
    stats = fit_normalization(train, sar_norm="robust")
    normed = normalize_sar(train.sar, stats)
    inside = (np.abs(normed) <= 1.0).mean(axis=(0, 2, 3))
    np.testing.assert_allclose(inside, 0.98, atol=0.003)
    assert normed.max() <= ROBUST_CLIP and normed.min() >= -ROBUST_CLIP
    assert (np.abs(normed) == ROBUST_CLIP).any(), "heavy tails reach the clip"
    raw = train.sar.astype(np.float64)
    np.testing.assert_allclose(stats.sar_center, np.median(raw, axis=(0, 2, 3)), rtol=1e-10)


def test_robust_scale_ignores_outliers_that_inflate_the_standard_deviation():
    train = _split(30, 6)
    spoiled = Split(eo=train.eo, sar=train.sar.copy(), labels=train.labels,
                    class_names=train.class_names)
    spoiled.sar[0, :, 0, :4] = 9e3  # bright, but below SAR_LIMIT: taken as measurements
    ratio_std = (fit_normalization(spoiled).sar_scale[0]
                 / fit_normalization(train).sar_scale[0])
    ratio_robust = (fit_normalization(spoiled, sar_norm="robust").sar_scale[0]
                    / fit_normalization(train, sar_norm="robust").sar_scale[0])
    assert ratio_std > 30 and ratio_robust == pytest.approx(1.0, rel=2e-3)


@pytest.mark.parametrize("sar_norm", SAR_NORMS)
def test_statistics_are_plain_data(tmp_path, sar_norm):
    stats = fit_normalization(_split(10, 7), sar_norm=sar_norm)
    text = json.dumps(stats.to_dict())
    again = NormStats.from_dict(json.loads(text))
    assert again == stats
    path = stats.save(tmp_path / "stats" / "norm.json")
    assert NormStats.load(path) == stats
    assert list(tmp_path.joinpath("stats").iterdir()) == [path], "no temporary file left"
    shown = str(stats)
    assert "B4 red" in shown and "VV imaginary" in shown and f"{stats.eo_mean[0]:.5g}" in shown
    x = _split(3, 8).sar
    np.testing.assert_array_equal(normalize_sar(x, again), normalize_sar(x, stats))


def test_from_dict_errors():
    good = fit_normalization(_split(5, 9)).to_dict()
    with pytest.raises(ValueError, match=r"lack keys \['eo_std'\]"):
        NormStats.from_dict({k: v for k, v in good.items() if k != "eo_std"})
    with pytest.raises(ValueError, match="'eo_mean' must hold 3 values"):
        NormStats.from_dict({**good, "eo_mean": [0.0, 1.0]})
    with pytest.raises(ValueError, match="sar_norm='db' is unknown"):
        NormStats.from_dict({**good, "sar_norm": "db"})
    with pytest.raises(ValueError, match="'sar_log_scale' must hold 2 values"):
        NormStats.from_dict({**good, "sar_norm": "signed_log"})


def test_fit_errors_and_constant_channels():
    train = _split(5, 10)
    with pytest.raises(ValueError, match="sar_norm='log' is unknown; choose one of"):
        fit_normalization(train, sar_norm="log")
    with pytest.raises(ValueError, match="empty training split"):
        fit_normalization(train.subset([]))
    bad = Split(eo=train.eo.copy(), sar=train.sar, labels=train.labels, class_names=["a"] * 4)
    bad.eo[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match=r"EO of the training split holds 1 value that cannot "
                                         r"be measurements \(NaN"):
        fit_normalization(bad)
    flat = Split(eo=np.full_like(train.eo, 0.2), sar=train.sar, labels=train.labels,
                 class_names=["a"] * 4)
    with pytest.warns(UserWarning, match=r"EO std of channels \['B4 red', 'B3 green', 'B2 blue'\]"):
        stats = fit_normalization(flat)
    assert stats.eo_std == (1.0, 1.0, 1.0)
    assert np.allclose(normalize_eo(flat.eo, stats), 0.0)


def test_values_that_cannot_be_measurements_are_refused_in_every_split():
    train = _split(5, 11)
    stats = fit_normalization(train)
    edge = Split(eo=train.eo.copy(), sar=train.sar.copy(), labels=train.labels,
                 class_names=train.class_names)
    edge.sar[1, 1, 2, 3], edge.eo[0, 2, 0, 0] = -SAR_LIMIT, EO_LIMIT  # the limits themselves
    assert np.isfinite(normalize_split(edge, stats).sar).all()
    edge.sar[1, 1, 2, 3], edge.sar[4, 0, 0, 0] = -1.5 * SAR_LIMIT, np.inf
    with pytest.raises(ValueError, match=r"the SAR of the test split holds 2 values .* per "
                                         r"channel \{'VV real': 1, 'VV imaginary': 1\}; first "
                                         r"at \(sample 1, VV imaginary, row 2, column 3\)"):
        normalize_split(edge, stats, name="the test split")
    with pytest.raises(ValueError, match="the SAR input holds 2 values"):
        normalize_sar(edge.sar, stats)


def test_the_sar_representations():
    from swdkit.data import SAR_INPUTS, sar_representation

    rng = np.random.default_rng(0)
    sar = rng.normal(0, 0.3, (3, 2, 8, 8)).astype(np.float32)
    assert set(SAR_INPUTS) == {"re_im", "db_smooth", "db_lee"}
    assert np.array_equal(sar_representation(sar, "re_im"), sar)
    out = sar_representation(sar, "db_smooth")
    assert out.shape == sar.shape and out.dtype == np.float32
    intensity = sar[:, 0].astype(np.float64) ** 2 + sar[:, 1].astype(np.float64) ** 2
    np.testing.assert_allclose(out[:, 0], 10 * np.log10(intensity + 1e-4), rtol=1e-5)
    # channel 1 at an inner pixel: the dB of the 5 x 5 mean intensity around it
    inner = intensity[:, 1:6, 2:7].mean(axis=(1, 2))
    np.testing.assert_allclose(out[:, 1, 3, 4], 10 * np.log10(inner + 1e-4), rtol=1e-5)
    with pytest.raises(ValueError, match="sar_input must be one of"):
        sar_representation(sar, "amplitude")
    with pytest.raises(ValueError, match="VV real and imaginary"):
        sar_representation(sar[:, :1], "db_smooth")


def _lee_at(intensity, row, col, looks=1.0):
    """Lee's estimate at one inner pixel, from its own 5 x 5 window, written out."""
    window = intensity[row - 2:row + 3, col - 2:col + 3]
    m, var = window.mean(), window.var()
    var_x = (var - m * m / looks) / (1 + 1 / looks)
    b = min(max(var_x / var, 0.0), 1.0) if var > 0 else 0.0
    return m + b * (intensity[row, col] - m)


def test_the_lee_filtered_representation():
    from swdkit.data import sar_representation

    rng = np.random.default_rng(1)
    sar = rng.normal(0, 0.3, (2, 2, 12, 12))
    sar[1, :, 6, 6] = 4.0  # one bright point in the second patch
    out = sar_representation(sar, "db_lee")
    assert out.shape == sar.shape and out.dtype == np.float32
    np.testing.assert_array_equal(out[:, 0], sar_representation(sar, "db_smooth")[:, 0])
    intensity = sar[:, 0] ** 2 + sar[:, 1] ** 2
    for n, row, col in [(0, 3, 4), (0, 7, 8), (1, 6, 6), (1, 5, 7)]:
        expected = 10 * np.log10(_lee_at(intensity[n], row, col) + 1e-4)
        assert out[n, 1, row, col] == pytest.approx(expected, abs=1e-4)
    # one look: b <= 1 / (1 + 1) keeps at most half of the bright point's excess (about -3 dB),
    # where the 5 x 5 average dilutes it about 25-fold (-14 dB)
    point = 10 * np.log10(intensity[1, 6, 6] + 1e-4)
    assert point - 3.5 < out[1, 1, 6, 6] < point
    assert sar_representation(sar, "db_smooth")[1, 1, 6, 6] < point - 10
    # a window without variation is left as it is: the filter has nothing to remove
    flat = np.full((1, 2, 8, 8), 0.5)
    flat_out = sar_representation(flat, "db_lee")
    np.testing.assert_allclose(flat_out[:, 1], flat_out[:, 0], atol=1e-5)
