"""The synthetic So2Sat-format generator: file layout, metadata, determinism, splits, safety."""

from __future__ import annotations

import hashlib

import h5py
import numpy as np
import pytest

from swdkit.data import synthetic
from swdkit.data.synthetic import (
    SPLIT_FILES,
    generate_split,
    make_synthetic,
    synthetic_matches,
)
from swdkit.data.synthetic import _splits as synthetic_splits
from swdkit.data.synthetic._splits import N_CITIES, SPLITS, split_cities

SIZES = {"n_train": 2, "n_val": 1, "n_test": 1}


@pytest.fixture(scope="module")
def tiny_set(tmp_path_factory):
    root = tmp_path_factory.mktemp("synthetic")
    make_synthetic(root, seed=5, progress=False, **SIZES)
    return root


def _read(path):
    with h5py.File(path, "r") as f:
        return {k: f[k][()] for k in f}, dict(f.attrs)


def test_files_have_the_so2sat_v2_layout(tiny_set):
    per_class = {"training": 2, "validation": 1, "testing": 1}
    for split in SPLITS:
        data, attrs = _read(tiny_set / SPLIT_FILES[split])
        n = 17 * per_class[split]
        assert data["sen1"].shape == (n, 32, 32, 8) and data["sen1"].dtype == np.float32
        assert data["sen2"].shape == (n, 32, 32, 10) and data["sen2"].dtype == np.float32
        assert data["label"].shape == (n, 17)
        assert data["city"].shape == (n,) and data["city"].dtype.kind == "i"
        assert np.isfinite(data["sen1"]).all() and np.isfinite(data["sen2"]).all()
        assert attrs["split"] == split and attrs["n_per_class"] == per_class[split]


def test_labels_are_one_hot_balanced_and_shuffled(tiny_set):
    data, _ = _read(tiny_set / "training.h5")
    label = data["label"]
    assert set(np.unique(label)) == {0.0, 1.0}
    assert (label.sum(axis=1) == 1).all()
    classes = label.argmax(axis=1)
    assert np.bincount(classes, minlength=17).tolist() == [2] * 17
    # Not grouped by class: a grouped file has exactly 17 runs of equal labels.
    runs = 1 + np.count_nonzero(np.diff(classes))
    assert runs > 25


def test_attributes_record_generator_seed_and_sizes(tiny_set):
    _, attrs = _read(tiny_set / "validation.h5")
    assert attrs["generator"] == "swdkit.synthetic"
    assert attrs["generator_version"] == synthetic.GENERATOR_VERSION
    assert (attrs["seed"], attrs["n_train"], attrs["n_val"], attrs["n_test"]) == (5, 2, 1, 1)
    assert list(attrs["cities"]) == split_cities("validation").tolist()
    # the radar knobs at their defaults (version 2's radar): 0 dB points, one look, no twin
    assert (attrs["scatterer_db"], attrs["looks"]) == (0.0, 1) and np.isnan(attrs["twin"])


def test_matches_only_the_same_request(tiny_set, tmp_path):
    assert synthetic_matches(tiny_set, seed=5, **SIZES)
    assert not synthetic_matches(tiny_set, seed=6, **SIZES)
    assert not synthetic_matches(tiny_set, seed=5, n_train=3, n_val=1, n_test=1)
    assert not synthetic_matches(tmp_path, seed=5, **SIZES)  # empty folder
    for knob in ({"looks": 2}, {"twin": 0.1}, {"scatterer_db": None}):
        assert not synthetic_matches(tiny_set, seed=5, **SIZES, **knob), knob


def test_matches_is_false_for_a_corrupt_or_missing_file(tiny_set, tmp_path):
    for name in SPLIT_FILES.values():
        (tmp_path / name).write_bytes((tiny_set / name).read_bytes())
    assert synthetic_matches(tmp_path, seed=5, **SIZES)
    (tmp_path / "testing.h5").write_bytes(b"not an hdf5 file")
    assert not synthetic_matches(tmp_path, seed=5, **SIZES)
    (tmp_path / "testing.h5").unlink()
    assert not synthetic_matches(tmp_path, seed=5, **SIZES)


def test_cities_are_disjoint_across_splits(tiny_set):
    seen = {}
    for split in SPLITS:
        data, _ = _read(tiny_set / SPLIT_FILES[split])
        seen[split] = set(np.unique(data["city"]).tolist())
        assert seen[split] <= set(split_cities(split).tolist())
    assert not seen["training"] & seen["validation"]
    assert not seen["training"] & seen["testing"]
    assert not seen["validation"] & seen["testing"]
    assert sum(N_CITIES.values()) == len(set().union(*(set(split_cities(s)) for s in SPLITS)))


def test_every_class_spreads_over_the_split_cities():
    labels, city = synthetic_splits.sample_plan("training", 20, seed=0)
    for c in range(17):
        counts = np.bincount(city[labels == c] - split_cities("training")[0],
                             minlength=N_CITIES["training"])
        assert counts.min() == 2 and counts.max() == 2  # 20 samples over 10 cities


def test_same_seed_gives_identical_arrays_and_other_seeds_differ(monkeypatch):
    monkeypatch.setattr(synthetic_splits, "CHUNK", 8)  # several blocks, so worker order matters
    a = generate_split("validation", 1, seed=3, workers=1)
    b = generate_split("validation", 1, seed=3, workers=3)
    c = generate_split("validation", 1, seed=4, workers=1)
    for key in ("sen1", "sen2", "label", "city"):
        assert np.array_equal(a[key], b[key]), key
    assert not np.array_equal(a["sen2"], c["sen2"])
    assert not np.array_equal(a["sen1"], c["sen1"])


def test_make_synthetic_writes_what_generate_split_returns(tiny_set):
    data, _ = _read(tiny_set / "testing.h5")
    again = generate_split("testing", 1, seed=5)
    for key in ("sen1", "sen2", "label", "city"):
        assert np.array_equal(data[key], again[key]), key


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_failure_leaves_no_file_and_keeps_an_existing_one(tmp_path, monkeypatch):
    make_synthetic(tmp_path, seed=1, progress=False, **SIZES)
    before = {name: _digest(tmp_path / name) for name in SPLIT_FILES.values()}

    calls = {"n": 0}
    real = synthetic_splits.render_samples

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("simulated crash while rendering")
        return real(*args, **kwargs)

    monkeypatch.setattr(synthetic_splits, "render_samples", flaky)
    monkeypatch.setattr(synthetic_splits, "CHUNK", 8)
    with pytest.raises(RuntimeError, match="simulated crash"):
        make_synthetic(tmp_path, seed=2, progress=False, **SIZES)
    assert {name: _digest(tmp_path / name) for name in SPLIT_FILES.values()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(SPLIT_FILES.values())

    fresh = tmp_path / "fresh"
    calls["n"] = 0
    with pytest.raises(RuntimeError):
        make_synthetic(fresh, seed=2, progress=False, **SIZES)
    assert list(fresh.iterdir()) == []


@pytest.mark.parametrize("bad, error", [(0, ValueError), (-1, ValueError), (1.5, TypeError),
                                        (True, TypeError), ("10", TypeError), (None, TypeError)])
def test_bad_sizes_are_rejected_with_the_argument_named(tmp_path, bad, error):
    expected = r"n_val must be a positive integer, got .*; samples per class \(17 classes\)"
    with pytest.raises(error, match=expected):
        make_synthetic(tmp_path, n_train=1, n_val=bad, n_test=1, progress=False)
    with pytest.raises(error, match=expected):
        synthetic_matches(tmp_path, n_train=1, n_val=bad, n_test=1)
    with pytest.raises(error, match=expected.replace("n_val", "n_per_class")):
        generate_split("testing", bad)
    assert list(tmp_path.iterdir()) == []


def test_bad_seed_split_and_root_are_rejected(tmp_path):
    with pytest.raises(ValueError, match="seed must be an integer >= 0, got -1"):
        make_synthetic(tmp_path, seed=-1, progress=False, **SIZES)
    for wrong_type in (1.0, "0", False):
        with pytest.raises(TypeError, match="seed must be an integer >= 0, got"):
            make_synthetic(tmp_path, seed=wrong_type, progress=False, **SIZES)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="split must be one of"):
        generate_split("train", 1)
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(ValueError, match="root must be a folder"):
        make_synthetic(a_file, progress=False, **SIZES)


def test_default_set_is_small_enough():
    per_sample = 4 * (32 * 32 * (8 + 10) + 17) + 2
    total = 17 * (synthetic.DEFAULT_N_TRAIN + synthetic.DEFAULT_N_VAL
                  + synthetic.DEFAULT_N_TEST) * per_sample
    assert 300 <= synthetic.DEFAULT_N_TRAIN <= 500
    assert total < 0.8e9
