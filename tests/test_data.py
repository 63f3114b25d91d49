"""swdkit.data: the So2Sat reader, class configurations, few-shot sampling, lesson data."""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

import h5py
import numpy as np
import pytest
from so2sat_fakes import (
    install_fake_synthetic,
    planted_sen1,
    planted_sen2,
    write_random_so2sat,
    write_so2sat,
)

from swdkit import data
from swdkit.data.io import prepare

ALL17 = np.arange(40) % 17  # rows 0..39 cycle through the 17 classes


def _expected_eo(row: int) -> np.ndarray:
    return np.stack([planted_sen2(row, k) for k in (2, 1, 0)])  # B4, B3, B2


def _expected_sar(row: int) -> np.ndarray:
    return np.stack([planted_sen1(row, k) for k in (2, 3)])  # VV real, VV imaginary


# --- channels, layout, classes -------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["f8", "f4"])
def test_each_planted_channel_lands_where_it_should(tmp_path, dtype):
    write_so2sat(tmp_path / "training.h5", ALL17, dtype=dtype)
    split = data.load_split(tmp_path, "training")
    assert split.eo.shape == (40, 3, 32, 32) and split.eo.dtype == np.float32
    assert split.sar.shape == (40, 2, 32, 32) and split.sar.dtype == np.float32
    assert split.labels.dtype == np.int64
    for row in range(40):
        np.testing.assert_array_equal(split.eo[row], _expected_eo(row))
        np.testing.assert_array_equal(split.sar[row], _expected_sar(row))
    np.testing.assert_array_equal(split.labels, ALL17)
    assert split.class_names == list(data.CLASS_NAMES)
    assert split.city is None


def test_constants_match_the_published_description():
    assert len(data.CLASS_NAMES) == 17 and data.CLASS_NAMES[16] == "LCZ G water"
    assert data.CLASS_SETS["lowrise"] == (2, 5, 6, 7)
    assert data.CLASS_SETS["urban"] == tuple(range(10))
    assert [data.SEN2_BANDS[k] for k in data.EO_SEN2_INDICES] == ["B4", "B3", "B2"]
    assert [data.SEN1_CHANNELS[k] for k in data.SAR_SEN1_INDICES] == ["VV real", "VV imaginary"]


@pytest.mark.parametrize("classes, kept", [("lowrise", (2, 5, 6, 7)), ("urban", tuple(range(10))),
                                           ([7, 2], (2, 7)), ((16,), (16,))])
def test_class_filtering_and_renumbering(tmp_path, classes, kept):
    write_so2sat(tmp_path / "training.h5", ALL17)
    split = data.load_split(tmp_path, "training", classes=classes)
    rows = [i for i in range(40) if ALL17[i] in kept]
    assert len(split) == len(rows)
    np.testing.assert_array_equal(split.labels, [kept.index(ALL17[i]) for i in rows])
    assert split.class_names == [data.CLASS_NAMES[c] for c in kept]
    for j, row in enumerate(rows):  # the right samples, not only the right count
        np.testing.assert_array_equal(split.eo[j], _expected_eo(row))


def test_city_is_read_when_present(tmp_path):
    write_so2sat(tmp_path / "training.h5", ALL17, city=np.arange(40) // 10)
    split = data.load_split(tmp_path, "training", classes="urban")
    rows = [i for i in range(40) if ALL17[i] < 10]
    np.testing.assert_array_equal(split.city, np.array(rows) // 10)


def test_max_samples_is_strided_and_keeps_the_city_and_class_mix(tmp_path):
    # 20 cities of 30 rows, file ordered by city like the real So2Sat files
    classes = np.tile(np.array([2, 5, 6, 7, 0, 1]), 100)
    write_so2sat(tmp_path / "training.h5", classes, city=np.arange(600) // 30, planted=False)
    a = data.load_split(tmp_path, "training", classes="lowrise", max_samples=40)
    b = data.load_split(tmp_path, "training", classes="lowrise", max_samples=40)
    assert len(a) == 40
    np.testing.assert_array_equal(a.city, b.city)
    assert set(a.city.tolist()) == set(range(20)), "every city keeps samples"
    assert np.bincount(a.labels).tolist() == [10, 10, 10, 10]
    assert len(data.load_split(tmp_path, "training", classes="lowrise", max_samples=10**6)) == 400


def test_max_samples_keeps_unequal_class_proportions(tmp_path):
    classes = np.repeat([2, 5, 6], [301, 99, 200])  # shares 30.1 / 9.9 / 20 of 60
    write_so2sat(tmp_path / "training.h5", classes, planted=False)
    split = data.load_split(tmp_path, "training", classes=[2, 5, 6], max_samples=60)
    assert np.bincount(split.labels).tolist() == [30, 10, 20]


@pytest.mark.parametrize("max_samples", [None, 7])
def test_block_size_does_not_change_the_result(tmp_path, max_samples):
    write_so2sat(tmp_path / "training.h5", ALL17)
    ref = data.load_split(tmp_path, "training", max_samples=max_samples, block_size=10**4)
    for block_size in (1, 3, 16):
        got = data.load_split(tmp_path, "training", max_samples=max_samples,
                              block_size=block_size)
        np.testing.assert_array_equal(got.eo, ref.eo)
        np.testing.assert_array_equal(got.sar, ref.sar)
        np.testing.assert_array_equal(got.labels, ref.labels)


def _rewrite_chunked(src: Path, dst: Path) -> Path:
    """The same data stored chunked and gzip-compressed (what a tool other than TUM's may do)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(src, "r") as f, h5py.File(dst, "w") as g:
        for name in f:
            g.create_dataset(name, data=f[name][:], chunks=True, compression="gzip")
    return dst


@pytest.mark.parametrize("max_samples", [None, 9])
def test_memory_mapped_and_h5py_paths_agree(tmp_path, monkeypatch, max_samples):
    from swdkit.data.io import _read as so2sat_read
    from swdkit.data.io._mmap import mappable

    src = write_so2sat(tmp_path / "plain" / "training.h5", ALL17)
    _rewrite_chunked(src, tmp_path / "chunked" / "training.h5")
    with h5py.File(src) as f, h5py.File(tmp_path / "chunked" / "training.h5") as g:
        assert mappable(f["sen2"]) is not None and mappable(g["sen2"]) is None
    with h5py.File(write_so2sat(tmp_path / "lazy" / "training.h5", ALL17, planted=False)) as f:
        assert mappable(f["sen2"]) is None, "unallocated storage is not mapped"
    via_h5py = data.load_split(tmp_path / "chunked", "training", max_samples=max_samples,
                               block_size=4)

    def refuse(*args):
        raise AssertionError("the contiguous file must take the memory-mapped path")

    monkeypatch.setattr(so2sat_read, "_h5py_lesson_channels", refuse)
    if max_samples is None:  # dense blocks: mapped; the sparse case may use h5py row lists
        via_mmap = data.load_split(tmp_path / "plain", "training", block_size=4)
    else:
        monkeypatch.undo()
        via_mmap = data.load_split(tmp_path / "plain", "training", max_samples=max_samples,
                                   block_size=4)
    np.testing.assert_array_equal(via_mmap.eo, via_h5py.eo)
    np.testing.assert_array_equal(via_mmap.sar, via_h5py.sar)
    np.testing.assert_array_equal(via_mmap.labels, via_h5py.labels)
    for j, row in enumerate(so2sat_read.strided_rows(np.arange(40), ALL17, max_samples)):
        np.testing.assert_array_equal(via_mmap.eo[j], _expected_eo(row))
        np.testing.assert_array_equal(via_mmap.sar[j], _expected_sar(row))


def test_version3_folders(tmp_path):
    write_so2sat(tmp_path / "random" / "testing.h5", ALL17[:5])
    split = data.load_split(tmp_path, "testing", version="3_random")
    np.testing.assert_array_equal(split.labels, ALL17[:5])
    with pytest.raises(ValueError, match=r"validation.*3_block.*\['training', 'testing'\]"):
        data.load_split(tmp_path, "validation", version="3_block")
    with pytest.raises(ValueError, match=r"version='4'.*'2'.*'3_random'"):
        data.load_split(tmp_path, "training", version="4")


def test_split_subset_and_len():
    split = data.Split(eo=np.zeros((5, 3, 32, 32), np.float32),
                       sar=np.zeros((5, 2, 32, 32), np.float32),
                       labels=np.array([0, 1, 0, 1, 1]), class_names=["a", "b"],
                       city=np.arange(5))
    sub = split.subset([4, 0])
    assert len(sub) == 2 and sub.labels.tolist() == [1, 0] and sub.city.tolist() == [4, 0]
    with pytest.raises(ValueError, match="disagree"):
        data.Split(eo=np.zeros((5, 3, 32, 32)), sar=np.zeros((4, 2, 32, 32)),
                   labels=np.zeros(5, np.int64), class_names=["a"])


def test_default_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("SWDKIT_DATA_DIR", str(tmp_path / "here"))
    assert data.default_data_dir() == tmp_path / "here"
    monkeypatch.delenv("SWDKIT_DATA_DIR")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert data.default_data_dir() == tmp_path / ".cache" / "swdkit" / "synthetic"


# --- bad input: a clear error, nothing changed ---------------------------------------------


def _digest(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def test_missing_file_names_the_path_and_the_commands(tmp_path):
    with pytest.raises(FileNotFoundError) as err:
        data.load_split(tmp_path, "validation")
    msg = str(err.value)
    assert str(tmp_path / "validation.h5") in msg
    assert "swdkit data synthetic --out" in msg and "swdkit data download --version 2" in msg


def _write_datasets(path: Path, **arrays) -> Path:
    with h5py.File(path, "w") as f:
        for name, value in arrays.items():
            f[name] = value
    return path


@pytest.mark.parametrize("arrays, expected", [
    ({"s1": np.zeros((2, 32, 32, 8)), "s2": np.zeros((2, 32, 32, 10))},
     r"holds datasets \['s1', 's2'\]; expected the So2Sat layout"),
    ({"sen1": np.zeros((2, 32, 32, 8)), "sen2": np.zeros((2, 32, 32, 9)),
      "label": np.eye(17)[[0, 1]]},
     r"'sen2' has shape \(2, 32, 32, 9\), expected \(N, 32, 32, 10\)"),
    ({"sen1": np.zeros((2, 32, 32, 8), np.int16), "sen2": np.zeros((2, 32, 32, 10)),
      "label": np.eye(17)[[0, 1]]}, r"'sen1' has dtype int16, expected float64 or float32"),
    ({"sen1": np.zeros((2, 32, 32, 8)), "sen2": np.zeros((2, 32, 32, 10))},
     r"dataset 'label' is missing"),
    ({"sen1": np.zeros((3, 32, 32, 8)), "sen2": np.zeros((2, 32, 32, 10)),
      "label": np.eye(17)[[0, 1]]}, r"disagree on the number of samples"),
    ({"sen1": np.zeros((2, 32, 32, 8)), "sen2": np.zeros((2, 32, 32, 10)),
      "label": np.array([np.eye(17)[0], np.zeros(17)])}, r"1 of 2 rows of 'label' are not one-hot"),
])
def test_wrong_layout_says_what_was_expected_and_found(tmp_path, arrays, expected):
    path = _write_datasets(tmp_path / "training.h5", **arrays)
    before = _digest(path)
    with pytest.raises(ValueError, match=expected):
        data.load_split(tmp_path, "training")
    assert _digest(path) == before


def test_truncated_file_says_so_and_is_left_alone(tmp_path):
    path = write_so2sat(tmp_path / "training.h5", ALL17)
    cut = path.read_bytes()[: path.stat().st_size // 2]
    path.write_bytes(cut)
    with pytest.raises(ValueError, match="truncated"):
        data.load_split(tmp_path, "training")
    assert path.read_bytes() == cut


def test_not_an_hdf5_file(tmp_path):
    (tmp_path / "training.h5").write_bytes(b"<html>login page</html>" * 50)
    with pytest.raises(ValueError, match="not a readable HDF5 file"):
        data.load_split(tmp_path, "training")


def test_nonfinite_values_are_counted_replaced_by_zero_and_warned(tmp_path):
    path = write_so2sat(tmp_path / "training.h5", ALL17)
    with h5py.File(path, "r+") as f:
        f["sen2"][3, 4, 5, 2] = np.nan  # EO red of row 3
        f["sen2"][7, 0, 0, 0] = np.inf  # EO blue of row 7
        f["sen2"][7, 0, 0, 9] = np.nan  # B12: not a lesson channel, not counted
        f["sen1"][1, 2, 3, 3] = -np.inf  # SAR VV imaginary of row 1
        f["sen1"][1, 2, 3, 0] = np.nan  # VH: not read
    with pytest.warns(UserWarning, match="replaced 2 non-finite EO values and 1 non-finite SAR"):
        split = data.load_split(tmp_path, "training")
    assert split.eo[3, 0, 4, 5] == 0 and split.eo[7, 2, 0, 0] == 0 and split.sar[1, 1, 2, 3] == 0
    assert np.isfinite(split.eo).all() and np.isfinite(split.sar).all()
    assert split.eo[3, 0, 4, 6] == planted_sen2(3, 2)[4, 6]


@pytest.mark.parametrize("classes, expected", [
    ("suburban", r"'suburban' is not a class configuration; choose one of \['all', 'lowrise', "
                 r"'urban'\]"),
    ([2, 17], r"distinct integers in 0..16"),
    ([2, 2], r"distinct integers"),
    ([], r"at least one"),
    ([1.5], r"distinct integers"),
])
def test_bad_class_configuration(tmp_path, classes, expected):
    write_so2sat(tmp_path / "training.h5", ALL17[:3])
    with pytest.raises(ValueError, match=expected):
        data.load_split(tmp_path, "training", classes=classes)


@pytest.mark.parametrize("max_samples, error", [(0, ValueError), (-3, ValueError),
                                                 ("10", TypeError), (2.5, TypeError),
                                                 (True, TypeError)])
def test_bad_max_samples(tmp_path, max_samples, error):
    write_so2sat(tmp_path / "training.h5", ALL17[:3])
    with pytest.raises(error, match=r"max_samples must be a positive integer or None, got "
                                    r".*None keeps every sample"):
        data.load_split(tmp_path, "training", max_samples=max_samples)


@pytest.mark.parametrize("block_size, error", [(0, ValueError), ("64", TypeError),
                                               (8.0, TypeError)])
def test_bad_block_size(tmp_path, block_size, error):
    write_so2sat(tmp_path / "training.h5", ALL17[:3])
    with pytest.raises(error, match=f"block_size must be a positive integer, got .*{block_size}"):
        data.load_split(tmp_path, "training", block_size=block_size)
    with pytest.raises(error, match="block_size must be a positive integer"):
        prepare(tmp_path / "training.h5", tmp_path / "cache", block_size=block_size,
                progress=False)
    assert not (tmp_path / "cache").exists()


def test_no_sample_of_the_requested_classes(tmp_path):
    write_so2sat(tmp_path / "training.h5", [0, 1, 0])
    with pytest.raises(ValueError, match=r"no sample of classes \[2, 5, 6, 7\] \(3 samples in "
                                         r"all, of classes \[0, 1\]\); ask for classes it holds"):
        data.load_split(tmp_path, "training", classes="lowrise")


def test_a_file_that_breaks_mid_read_says_what_to_do(tmp_path, monkeypatch):
    from swdkit.data.io import _read as so2sat_read

    path = write_so2sat(tmp_path / "training.h5", ALL17)
    real = so2sat_read.iter_blocks

    def breaking(*args, **kwargs):
        blocks = real(*args, **kwargs)
        yield next(blocks)
        raise OSError("Can't read data (inflate() failed)")

    monkeypatch.setattr(so2sat_read, "iter_blocks", breaking)
    verify_hint = f"Check it with `swdkit data verify {path}` and fetch or make it again"
    with pytest.raises(ValueError, match="could not be read to the end") as err:
        data.load_split(tmp_path, "training", block_size=8)
    assert "inflate() failed" in str(err.value) and verify_hint in str(err.value)
    with pytest.raises(ValueError, match="Nothing was written") as err:
        prepare(path, tmp_path / "cache", block_size=8, progress=False)
    assert verify_hint in str(err.value)
    assert not any(p.is_file() for p in (tmp_path / "cache").rglob("*"))


def test_prepare_that_cannot_write_says_what_to_do(tmp_path, monkeypatch):
    from swdkit.data.io import _copy as so2sat_copy

    src = write_so2sat(tmp_path / "src" / "training.h5", ALL17)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(so2sat_copy, "copy_blocks", full_disk)
    with pytest.raises(ValueError, match=r"could not write the cache .*No space left.*nothing "
                                         r"was written. Check that .* is writable and has room"):
        prepare(src, tmp_path / "cache", progress=False)
    assert not any(p.is_file() for p in (tmp_path / "cache").rglob("*"))


# --- few-shot sampling ----------------------------------------------------------------------


def _even_reference(counts: list[int], n: int) -> list[int]:
    """Slow and obviously even: hand out one sample at a time to the poorest class with room."""
    share = [0] * len(counts)
    for _ in range(n):
        room = [k for k in range(len(counts)) if share[k] < counts[k]]
        k = min(room, key=lambda k: share[k])
        share[k] += 1
    return share


@pytest.mark.parametrize("counts", [[100, 100, 100, 100], [2, 50, 50, 50], [1, 3, 7, 40, 9],
                                    [5, 5, 5]])
def test_few_shot_is_as_even_as_the_counts_allow(counts):
    labels = np.repeat(np.arange(len(counts)), counts)
    np.random.default_rng(0).shuffle(labels)
    for n in range(0, sum(counts) + 1, 1 if sum(counts) < 100 else 7):
        idx = few_shot = data.few_shot_indices(labels, n, seed=3)
        assert len(idx) == n and len(set(idx.tolist())) == n
        got = np.bincount(labels[few_shot], minlength=len(counts)).tolist()
        ref = _even_reference(counts, n)
        # which classes get the remainders is the seed's choice; how even it is is not
        assert sorted(got) == sorted(ref)
        assert all(got[a] >= max(got) - 1 for a in range(len(counts)) if got[a] < counts[a])


def test_few_shot_is_deterministic_nested_and_seed_dependent():
    labels = np.repeat(np.arange(4), 50)
    a = data.few_shot_indices(labels, 34, seed=1)
    np.testing.assert_array_equal(a, data.few_shot_indices(labels, 34, seed=1))
    assert not np.array_equal(a, data.few_shot_indices(labels, 34, seed=2))
    extras = {tuple(np.bincount(labels[data.few_shot_indices(labels, 34, seed=s)]))
              for s in range(20)}
    assert len(extras) > 1, "the seed decides which classes get the two remainders"
    previous: set[int] = set()
    for n in range(0, 201, 7):
        chosen = set(data.few_shot_indices(labels, n, seed=5).tolist())
        assert previous <= chosen
        previous = chosen


def test_few_shot_full_and_none_mean_everything():
    labels = np.array([0, 1, 1, 2])
    for n in (None, "full"):
        np.testing.assert_array_equal(data.few_shot_indices(labels, n, seed=0), np.arange(4))


def test_few_shot_bad_input():
    labels = np.repeat(np.arange(4), [10, 10, 10, 3])
    with pytest.raises(ValueError, match=r"n_labeled=40 but only 33 samples exist .*3: 3"):
        data.few_shot_indices(labels, 40, seed=0)
    with pytest.raises(ValueError, match=r"n_labeled must be an integer >= 0, got -1; None or "
                                         r"'full' choose every sample"):
        data.few_shot_indices(labels, -1, seed=0)
    for wrong_type in ("all", 2.0, True):
        with pytest.raises(TypeError, match=r"n_labeled must be an integer >= 0, got"):
            data.few_shot_indices(labels, wrong_type, seed=0)
    assert len(data.few_shot_indices(labels, np.int64(5), seed=0)) == 5
    with pytest.raises(ValueError, match="1-D integer array"):
        data.few_shot_indices(labels.astype(float), 4, seed=0)


# --- lesson data ------------------------------------------------------------------------------


def _write_lesson_folder(root: Path, attrs: dict | None = None) -> None:
    lowrise = np.repeat([2, 5, 6, 7, 0], 6)
    write_random_so2sat(root / "training.h5", lowrise, seed=0, attrs=attrs)
    write_random_so2sat(root / "validation.h5", lowrise, seed=1, eo_offset=5.0, attrs=attrs)
    write_random_so2sat(root / "testing.h5", lowrise, seed=2, eo_offset=9.0, attrs=attrs)


def test_lesson_data_fits_statistics_on_training_only(tmp_path):
    _write_lesson_folder(tmp_path)
    lesson = data.load_lesson_data(tmp_path, classes="lowrise")
    raw_train = data.load_split(tmp_path, "training", classes="lowrise")
    raw_val = data.load_split(tmp_path, "validation", classes="lowrise")
    mean = raw_train.eo.astype(np.float64).mean(axis=(0, 2, 3))
    std = raw_train.eo.astype(np.float64).std(axis=(0, 2, 3))
    np.testing.assert_allclose(lesson.stats.eo_mean, mean, rtol=1e-6)
    np.testing.assert_allclose(lesson.train.eo.mean(axis=(0, 2, 3)), 0, atol=1e-4)
    np.testing.assert_allclose(lesson.train.eo.std(axis=(0, 2, 3)), 1, atol=1e-4)
    expected_val = (raw_val.eo - mean[None, :, None, None]) / std[None, :, None, None]
    np.testing.assert_allclose(lesson.val.eo, expected_val, rtol=1e-4, atol=1e-4)
    assert lesson.val.eo.mean() > 10, "validation is shifted, so train-only statistics show it"
    assert lesson.n_classes == 4 and lesson.class_names == raw_train.class_names
    assert lesson.source == "so2sat" and lesson.data_dir == tmp_path
    assert len(lesson.train) == 24 and lesson.test.labels.max() == 3


def test_lesson_data_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="swdkit data synthetic --out"):
        data.load_lesson_data(tmp_path / "nothing")
    with pytest.raises(ValueError, match="sar_norm='log'"):
        data.load_lesson_data(tmp_path, sar_norm="log")


def test_lesson_data_default_makes_the_synthetic_set_once(tmp_path, monkeypatch):
    fake = install_fake_synthetic(monkeypatch)
    monkeypatch.setenv("SWDKIT_DATA_DIR", str(tmp_path / "syn"))
    lesson = data.load_lesson_data()
    assert lesson.source == "synthetic" and lesson.data_dir == tmp_path / "syn"
    assert fake.calls == [{"root": tmp_path / "syn", "n_train": 3, "n_val": 2, "n_test": 2,
                           "seed": 0}]
    assert len(lesson.train) == 12
    data.load_lesson_data()
    assert len(fake.calls) == 1, "a matching set is reused"


def test_lesson_data_default_remakes_a_set_made_with_other_settings(tmp_path, monkeypatch):
    _write_lesson_folder(tmp_path, attrs={"generator": "fake", "seed": 7, "n_train": 3,
                                          "n_val": 2, "n_test": 2})
    fake = install_fake_synthetic(monkeypatch)
    monkeypatch.setenv("SWDKIT_DATA_DIR", str(tmp_path))
    data.load_lesson_data()
    assert len(fake.calls) == 1 and fake.calls[0]["seed"] == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data.load_lesson_data()
    assert len(fake.calls) == 1


def test_real_generator_files_read_through_the_same_path(tmp_path):
    from swdkit.data.synthetic import _make as synthetic

    synthetic.make_synthetic(tmp_path, n_train=2, n_val=1, n_test=1, seed=3, progress=False)
    lesson = data.load_lesson_data(tmp_path, classes="all")
    assert lesson.source == "synthetic" and lesson.n_classes == 17
    assert len(lesson.train) == 34 and len(lesson.val) == 17 and lesson.train.city is not None
    raw = data.load_split(tmp_path, "training")  # classes "all": file row r is sample r
    with h5py.File(tmp_path / "training.h5", "r") as f:
        for r in (0, 17, 33):
            rgb, vv = f["sen2"][r][..., [2, 1, 0]], f["sen1"][r][..., 2:4]
            np.testing.assert_array_equal(raw.eo[r], rgb.transpose(2, 0, 1))
            np.testing.assert_array_equal(raw.sar[r], vv.transpose(2, 0, 1))
            assert raw.labels[r] == np.argmax(f["label"][r]) and raw.city[r] == f["city"][r]
