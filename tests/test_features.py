"""The ``features`` baseline: texture statistics against slow references, the shrinkage LDA
against a reference, and the method end to end (same labeled subset, well above chance)."""

from __future__ import annotations

import json
import math
import statistics
from types import SimpleNamespace

import numpy as np
import pytest
from test_pipeline import TINY

from swdkit.data import Split, few_shot_indices, fit_normalization, normalize_split
from swdkit.experiments import make_record, methods_side_by_side, summarize
from swdkit.methods import (
    FEATURE_NAMES,
    METHODS,
    NETWORK_METHODS,
    Method,
    ShrinkageLDA,
    ledoit_wolf_shrinkage,
    run_method,
    sar_intensity,
    texture_statistics,
)
from swdkit.methods._texture import bright_fraction, glcm_contrast, log_mean_ratio, window_cv

COL = {name: i for i, name in enumerate(FEATURE_NAMES)}


def speckle(rng, n, size=32, look=1.0):
    """One-look intensity: exponential with mean ``look``, spatially white."""
    return rng.exponential(look, size=(n, size, size))


def slow_cv(patch, w):
    values = []
    for r in range(0, patch.shape[0], w):
        for c in range(0, patch.shape[1], w):
            block = [float(v) for v in patch[r:r + w, c:c + w].ravel()]
            m = statistics.fmean(block)
            values.append(statistics.pstdev(block) / m if m > 0 else 0.0)
    return statistics.fmean(values)


def slow_contrast(patch, levels=16):
    flat = sorted(float(v) for v in patch.ravel())
    n = len(flat)
    level = [[levels * sum(u < v for u in flat) // n for v in row] for row in patch.tolist()]
    total = 0.0
    for dr, dc in ((0, 1), (1, 0)):
        glcm = np.zeros((levels, levels))
        for r in range(patch.shape[0] - dr):
            for c in range(patch.shape[1] - dc):
                glcm[level[r][c], level[r + dr][c + dc]] += 1
        glcm /= glcm.sum()
        total += sum((i - j) ** 2 * glcm[i, j] for i in range(levels) for j in range(levels))
    return total / 2


def test_statistics_match_slow_references():
    rng = np.random.default_rng(0)
    i = speckle(rng, 3, size=16) * rng.gamma(0.7, size=(3, 16, 16))
    got = texture_statistics(i)
    for k, patch in enumerate(i):
        logs = [math.log(float(v) + 1e-10) for v in patch.ravel()]
        mean = float(patch.mean())
        ordered = sorted(10 * math.log10(float(v) + 1e-10) for v in patch.ravel())
        for q, name in ((0.1, "q10_db"), (0.5, "q50_db"), (0.9, "q90_db")):
            pos = q * (len(ordered) - 1)
            lo = math.floor(pos)
            expected = ordered[lo] + (pos - lo) * (ordered[min(lo + 1, 255)] - ordered[lo])
            assert got[k, COL[name]] == pytest.approx(expected)
        assert got[k, COL["mean_db"]] == pytest.approx(10 * math.log10(mean))
        for w in (2, 4, 8):
            assert got[k, COL[f"cv_{w}"]] == pytest.approx(slow_cv(patch, w))
        assert got[k, COL["bright_fraction"]] == sum(float(v) > 5 * mean
                                                     for v in patch.ravel()) / 256
        assert got[k, COL["log_mean_ratio"]] == pytest.approx(math.log(mean)
                                                              - statistics.fmean(logs))
        assert got[k, COL["log_variance"]] == pytest.approx(statistics.pvariance(logs))
        assert got[k, COL["glcm_contrast"]] == pytest.approx(slow_contrast(patch))


def test_constant_patch_and_one_bright_pixel():
    flat = np.full((1, 32, 32), 0.3)
    stats = texture_statistics(flat)[0]
    for name in ("cv_2", "cv_4", "cv_8", "bright_fraction", "log_mean_ratio", "log_variance",
                 "glcm_contrast"):
        assert stats[COL[name]] == pytest.approx(0.0, abs=1e-9), name
    assert stats[COL["q10_db"]] == pytest.approx(10 * math.log10(0.3))
    assert window_cv(np.zeros((1, 8, 8)), 4)[0] == 0.0  # a dark block is not NaN
    bright = np.ones((1, 32, 32))
    bright[0, 5, 9] = 1e4
    stats = texture_statistics(bright)[0]
    assert stats[COL["bright_fraction"]] == 1 / 1024
    # only the 2x2 window holding it varies: values (1, 1, 1, 1e4)
    block = np.array([1.0, 1.0, 1.0, 1e4])
    assert stats[COL["cv_2"]] == pytest.approx(block.std() / block.mean() / 256)
    assert stats[COL["glcm_contrast"]] == pytest.approx((15**2 * 4 / (31 * 32)) / 2)


def test_speckle_gives_the_textbook_values():
    i = speckle(np.random.default_rng(1), 400)
    stats = texture_statistics(i).mean(axis=0)
    assert stats[COL["log_mean_ratio"]] == pytest.approx(0.5772, abs=0.01)  # Euler's gamma
    assert stats[COL["log_variance"]] == pytest.approx(math.pi**2 / 6, abs=0.02)
    assert stats[COL["bright_fraction"]] == pytest.approx(math.exp(-5), abs=0.001)
    assert stats[COL["glcm_contrast"]] == pytest.approx((16**2 - 1) / 6, rel=0.02)
    assert 0.9 < stats[COL["cv_8"]] < 1.0  # sample CV of 64 exponentials: just below 1
    textured = i * np.random.default_rng(2).gamma(1.0, size=i.shape)
    assert texture_statistics(textured)[:, COL["cv_4"]].mean() > stats[COL["cv_4"]] + 0.3
    scaled = texture_statistics(100 * i)  # +20 dB: only the level and the quantiles move
    moved = [COL[n] for n in ("mean_db", "q10_db", "q50_db", "q90_db")]
    np.testing.assert_allclose(scaled[:, moved] - texture_statistics(i)[:, moved], 20.0)
    keep = [k for k in range(len(FEATURE_NAMES)) if k not in moved]
    # equal up to the -100 dB floor of the logs
    np.testing.assert_allclose(scaled[:, keep], texture_statistics(i)[:, keep], rtol=1e-5)


def raw_split(rng, n_per_class, *, sizes=(32, 32)):
    """Three classes of equal mean level: speckle, K-distributed texture, point scatterers.
    Each patch gets a random level (+-10 dB), so only texture tells the classes apart."""
    y = np.repeat(np.arange(3), n_per_class)
    i = speckle(rng, len(y), size=sizes[0])
    i[y == 1] *= rng.gamma(0.5, 2.0, size=i[y == 1].shape)
    bright = rng.random(i[y == 2].shape) < 0.02
    i[y == 2] = i[y == 2] * 0.8 + 10.0 * bright
    i *= 10 ** rng.uniform(-1, 1, size=(len(y), 1, 1))
    phase = rng.uniform(0, 2 * np.pi, size=i.shape)
    sar = np.stack([np.sqrt(i) * np.cos(phase), np.sqrt(i) * np.sin(phase)], axis=1)
    eo = rng.normal(size=(len(y), 3, 32, 32))
    return Split(eo=eo.astype(np.float32), sar=sar.astype(np.float32), labels=y,
                 class_names=["speckle", "textured", "points"]), i


@pytest.mark.parametrize("sar_norm", ["standard", "signed_log"])
def test_intensity_undoes_the_normalisation(sar_norm):
    raw, intensity = raw_split(np.random.default_rng(3), 4)
    stats = fit_normalization(raw, sar_norm=sar_norm)
    normed = normalize_split(raw, stats).sar
    assert not np.allclose(normed[:, 0] ** 2 + normed[:, 1] ** 2, intensity, rtol=0.1)
    np.testing.assert_allclose(sar_intensity(normed, stats), intensity, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(sar_intensity(normed, stats.to_dict()), intensity, rtol=1e-4,
                               atol=1e-6)
    db = np.stack([10 * np.log10(intensity + 1e-4)] * 2, axis=1)
    for sar_input in ("db_smooth", "db_lee"):
        np.testing.assert_allclose(sar_intensity(db, sar_input=sar_input), intensity + 1e-4,
                                   rtol=1e-6)


def test_bad_inputs_are_named():
    with pytest.raises(TypeError, match="sar must be a numeric array"):
        sar_intensity(np.array([["a"]]))
    with pytest.raises(ValueError, match=r"sar must be \(N, 2, H, W\)"):
        sar_intensity(np.zeros((2, 3, 8, 8)))
    with pytest.raises(ValueError, match="sar_input must be one of"):
        sar_intensity(np.zeros((2, 2, 8, 8)), sar_input="amplitude")
    with pytest.raises(TypeError, match="stats must be a swdkit.data.NormStats"):
        sar_intensity(np.zeros((2, 2, 8, 8)), stats=3)
    with pytest.raises(ValueError, match="window must divide"):
        window_cv(np.ones((1, 8, 8)), 3)
    with pytest.raises(TypeError, match="window must be a positive integer"):
        window_cv(np.ones((1, 8, 8)), 2.0)
    with pytest.raises(ValueError, match="finite values >= 0"):
        log_mean_ratio(-np.ones((1, 4, 4)))
    with pytest.raises(ValueError, match="factor must be a finite number > 0"):
        bright_fraction(np.ones((1, 4, 4)), factor=0)
    with pytest.raises(ValueError, match="at least 2 x 2"):
        glcm_contrast(np.ones((1, 1, 4)))
    with pytest.raises(ValueError, match="shrinkage must be 'auto' or a number in"):
        ShrinkageLDA(shrinkage=1.5)
    with pytest.raises(TypeError, match="shrinkage must be a finite number"):
        ShrinkageLDA(shrinkage="lw")
    with pytest.raises(ValueError, match="not fitted"):
        ShrinkageLDA().predict(np.ones((2, 3)))
    with pytest.raises(ValueError, match="exactly one of sar_phase"):
        Method("x", "neither", False, None)


def slow_lda_scores(x, y, x_new, a):
    classes = sorted(set(y.tolist()))
    p = x.shape[1]
    means = {k: x[y == k].mean(axis=0) for k in classes}
    s = np.zeros((p, p))
    for xi, yi in zip(x, y, strict=True):
        d = xi - means[yi]
        s += np.outer(d, d) / len(x)
    sigma = (1 - a) * s + a * np.trace(s) / p * np.eye(p)
    return np.array([[xn @ np.linalg.inv(sigma) @ means[k]
                      - means[k] @ np.linalg.inv(sigma) @ means[k] / 2
                      + math.log(np.mean(y == k)) for k in classes] for xn in x_new])


def slow_ledoit_wolf(z):
    n, p = z.shape
    s = sum(np.outer(r, r) for r in z) / n
    m = np.trace(s) / p
    d2 = np.sum((s - m * np.eye(p)) ** 2)
    b2 = sum(np.sum((np.outer(r, r) - s) ** 2) for r in z) / n**2
    return min(b2, d2) / d2


def toy(rng, n):
    y = np.arange(n) % 3
    centres = np.array([[0.0, 0.0, 0.0, 0.0], [6.0, 0.0, 1.0, 0.0], [0.0, 4.0, 0.0, -1.0]])
    x = centres[y] + rng.normal(size=(n, 4)) @ np.diag([1.0, 0.5, 2.0, 0.3])
    return x, y


def test_lda_matches_references_and_separates_toy_data():
    rng = np.random.default_rng(4)
    x, y = toy(rng, 60)
    x_new, y_new = toy(rng, 300)
    for a in (0.0, 0.3):
        lda = ShrinkageLDA(shrinkage=a).fit(x, y)
        np.testing.assert_allclose(lda.decision_function(x_new), slow_lda_scores(x, y, x_new, a),
                                   rtol=1e-7, atol=1e-7)
    assert np.mean(lda.predict(x_new) == y_new) > 0.98
    z = rng.normal(size=(30, 5)) @ rng.normal(size=(5, 5))
    assert ledoit_wolf_shrinkage(z) == pytest.approx(slow_ledoit_wolf(z))
    assert 0 < ledoit_wolf_shrinkage(z) < 1
    auto = ShrinkageLDA().fit(x, y)
    assert 0.0 <= auto.shrinkage_used <= 1.0 and np.mean(auto.predict(x_new) == y_new) > 0.98
    only_two = ShrinkageLDA().fit(x[y < 2], y[y < 2])  # a class absent from the fit
    assert set(only_two.predict(x_new).tolist()) <= {0, 1}
    sklearn = pytest.importorskip("sklearn.discriminant_analysis")
    covariance = pytest.importorskip("sklearn.covariance")
    assert ledoit_wolf_shrinkage(z - z.mean(0)) == pytest.approx(
        covariance.ledoit_wolf_shrinkage(z - z.mean(0), assume_centered=True))
    ref = sklearn.LinearDiscriminantAnalysis(solver="lsqr", shrinkage=0.3).fit(x, y)
    np.testing.assert_allclose(ShrinkageLDA(shrinkage=0.3).fit(x, y).decision_function(x_new),
                               ref.decision_function(x_new), rtol=1e-6, atol=1e-6)


@pytest.fixture(scope="module")
def texture_data():
    rng = np.random.default_rng(5)
    raw = {name: raw_split(rng, n)[0] for name, n in (("train", 24), ("val", 10), ("test", 20))}
    stats = fit_normalization(raw["train"])
    splits = {name: normalize_split(s, stats) for name, s in raw.items()}
    return SimpleNamespace(**splits, stats=stats, n_classes=3, source="synthetic",
                           class_names=raw["train"].class_names)


def test_method_end_to_end_pairs_with_the_network_methods(texture_data):
    assert "features" in METHODS and "features" not in NETWORK_METHODS
    result = run_method(texture_data, method="features", n_labeled=12, seed=3)
    expected = few_shot_indices(texture_data.train.labels, 12, seed=3)
    np.testing.assert_array_equal(result.labeled_indices, expected)
    sar_only = run_method(texture_data, method="sar_only", n_labeled=12, seed=3, config=TINY,
                          device="cpu")
    np.testing.assert_array_equal(result.labeled_indices, sar_only.labeled_indices)
    assert result.test_accuracy > 0.8  # chance is 1/3; the classes differ only in texture
    assert result.history[0]["val_accuracy"] > 0.8
    assert result.net is None and result.eo_test_accuracy is None and result.pretrain is None
    assert np.asarray(result.confusion).sum() == len(texture_data.test)
    assert np.trace(result.confusion) / len(texture_data.test) == result.test_accuracy
    assert result.config["statistics"] == list(FEATURE_NAMES) and result.seconds > 0
    full = run_method(texture_data, method="features", n_labeled="full", seed=0)
    assert full.n_labeled is None and len(full.labeled_indices) == len(texture_data.train)
    with pytest.raises(ValueError, match="norm must be one of"):
        run_method(texture_data, method="features", n_labeled=6, seed=0, norm="layer")
    with pytest.raises(ValueError, match="unknown MethodConfig settings"):
        run_method(texture_data, method="features", n_labeled=6, seed=0, config={"epoch": 1})


def test_records_and_tables_take_the_method(texture_data):
    records = []
    for method in ("features", "sar_only"):
        for seed in (0, 1):
            result = run_method(texture_data, method=method, n_labeled=6, seed=seed,
                                config=TINY, device="cpu")
            settings = {"data_dir": None, "data": {}, "classes": "toy", "method": method,
                        "n_labeled": 6, "seed": seed, "norm": "instance", "supcon": False,
                        "config": {}}
            records.append(json.loads(json.dumps(make_record(settings, result,
                                                             wall_seconds=1.0, device="cpu"))))
    assert records[0]["results"]["history"][0]["val_accuracy"] >= 0
    assert records[0]["results"]["labeled_digest"] == records[2]["results"]["labeled_digest"]
    table = methods_side_by_side(summarize(records))
    assert "features (%)" in table and "sar_only (%)" in table
