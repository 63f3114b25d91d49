"""The generator's radar knobs: defaults that keep version 2's arrays, looks, the twin set."""

from __future__ import annotations

import hashlib
import math

import h5py
import numpy as np
import pytest
from test_synthetic_physics import GRASS, neutral, uniform, vv_intensity

from swdkit.data.synthetic import (
    RadarOptions,
    generate_split,
    make_synthetic,
    read_attributes,
    synthetic_matches,
    twin_matrix,
)
from swdkit.data.synthetic._lee import lee_filter_covariance
from swdkit.data.synthetic._sar import multilook, render_sar, speckle
from swdkit.data.synthetic._scatterers import TEXTURE_SHAPE

# sha256 of generate_split's arrays, computed with the code before the looks and twin knobs
# (x86-64, numpy 2.4, AVX-512); PROBE is the same machine's digest of numpy's and libm's
# transcendental functions, which differ in the last bits between instruction sets.
PROBE = "bf7ed86ccf964d9bbc5bf95f4ae4350f7cc35151b0d1efdd6da6425d8afaefe4"
VERSION_2 = {
    (("training", 16), (("seed", 0),)):
        "946146cead5715cfcb415a548a8096564fc030052e3ffa916fc8f43d554ea2c9",
    (("testing", 2), (("seed", 7),)):
        "362e43e33cf28d8797f69dbd92ff0beee8a433f887bab1b579cd331aaf839db4",
    (("training", 16), (("seed", 0), ("scatterer_db", 6.0))):
        "0fd9f36784b6cb58c044ed2e801a7e784295c0faa3f7b5f531e08b0667907cfd",
}
TINY = {"n_train": 1, "n_val": 1, "n_test": 1}


def digest(arrays: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256()
    for key in sorted(arrays):
        a = np.ascontiguousarray(arrays[key])
        h.update(f"{key}{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def math_probe() -> str:
    x64 = np.linspace(-30.0, 30.0, 4001)
    x32 = x64.astype(np.float32)
    h = hashlib.sha256()
    for x in (x64, x32):
        for f in (np.exp, np.sin, np.cos, np.tan):
            h.update(f(x / 10).tobytes())
        h.update(np.log(np.abs(x) + 1e-3).tobytes())
        h.update((10.0 ** (x / 10)).tobytes())
    h.update(repr([math.exp(v / 7) + math.log(v + 31) for v in range(-30, 31)]).encode())
    return h.hexdigest()


@pytest.mark.parametrize("call", list(VERSION_2), ids=["training", "testing", "scatterers+6"])
def test_default_knobs_give_version_2_arrays_bit_for_bit(call):
    if math_probe() != PROBE:
        pytest.skip("this machine's vectorised exp/log/sin differ in the last bits from those "
                    "of the machine that recorded the digests")
    (split, n), keywords = call
    assert digest(generate_split(split, n, **dict(keywords))) == VERSION_2[call]
    explicit = {"looks": 1, "twin": None, "scatterer_db": 0.0, **dict(keywords)}
    assert digest(generate_split(split, n, **explicit)) == VERSION_2[call]


@pytest.mark.parametrize("knobs, error, message", [
    ({"looks": 0}, ValueError, "looks must be a positive integer, got 0"),
    ({"looks": 2.0}, TypeError, "looks must be a positive integer, got float"),
    ({"looks": True}, TypeError, "looks must be a positive integer, got bool"),
    ({"twin": -0.1}, ValueError, "twin must be a finite number >= 0 or None, got -0.1"),
    ({"twin": "0.1"}, TypeError, "twin must be a finite number >= 0 or None, got str"),
    ({"twin": float("nan")}, ValueError, "twin must be a finite number >= 0 or None"),
    ({"scatterer_db": "loud"}, TypeError, "scatterer_db must be a finite number or None"),
])
def test_bad_knobs_are_rejected_everywhere_with_the_argument_named(tmp_path, knobs, error,
                                                                   message):
    with pytest.raises(error, match=message):
        RadarOptions(**knobs)
    with pytest.raises(error, match=message):
        generate_split("training", 1, **knobs)
    with pytest.raises(error, match=message):
        synthetic_matches(tmp_path, **knobs)
    with pytest.raises(error, match=message):
        make_synthetic(tmp_path / "out", progress=False, **TINY, **knobs)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("looks", [1, 4, 16])
def test_multilooking_divides_speckle_by_the_root_of_the_looks(looks):
    shape = (4, 64, 64)
    sigma = (np.full(shape, 2.0), np.full(shape, 0.5), np.full(shape, 0.3))  # s_vv, s_vh, c12
    rng = np.random.default_rng(looks)
    first = speckle(rng, *sigma)
    none = np.zeros(shape, np.complex64)
    vh, vv, (c11, c22, c12) = multilook(rng, first, sigma, (none, none), looks)
    for s, intensity, mean in ((vv, c22, 2.0), (vh, c11, 0.5)):
        stored = np.abs(s.astype(np.complex128)) ** 2
        np.testing.assert_allclose(stored, intensity, rtol=1e-5)
        assert abs(stored.mean() / mean - 1) < 0.02  # the mean is sigma0 whatever L
        assert abs(stored.std() / stored.mean() * math.sqrt(looks) - 1) < 0.03
    # the phase is look 1's; the VH-VV phase difference the multilooked one
    np.testing.assert_allclose(np.angle(vv * np.conj(first[1])), 0.0, atol=1e-3)
    np.testing.assert_allclose(np.angle(vh * np.conj(vv)), np.angle(c12), atol=1e-3)
    assert abs(c12.mean() - 0.3) < 0.01 and abs(c12.mean().imag) < 0.01


@pytest.mark.parametrize("looks", [4, 16])
def test_looks_on_a_uniform_scene_keep_the_level_thin_the_speckle_and_set_the_lee_filter(looks):
    single = render_sar(np.random.default_rng(1), uniform(GRASS, 64), neutral(64))
    many = render_sar(np.random.default_rng(1), uniform(GRASS, 64), neutral(64), looks=looks)
    i1, il = (vv_intensity(s).ravel().astype(np.float64) for s in (single, many))
    assert abs(il.mean() / i1.mean() - 1) < 0.03
    # L-look speckle times a unit-mean gamma texture of shape nu:
    # E[I^2] / E[I]^2 = (1 + 1/nu)(1 + 1/L); plain single look gives 2 (1 + 1/nu).
    nu = TEXTURE_SHAPE["grass"]
    assert abs(np.mean(il**2) / il.mean() ** 2 - (1 + 1 / nu) * (1 + 1 / looks)) < 0.02
    # look 1 is the single-look rendering's: the same draws, the same phase
    np.testing.assert_allclose(np.angle((many[..., 2] + 1j * many[..., 3])
                                        * (single[..., 2] - 1j * single[..., 3])), 0, atol=1e-3)
    # channels 4, 5 are the Lee filter of the L-look intensities with L looks assumed
    vh, vv = many[..., 0] + 1j * many[..., 1], many[..., 2] + 1j * many[..., 3]
    for assumed, close in ((looks, True), (1, False)):
        c11, c22, _ = lee_filter_covariance(vh, vv, looks=float(assumed))
        assert np.allclose(many[..., 4], c11, rtol=1e-3, atol=1e-6) is close
        assert np.allclose(many[..., 5], c22, rtol=1e-3, atol=1e-6) is close


def rgb_and_vv(data: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    x = data["sen2"][..., [2, 1, 0]].reshape(-1, 3).astype(np.float64)
    return x, data["sen1"][..., 2:4].reshape(-1, 2).astype(np.float64)


@pytest.fixture(scope="module")
def twin_sets():
    return {twin: generate_split("training", 16, seed=3, twin=twin) for twin in (None, 0.0, 0.1)}


def test_the_twin_map_is_drawn_from_its_documented_stream():
    rng = np.random.default_rng(np.random.SeedSequence(3, spawn_key=(1001,)))
    np.testing.assert_array_equal(twin_matrix(3), rng.standard_normal((2, 3)))
    assert not np.allclose(twin_matrix(3), twin_matrix(4))
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        twin_matrix(-1)


def test_a_noise_free_twin_is_exactly_the_linear_map_of_the_rgb(twin_sets):
    x, y = rgb_and_vv(twin_sets[0.0])
    np.testing.assert_allclose(y, x @ twin_matrix(3).T, rtol=1e-5, atol=1e-7)


def test_the_twin_is_the_map_plus_gaussian_noise_of_the_stated_level(twin_sets):
    x, y = rgb_and_vv(twin_sets[0.1])  # 272 patches: two render blocks
    fit, *_ = np.linalg.lstsq(x, y, rcond=None)
    np.testing.assert_allclose(fit.T, twin_matrix(3), atol=0.01)
    signal = x @ twin_matrix(3).T
    noise = y - signal
    ratio = noise.std(axis=0) / signal.std(axis=0)
    np.testing.assert_allclose(ratio, 0.1, rtol=0.03)
    kurtosis = ((noise - noise.mean(0)) ** 4).mean(0) / noise.var(0) ** 2
    np.testing.assert_allclose(kurtosis, 3.0, atol=0.1)  # Gaussian
    assert np.abs(np.corrcoef(noise.T, x.T)[:2, 2:]).max() < 0.02  # independent of the RGB
    assert abs(np.corrcoef(noise.T)[0, 1]) < 0.02  # and between the two channels


def test_a_twin_keeps_every_other_array_and_refilters_the_lee_channels(twin_sets):
    radar, twin = twin_sets[None], twin_sets[0.1]
    for key in ("sen2", "label", "city"):
        np.testing.assert_array_equal(twin[key], radar[key])
    np.testing.assert_array_equal(twin["sen1"][..., :2], radar["sen1"][..., :2])
    s1 = twin["sen1"]
    c11, c22, c12 = lee_filter_covariance(s1[..., 0] + 1j * s1[..., 1],
                                          s1[..., 2] + 1j * s1[..., 3])
    for channel, expected in zip(range(4, 8), (c11, c22, c12.real, c12.imag), strict=True):
        np.testing.assert_allclose(s1[..., channel], expected, rtol=1e-4, atol=1e-6)


def test_the_twin_map_is_the_same_in_every_split():
    x, y = rgb_and_vv(generate_split("testing", 4, seed=3, twin=0.0))
    np.testing.assert_allclose(y, x @ twin_matrix(3).T, rtol=1e-5, atol=1e-7)


def test_the_knobs_are_recorded_and_matched(tmp_path):
    root = make_synthetic(tmp_path / "set", progress=False, looks=4, twin=0.1,
                          scatterer_db=None, **TINY)
    attrs = read_attributes(root / "validation.h5")
    assert attrs["looks"] == 4 and attrs["twin"] == 0.1 and math.isnan(attrs["scatterer_db"])
    same = {"looks": 4, "twin": 0.1, "scatterer_db": None}
    assert synthetic_matches(root, **same, **TINY)
    for other in ({"looks": 1}, {"looks": 2}, {"twin": None}, {"twin": 0.2},
                  {"scatterer_db": 0.0}):
        assert not synthetic_matches(root, **{**same, **other}, **TINY), other
    assert not synthetic_matches(root, **TINY)


def test_files_from_before_the_looks_and_twin_knobs_match_their_defaults(tmp_path):
    root = make_synthetic(tmp_path / "set", progress=False, **TINY)
    assert read_attributes(root / "training.h5")["looks"] == 1
    assert math.isnan(read_attributes(root / "training.h5")["twin"])
    for path in root.glob("*.h5"):
        with h5py.File(path, "a") as f:
            del f.attrs["looks"], f.attrs["twin"]
    assert synthetic_matches(root, **TINY)
    assert not synthetic_matches(root, looks=4, **TINY)
    assert not synthetic_matches(root, twin=0.1, **TINY)
    with h5py.File(root / "testing.h5", "a") as f:
        del f.attrs["scatterer_db"]  # version 1: no knob recorded at all
    assert not synthetic_matches(root, **TINY)
