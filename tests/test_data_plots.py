"""The data lesson's display helpers and figures (swdkit.views._display, _data_figures).

Amplitude and phase are checked against numpy's complex arithmetic on planted values, the
stretch against hand-computed percentiles, the gallery tile by tile against the helpers and the
class of each chosen sample.
"""

from __future__ import annotations

import numpy as np
import pytest

from swdkit.views import _data_figures as dp
from swdkit.views import _display as show


def planted_sar(rng: np.random.Generator, n: int = 5, size: int = 4) -> tuple[np.ndarray, ...]:
    """SAR (n, 2, size, size) with known complex VV values z = re + i im."""
    z = rng.normal(size=(n, size, size)) + 1j * rng.normal(size=(n, size, size)) * 3.0
    sar = np.stack([z.real, z.imag], axis=1).astype(np.float64)
    return sar, z


def test_amplitude_db_is_twenty_log10_of_the_complex_modulus() -> None:
    sar, z = planted_sar(np.random.default_rng(1))
    np.testing.assert_allclose(show.sar_amplitude_db(sar), 20 * np.log10(np.abs(z)), rtol=1e-12)
    # 10 log10 of the intensity a^2 + b^2 is the same number
    np.testing.assert_allclose(show.sar_amplitude_db(sar), 10 * np.log10(sar[:, 0] ** 2
                                                                       + sar[:, 1] ** 2))


def test_amplitude_db_of_known_values_and_of_zero() -> None:
    sar = np.zeros((2, 1, 3))  # (2, H=1, W=3): one sample without a batch axis
    sar[0, 0] = [3.0, 0.1, 0.0]
    sar[1, 0] = [4.0, 0.0, 0.0]
    db = show.sar_amplitude_db(sar)
    assert db.shape == (1, 3)
    np.testing.assert_allclose(db[0, :2], [20 * np.log10(5.0), -20.0])
    assert db[0, 2] == pytest.approx(20 * np.log10(show.AMPLITUDE_FLOOR))  # finite, not -inf


def test_phase_is_numpy_angle_of_real_plus_i_imaginary() -> None:
    sar, z = planted_sar(np.random.default_rng(2))
    np.testing.assert_allclose(show.sar_phase(sar), np.angle(z), atol=1e-12)
    axes_points = np.array([[[[1.0, 0.0, -1.0, 0.0]], [[0.0, 1.0, 0.0, -1.0]]]])  # (1,2,1,4)
    np.testing.assert_allclose(show.sar_phase(axes_points)[0, 0],
                               [0.0, np.pi / 2, np.pi, -np.pi / 2])


@pytest.mark.parametrize("func", [show.sar_amplitude_db, show.sar_phase])
def test_sar_helpers_refuse_wrong_channel_count(func) -> None:
    expected = r"sar must have shape \(\.\.\., 2, H, W\).*\(4, 3, 8, 8\)"
    with pytest.raises(ValueError, match=expected):
        func(np.zeros((4, 3, 8, 8)))


def test_stretch_maps_the_percentiles_to_zero_and_one() -> None:
    x = np.arange(101.0)  # the p-th percentile of 0..100 is p
    lo, hi = show.stretch_limits(x, (2, 98))
    assert (lo, hi) == pytest.approx((2.0, 98.0))
    np.testing.assert_allclose(show.stretch([lo, hi, 50.0, -7.0, 300.0], (lo, hi)),
                               [0.0, 1.0, 0.5, 0.0, 1.0])


def test_stretch_limits_ignore_non_finite_and_check_input() -> None:
    assert show.stretch_limits([np.nan, 1.0, 3.0, np.inf], (0, 100)) == (1.0, 3.0)
    with pytest.raises(ValueError, match="percentiles must be two increasing"):
        show.stretch_limits([1.0, 2.0], (98, 2))
    with pytest.raises(ValueError, match="no finite number"):
        show.stretch_limits([np.nan], (2, 98))
    np.testing.assert_array_equal(show.stretch([1.0, 2.0, 3.0], (2.0, 2.0)), [0.0, 0.0, 1.0])


def test_rgb_image_puts_b4_in_red_and_shares_one_stretch() -> None:
    eo = np.zeros((2, 3, 2, 2))
    eo[0, 0] = 0.4  # sample 0: B4 (red) only
    eo[1, 2] = 0.2  # sample 1: B2 (blue), half as bright
    rgb = show.rgb_image(eo, limits=(0.0, 0.4))
    assert rgb.shape == (2, 2, 2, 3)
    np.testing.assert_allclose(rgb[0, 0, 0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(rgb[1, 0, 0], [0.0, 0.0, 0.5])
    auto = show.rgb_image(eo, percentiles=(0, 100))  # limits over all bands: 0 and 0.4
    np.testing.assert_allclose(auto, rgb)
    with pytest.raises(ValueError, match=r"eo must have shape \(\.\.\., 3, H, W\)"):
        show.rgb_image(np.zeros((2, 2, 4, 4)))


def labelled_set(rng: np.random.Generator, counts: list[int], size: int = 6):
    """EO whose every value is the label/10 and random SAR, for class-checkable galleries."""
    labels = np.repeat(np.arange(len(counts)), counts)
    rng.shuffle(labels)
    eo = np.broadcast_to((labels / 10.0)[:, None, None, None], (len(labels), 3, size, size))
    sar, _ = planted_sar(rng, n=len(labels), size=size)
    return np.array(eo), sar, labels


def test_gallery_indices_pick_per_class_from_the_right_class_and_repeat_with_the_seed() -> None:
    _, _, labels = labelled_set(np.random.default_rng(3), [5, 1, 0, 4])
    picks = dp.gallery_indices(labels, 4, 2, seed=7)
    assert [len(p) for p in picks] == [2, 1, 0, 2]
    for k, p in enumerate(picks):
        assert np.all(labels[p] == k)
    again = dp.gallery_indices(labels, 4, 2, seed=7)
    assert all(np.array_equal(a, b) for a, b in zip(picks, again, strict=True))
    with pytest.raises(ValueError, match="per_class must be a positive integer"):
        dp.gallery_indices(labels, 4, 0, seed=0)


def test_gallery_mosaic_has_one_row_per_class_and_each_tile_is_its_sample() -> None:
    from matplotlib import colormaps

    eo, sar, labels = labelled_set(np.random.default_rng(4), [3, 3, 2])
    m = dp.gallery_mosaic(eo, sar, labels, 3, per_class=2, seed=0, gap=2)
    h = w = 6
    assert m["image"].shape == (3 * (h + 2) - 2, 6 * (w + 2) - 2, 3)
    for k in range(3):
        for j, i in enumerate(m["picks"][k]):
            assert labels[i] == k
            r0 = k * (h + 2)
            tile = [m["image"][r0:r0 + h, (3 * j + c) * (w + 2):(3 * j + c) * (w + 2) + w]
                    for c in range(3)]
            np.testing.assert_allclose(tile[0], show.rgb_image(eo[i], limits=m["eo_limits"]))
            level = show.stretch(show.sar_amplitude_db(sar[i]), m["db_limits"])
            np.testing.assert_allclose(tile[1], colormaps["gray"](level)[..., :3])
            cyclic = colormaps["twilight"]((np.angle(sar[i, 0] + 1j * sar[i, 1]) + np.pi)
                                           / (2 * np.pi))[..., :3]
            np.testing.assert_allclose(tile[2], cyclic)
    # EO values are label / 10, so the shared EO stretch makes class 2 brighter than class 0
    assert m["image"][2 * (h + 2), 0].mean() > m["image"][0, 0].mean()


def test_class_gallery_labels_every_class_row_and_marks_empty_ones() -> None:
    eo, sar, labels = labelled_set(np.random.default_rng(5), [2, 0, 3])
    names = ["first", "second", "third"]
    fig = dp.plot_class_gallery(eo, sar, labels, names, per_class=1, seed=0)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["first", "second (no sample)", "third"]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(dp.GALLERY_COLUMNS)
    assert ax.images[0].get_array().shape[0] == 3 * (6 + 3) - 3
    assert len(fig.axes) == 3  # the gallery and two colour bars
    with pytest.raises(ValueError, match="same N samples"):
        dp.plot_class_gallery(eo[:-1], sar, labels, names)


def test_sar_histograms_count_every_value_once_per_panel() -> None:
    rng = np.random.default_rng(6)
    raw = rng.standard_t(3, size=(10, 2, 4, 4))
    fig = dp.plot_sar_histograms(raw, {"scaled": raw * 3.0, "shifted": raw + 1.0}, bins=20)
    assert [ax.get_title().split("\n")[0] for ax in fig.axes] == ["raw", "scaled", "shifted"]
    for ax, values in zip(fig.axes, (raw, raw * 3.0, raw + 1.0), strict=True):
        x = values[:, 0].ravel()
        low, high = np.percentile(x, dp.HISTOGRAM_RANGE_PERCENTILES)
        counts = ax.patches[0].get_data().values
        # the drawn range is P0.01..P99.99; what lies beyond is counted in the title
        beyond = int(ax.get_title().split("; ")[-1].split()[0].replace(",", ""))
        assert counts.sum() + beyond == 10 * 16
        assert beyond == int(((x < low) | (x > high)).sum())
        assert ax.get_xlim() == pytest.approx((low, high))
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["P1 / P99"]
    assert "max |x| " + f"{np.abs(raw[:, 0]).max() * 3:.3g}" in fig.axes[1].get_title()
    with pytest.raises(ValueError, match="channel must be 0"):
        dp.plot_sar_histograms(raw, {}, channel=2)
    with pytest.raises(ValueError, match="needs 3 axes; got 2"):
        dp.plot_sar_histograms(raw, {"a": raw, "b": raw}, axes=fig.axes[:2])


@pytest.mark.parametrize("call, needle", [
    (lambda x, y: dp.gallery_indices(y, 4, 1.5, seed=0), "per_class must be a positive integer"),
    (lambda x, y: dp.gallery_indices(y, 4, True, seed=0), "per_class"),
    (lambda x, y: dp.gallery_indices(y, "4", 1, seed=0), "n_classes"),
    (lambda x, y: dp.plot_class_gallery(x[0], x[1], y, ["a", "b"], per_class="2"), "per_class"),
    (lambda x, y: dp.gallery_mosaic(x[0], x[1], y, 2, gap=1.0), "gap"),
    (lambda x, y: dp.plot_sar_histograms(x[1], {}, channel="0"), "channel"),
    (lambda x, y: dp.plot_sar_histograms(x[1], {}, bins=2.5), "bins"),
    (lambda x, y: show.stretch_limits([1.0, 2.0], ("2", "98")), "percentiles"),
])
def test_numbers_of_the_wrong_type_raise_type_error(call, needle) -> None:
    eo, sar, labels = labelled_set(np.random.default_rng(7), [2, 2])
    with pytest.raises(TypeError, match=needle):
        call((eo, sar), labels)


def test_class_counts_bars_are_the_counts_per_class() -> None:
    labels = {"training": np.array([0, 0, 2, 2, 2]), "few": np.array([2])}
    fig = dp.plot_class_counts(labels, ["a", "b", "c"])
    bars = [p.get_width() for p in fig.axes[0].patches]
    assert bars == [2, 0, 3, 0, 0, 1]
    with pytest.raises(ValueError, match=r"labels\['few'\] must lie in 0..2"):
        dp.plot_class_counts({"few": np.array([3])}, ["a", "b", "c"])


def test_every_data_figure_has_a_title_and_labelled_axes(tmp_path) -> None:
    """The three figures of the data lesson pass the series' figure rule as drawn."""
    from swdkit.notebooks import figure_problems, read_figure_description, save_figure

    eo, sar, labels = labelled_set(np.random.default_rng(8), [2, 2, 2])
    names = ["first", "second", "third"]
    figures = {
        "gallery": dp.plot_class_gallery(eo, sar, labels, names, per_class=1, seed=0),
        "histograms": dp.plot_sar_histograms(sar, {"scaled": sar * 2.0}, bins=10),
        "counts": dp.plot_class_counts({"training": labels}, names, title="per class"),
    }
    for name, fig in figures.items():
        description = read_figure_description(save_figure(fig, tmp_path, name))
        assert figure_problems(description) == [], name
    counts = figures["counts"].axes[0]
    assert counts.get_title() == "per class" and counts.get_ylabel() == "class"
    assert [ax.get_ylabel() for ax in figures["histograms"].axes] == [
        "pixels (count, log scale)"] * 2
