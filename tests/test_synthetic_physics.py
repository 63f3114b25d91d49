"""Physical plausibility of the synthetic sensors: checks that fail if the physics is wrong."""

from __future__ import annotations

import numpy as np
import pytest

from swdkit.data.synthetic import generate_split
from swdkit.data.synthetic._cities import draw_cities
from swdkit.data.synthetic._classes import CLASS_TABLE, draw_layout
from swdkit.data.synthetic._eo import render_eo
from swdkit.data.synthetic._materials import ASPHALT, GRASS, MATERIALS, ROOF_CONCRETE, TREE, WATER
from swdkit.data.synthetic._sar import render_sar, sigma0_maps, speckle
from swdkit.data.synthetic._scatterers import POPULATIONS, TEXTURE_SHAPE
from swdkit.data.synthetic._scenes import Scene, render_scenes

G = 64  # fine grid of the default upsampling (5 m cells)
B4, B8, B11 = 2, 6, 8


def neutral(n: int, **over) -> dict[str, np.ndarray]:
    values = {"greenness": 0.8, "sun_elevation_deg": 45.0, "eo_gain": 1.0, "haze": 1.0,
              "soil_brightness": 1.0, "turbidity": 0.0, "sar_gain_db": 0.0,
              "incidence_deg": 35.0, "moisture_db": 0.0, "water_vv_db": -20.0,
              "scatterer_density": 1.0}
    values.update(over)
    return {k: np.full(n, v, dtype=np.float64) for k, v in values.items()}


def scene(material: np.ndarray, height: np.ndarray | None = None, angle: float = 0.0) -> Scene:
    material = np.asarray(material, np.uint8)
    n = material.shape[0]
    height = np.zeros(material.shape, np.float32) if height is None else height
    return Scene(material=material, height=height.astype(np.float32),
                 texture=np.full(material.shape, 0.5, np.float32), upsample=2,
                 grid_angle_deg=np.full(n, angle))


def uniform(material: int, n: int = 8) -> Scene:
    return scene(np.full((n, G, G), material))


def one_building(h: float, ground: int = GRASS, angle: float = 0.0) -> Scene:
    mat = np.full((1, G, G), ground, np.uint8)
    height = np.zeros((1, G, G), np.float32)
    mat[:, 24:40, 40:50] = ROOF_CONCRETE
    height[:, 24:40, 40:50] = h
    return scene(mat, height, angle)


def vv_intensity(sen1: np.ndarray) -> np.ndarray:
    return sen1[..., 2] ** 2 + sen1[..., 3] ** 2


@pytest.fixture(scope="module")
def classes():
    data = generate_split("training", 20, seed=11)
    return data["sen1"], data["sen2"], data["label"].argmax(axis=1)


def test_water_is_darker_than_vegetation_in_nir_swir_and_radar():
    rng = np.random.default_rng(0)
    eo = {m: render_eo(rng, uniform(m), neutral(8)) for m in (WATER, GRASS, TREE)}
    sar = {m: render_sar(rng, uniform(m), neutral(8)) for m in (WATER, GRASS, TREE)}
    for veg in (GRASS, TREE):
        assert eo[WATER][..., B8].mean() < 0.5 * eo[veg][..., B8].mean()
        assert eo[WATER][..., B11].mean() < 0.5 * eo[veg][..., B11].mean()
        assert vv_intensity(sar[WATER]).mean() < 0.2 * vv_intensity(sar[veg]).mean()
    # Vegetation: red edge and NIR plateau (NIR several times red).
    assert eo[GRASS][..., B8].mean() > 3 * (eo[GRASS][..., B4].mean() - 0.03)


def test_tree_ndvi_is_above_built_up(classes):
    _, sen2, label = classes
    ndvi = (sen2[..., B8] - sen2[..., B4]) / (sen2[..., B8] + sen2[..., B4])
    per_sample = ndvi.mean(axis=(1, 2))
    trees = per_sample[label == 10].mean()
    for built in (0, 1, 2, 7):
        assert trees > per_sample[label == built].mean() + 0.2


def test_high_rise_is_brighter_in_radar_than_low_plants(classes):
    sen1, _, label = classes
    mean_db = {c: 10 * np.log10(vv_intensity(sen1[label == c]).mean()) for c in (0, 3, 13)}
    assert mean_db[0] > mean_db[13] + 3
    assert mean_db[3] > mean_db[13] + 3


def test_double_bounce_rises_with_height_and_drops_with_orientation():
    total = [sigma0_maps(one_building(h), neutral(1))[0].sum() for h in (5.0, 15.0, 40.0)]
    assert total[0] < total[1] < total[2]
    flat = sigma0_maps(uniform(GRASS, 1), neutral(1))[0].sum()
    aligned = sigma0_maps(one_building(15.0, angle=0.0), neutral(1))[0].sum() - flat
    rotated = sigma0_maps(one_building(15.0, angle=30.0), neutral(1))[0].sum() - flat
    assert 0 < rotated < 0.5 * aligned  # the cardinal effect
    # The bright line sits just in front of (west of) the facing wall at fine column 40.
    vv = sigma0_maps(one_building(15.0), neutral(1))[0][0]
    assert vv[13:19, 19].mean() > 10 * vv[13:19, 5].mean()


def test_radar_shadow_behind_and_layover_in_front_of_a_tower():
    theta = 35.0
    flat = sigma0_maps(uniform(GRASS, 1), neutral(1, incidence_deg=theta))[0][0]
    tower = sigma0_maps(one_building(30.0), neutral(1, incidence_deg=theta))[0][0]
    rows = slice(13, 19)
    # Shadow: 30 m * tan(35 deg) = 21 m behind the east wall (fine column 50 = pixel 25).
    assert tower[rows, 25:27].mean() < 0.3 * flat[rows, 25:27].mean()
    # Layover: 30 m / tan(35 deg) = 43 m in front of the west wall (pixel 20), beyond the
    # double-bounce line at pixel 19.
    assert tower[rows, 16:19].mean() > 1.5 * flat[rows, 16:19].mean()
    # Far from the tower nothing changes.
    np.testing.assert_allclose(tower[rows, 2:8], flat[rows, 2:8], rtol=1e-5)


def test_speckle_under_texture_is_k_distributed_and_the_lee_filter_reduces_it():
    sen1 = render_sar(np.random.default_rng(1), uniform(GRASS, 64), neutral(64))
    inten = vv_intensity(sen1).ravel().astype(np.float64)
    mean = inten.mean()
    # Single-look speckle times a unit-mean gamma texture of shape nu (the K-distribution):
    # E[I^2] / E[I]^2 = 2 (1 + 1 / nu); plain speckle (nu -> infinity) would give 2.
    nu = TEXTURE_SHAPE["grass"]
    assert abs(np.mean(inten**2) / mean**2 - 2 * (1 + 1 / nu)) < 0.06
    assert np.mean(inten**2) / mean**2 > 2.05
    re, im = sen1[..., 2].ravel(), sen1[..., 3].ravel()
    assert abs(re.var() / im.var() - 1) < 0.03  # circular: equal variances,
    assert abs(np.corrcoef(re, im)[0, 1]) < 0.02  # uncorrelated parts
    lee = sen1[..., 5].ravel()
    assert lee.std() / lee.mean() < 0.5
    assert abs(lee.mean() / mean - 1.0) < 0.05
    # The unfiltered scale is sigma0: grass at 35 deg is about -11 dB VV.
    assert -13.0 < 10 * np.log10(mean) < -9.0


def test_speckle_reproduces_the_requested_covariance():
    shape = (4, 100, 100)
    s_vv, s_vh, c12 = np.full(shape, 1.0), np.full(shape, 0.5), np.full(shape, 0.3)
    vh, vv = speckle(np.random.default_rng(2), s_vv, s_vh, c12)
    assert abs(np.mean(np.abs(vv) ** 2) - 1.0) < 0.02
    assert abs(np.mean(np.abs(vh) ** 2) - 0.5) < 0.01
    cross = np.mean(vh * np.conj(vv))
    assert abs(cross.real - 0.3) < 0.01 and abs(cross.imag) < 0.01


def slow_lee(s_vh: np.ndarray, s_vv: np.ndarray, window: int = 5) -> np.ndarray:
    """Lee (1980) with span weights, one pixel at a time: channels 4..7 of So2Sat's sen1."""
    h, w = s_vv.shape
    r = window // 2
    c = {"11": np.abs(s_vh) ** 2, "22": np.abs(s_vv) ** 2, "12": s_vh * np.conj(s_vv)}
    span = c["11"] + c["22"]
    out = np.zeros((h, w, 4))

    def reflect(i, n):
        return -i if i < 0 else (2 * (n - 1) - i if i >= n else i)

    for i in range(h):
        for j in range(w):
            idx = [(reflect(a, h), reflect(b, w)) for a in range(i - r, i + r + 1)
                   for b in range(j - r, j + r + 1)]
            sp = np.array([span[p] for p in idx])
            m, var = sp.mean(), sp.var()
            var_x = (var - m * m) / 2.0  # one look: sigma_v^2 = 1
            b = min(max(var_x / var, 0.0), 1.0) if var > 0 else 0.0
            est = {}
            for k, arr in c.items():
                mk = np.mean([arr[p] for p in idx])
                est[k] = mk + b * (arr[i, j] - mk)
            out[i, j] = [est["11"].real, est["22"].real, est["12"].real, est["12"].imag]
    return out


def test_lee_channels_equal_an_independent_slow_implementation(classes):
    sen1, _, label = classes
    for i in (int(np.flatnonzero(label == 0)[0]), int(np.flatnonzero(label == 16)[0])):
        s = sen1[i].astype(np.float64)
        ref = slow_lee(s[..., 0] + 1j * s[..., 1], s[..., 2] + 1j * s[..., 3])
        scale = np.abs(ref).max()
        np.testing.assert_allclose(s[..., 4:8], ref, rtol=1e-4, atol=1e-6 * scale)


def test_eo_values_are_in_so2sat_range(classes):
    _, sen2, _ = classes
    assert sen2.min() >= 0.0 and np.percentile(sen2, 99.9) < 1.0
    means = sen2.mean(axis=(0, 1, 2))
    assert (means > 0.03).all() and (means < 0.45).all()


def test_20m_bands_are_constant_on_2x2_blocks_and_10m_bands_are_not(classes):
    _, sen2, _ = classes
    for band in range(10):
        x = sen2[..., band]
        same = np.array_equal(x[:, 0::2, 0::2], x[:, 1::2, 1::2])
        assert same == (band in (3, 4, 5, 7, 8, 9)), band


def test_buildings_cast_optical_shadows_to_the_north_west():
    rng = np.random.default_rng(3)
    lit = render_eo(rng, one_building(0.0, ground=ASPHALT), neutral(1))[0]
    tall = render_eo(rng, one_building(40.0, ground=ASPHALT), neutral(1))[0]
    # The roof covers pixel rows 12-19, columns 20-24; at 45 degrees a 40 m building's shadow
    # reaches 40 m (2.8 pixels along each axis) to the north-west, none to the south-east.
    nw = tall[10:12, 18:20, B4].mean() / lit[10:12, 18:20, B4].mean()
    se = tall[20:22, 25:27, B4].mean() / lit[20:22, 25:27, B4].mean()
    assert nw < 0.6 and se > 0.9


def test_realised_layouts_follow_the_lcz_definitions():
    rng = np.random.default_rng(4)
    cities = draw_cities(rng, 5)
    labels = np.repeat(np.arange(17), 12)
    layout = draw_layout(rng, labels, cities, rng.integers(0, 5, labels.size))
    sc = render_scenes(rng, layout)
    roofs = sc.material <= 2
    bsf = np.array([roofs[labels == c].mean() for c in range(17)])
    for c in range(10):  # on average within Stewart and Oke's typical range of the class
        lo, hi = CLASS_TABLE[c]["bsf"]
        assert lo - 0.05 < bsf[c] < hi + 0.05, (CLASS_TABLE[c]["name"], bsf[c])
    height = np.array([sc.height[labels == c][roofs[labels == c]].mean() if bsf[c] > 0 else 0
                       for c in range(17)])
    assert bsf[2] > bsf[5] + 0.1  # compact low-rise denser than open low-rise
    assert bsf[1] > bsf[4] + 0.1  # compact mid-rise denser than open mid-rise
    assert bsf[6] == bsf.max()  # lightweight low-rise is the densest
    assert (bsf[10:16] < 0.01).all()  # natural classes have (almost) no buildings
    assert height[0] > 2 * height[1] > 2 * height[2]  # high-rise > mid-rise > low-rise
    water = np.array([(sc.material[labels == c] == WATER).mean() for c in range(17)])
    assert water[16] > 0.6 and water[:16].max() < 0.2
    assert sc.material.max() < len(MATERIALS)


def test_bright_points_sit_at_radar_facing_walls_and_the_knob_sets_their_strength():
    n = 64
    buildings = scene(np.repeat(one_building(15.0).material, n, axis=0),
                      np.repeat(one_building(15.0).height, n, axis=0))
    tail = {}
    for knob in (None, 0.0, 10.0):
        sen1 = render_sar(np.random.default_rng(3), buildings, neutral(n, scatterer_density=2000.0),
                          scatterer_db=knob)
        tail[knob] = np.quantile(sen1[..., 5], 0.999)
        bright = np.argwhere(vv_intensity(sen1) > 100.0)
        if knob is None:
            assert len(bright) == 0
        else:
            assert len(bright) > 5
            # the points sit in the pixels holding the building's west (radar-facing) wall
            assert set(bright[:, 2].tolist()) == {20}
    assert tail[None] < 10 < tail[0.0] < tail[10.0]


def test_bright_point_populations_give_the_published_channel_ratios():
    # Depolarising points carry the VH tail (cross-polar ratio about 0 dB); aligned ones the VV.
    aligned, depolarising = POPULATIONS
    assert aligned.cross_db < -10 and abs(depolarising.cross_db) < 3
    assert aligned.median_db > depolarising.median_db
