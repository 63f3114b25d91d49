"""The synthetic radar and optics calibrated to the published statistics of the real So2Sat."""

from __future__ import annotations

import numpy as np
import pytest

from swdkit.data.synthetic import (
    CHANNELS,
    REAL_MEAN,
    REAL_STD,
    ChannelStat,
    bright_share,
    calibration_table,
    channel_statistics,
    generate_split,
)


def test_statistics_of_known_arrays():
    rng = np.random.default_rng(0)
    sen1 = rng.normal(0, 1, (6, 4, 4, 8)).astype(np.float32)
    sen2 = rng.uniform(0, 1, (6, 4, 4, 10)).astype(np.float32)
    stats = channel_statistics(sen1, sen2, stride=2)
    assert [s.name for s in stats] == list(CHANNELS) and len(stats) == 18
    lee_vv = sen1[::2, ..., 5].astype(np.float64)
    assert stats[5].mean == pytest.approx(lee_vv.mean())
    assert stats[5].std == pytest.approx(lee_vv.std())
    assert stats[5].maximum == pytest.approx(lee_vv.max())
    assert stats[17].q99 == pytest.approx(np.quantile(sen2[::2, ..., 9], 0.99))
    assert (stats[0].real_mean, stats[5].real_std) == (REAL_MEAN[0], REAL_STD[5])
    with pytest.raises(ValueError, match="sen1 must be"):
        channel_statistics(sen1[..., :2], sen2)


def test_the_tolerances():
    def stat(mean, std, real_mean, real_std):
        return ChannelStat("c", mean, std, 0, 0, 0, real_mean, real_std)

    assert stat(0.12, 1.0, 0.1, 1.0).mean_ok and not stat(0.121, 1.0, 0.1, 1.0).mean_ok
    assert stat(0.009, 1.0, 0.0001, 1.0).mean_ok  # near zero: absolute
    assert not stat(0.02, 1.0, 0.0001, 1.0).mean_ok
    assert stat(0.1, 1.5, 0.1, 1.0).std_ok and stat(0.1, 0.67, 0.1, 1.0).std_ok
    assert not stat(0.1, 1.51, 0.1, 1.0).std_ok and not stat(0.1, 0.66, 0.1, 1.0).std_ok


def test_bright_share_counts_pixels_ten_times_their_patch_median():
    sen1 = np.zeros((2, 4, 4, 8), np.float32)
    sen1[..., 2] = 1.0  # VV intensity 1 everywhere
    sen1[0, 0, 0, 2] = 4.0  # intensity 16 > 10
    sen1[1, 0, 0, 2] = 3.0  # intensity 9 < 10
    assert bright_share(sen1) == pytest.approx(1 / 32)


def test_a_generated_set_meets_the_calibration_target():
    """Every channel's std within a factor 1.5 and mean within 20 % (0.01 near zero) of the real
    So2Sat training set's; 3,400 patches of the default generator (seed 0)."""
    data = generate_split("training", 200, seed=0)
    stats = channel_statistics(data["sen1"], data["sen2"])
    off = [s.name for s in stats if not (s.mean_ok and s.std_ok)]
    assert off == [], calibration_table(stats)
    # the radar is heavy-tailed: the Lee VV intensity's largest values are hundreds of times
    # its mean (the real set: standard deviation 32 times the mean)
    lee_vv = stats[CHANNELS.index("S1 Lee VV intensity")]
    assert lee_vv.maximum > 500 * lee_vv.mean and lee_vv.std > 10 * lee_vv.mean


def test_the_scatterer_knob_sets_the_tail_and_is_recorded(tmp_path):
    from swdkit.data.synthetic import make_synthetic, read_attributes, synthetic_matches

    bright = {}  # VV power in pixels above 1000 (30 dB)
    for knob in (None, 0.0, 6.0):
        sen1 = generate_split("training", 30, seed=1, scatterer_db=knob)["sen1"]
        power = sen1[..., 2].astype(np.float64) ** 2 + sen1[..., 3].astype(np.float64) ** 2
        bright[knob] = float(power[power > 1000].sum())
    assert bright[None] == 0 < bright[0.0]
    assert bright[6.0] > 3 * bright[0.0]  # +6 dB is four times the power
    sizes = {"n_train": 1, "n_val": 1, "n_test": 1}
    make_synthetic(tmp_path / "off", progress=False, scatterer_db=None, **sizes)
    assert np.isnan(read_attributes(tmp_path / "off" / "training.h5")["scatterer_db"])
    assert synthetic_matches(tmp_path / "off", scatterer_db=None, **sizes)
    assert not synthetic_matches(tmp_path / "off", **sizes)  # the default knob is 0 dB
    with pytest.raises(TypeError, match="scatterer_db must be a finite number or None"):
        generate_split("training", 1, scatterer_db="loud")
