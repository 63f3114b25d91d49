"""Issue 13, the data side: each fault a careless or hostile user found, reproduced as a test.

1. the generator replaced files it did not write (real So2Sat files), and left them 0600;
3. one huge finite SAR value wrecked the normalisation of its channel in every split;
8. ``swdkit data verify`` exited 0 for what it did not check, and gave wrong advice for a file;
9. a killed ``prepare`` or ``synthetic`` left hidden temporary files no later run removed;
12. a label row ``[1, 1, -1]`` was read as a class; a training split without a class passed.

Each test failed on the code before the fix. They use only public behaviour (no name the fix
added), so they can be run against an older checkout to see that.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path

import h5py
import numpy as np
import pytest
from so2sat_fakes import write_random_so2sat, write_so2sat

from swdkit import data
from swdkit.cli import main
from swdkit.data.io import _download as so2sat_files
from swdkit.data.io import prepare
from swdkit.data.io._download import RemoteFile

SPLITS = ("training", "validation", "testing")
LOWRISE = np.repeat([2, 5, 6, 7], 6)


def _state(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file's bytes, mode and modification time: what "nothing changed" means."""
    return {p.name: (p.read_bytes(), p.stat().st_mode, p.stat().st_mtime_ns)
            for p in sorted(folder.iterdir())}


def _real_folder(root: Path) -> Path:
    """Three So2Sat-layout files without a generator attribute, as a download leaves them."""
    for offset, split in enumerate(SPLITS):
        write_random_so2sat(root / f"{split}.h5", LOWRISE, seed=offset)
        (root / f"{split}.h5").chmod(0o644)
    return root


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*"))


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


# --- 1. the generator never replaces files it did not write ---------------------------------


@pytest.mark.parametrize("extra", [[], ["--if-missing"]])
def test_synthetic_refuses_a_folder_of_real_files(tmp_path, capsys, extra):
    root = _real_folder(tmp_path / "so2sat")
    before = _state(root)
    code = main(["data", "synthetic", "--out", str(root), "--n-train", "1", "--n-val", "1",
                 "--n-test", "1", *extra])
    err = capsys.readouterr().err
    assert code == 2 and _state(root) == before
    assert "testing.h5, training.h5, validation.h5" in err and "Nothing was changed" in err
    assert "--out DIR" in err and "data_dir" in err


def test_lesson_data_default_never_replaces_real_files(tmp_path, monkeypatch):
    import swdkit.data.synthetic as synthetic

    for name in ("DEFAULT_N_TRAIN", "DEFAULT_N_VAL", "DEFAULT_N_TEST"):  # fast if it did write
        monkeypatch.setattr(synthetic, name, 1)
    root = _real_folder(tmp_path / "so2sat")
    (root / "notes.txt").write_text("mine")
    before = _state(root)
    monkeypatch.setenv("SWDKIT_DATA_DIR", str(root))
    with pytest.raises(ValueError, match="will not write into") as err:
        data.load_lesson_data()
    assert "notes.txt" in str(err.value) and "SWDKIT_DATA_DIR" in str(err.value)
    assert _state(root) == before
    assert data.load_lesson_data(root).source == "so2sat", "read as it is when named"


def test_generated_files_follow_the_umask_and_the_generator_rewrites_its_own(tmp_path,
                                                                            umask_022):
    from swdkit.data.synthetic import make_synthetic

    root = make_synthetic(tmp_path / "syn", n_train=1, n_val=1, n_test=1, progress=False)
    assert {p.name: p.stat().st_mode & 0o777 for p in root.iterdir()} == {
        f"{s}.h5": 0o644 for s in SPLITS}
    make_synthetic(root, n_train=1, n_val=1, n_test=1, seed=1, progress=False)  # its own: fine
    with h5py.File(root / "training.h5", "r") as f:
        assert f.attrs["generator"] == "swdkit.synthetic" and f.attrs["seed"] == 1


# --- 3. a value no sensor records never sets the normalisation --------------------------------


@pytest.mark.parametrize("split", ["training", "validation"])
def test_a_huge_sar_value_is_refused_with_its_count_and_place(tmp_path, split):
    _real_folder(tmp_path)
    with h5py.File(tmp_path / f"{split}.h5", "r+") as f:
        f["sen1"][3, 4, 5, 2] = 3e38  # sample 3, row 4, column 5, VV real
    with pytest.raises(ValueError, match="cannot be measurements") as err:
        data.load_lesson_data(tmp_path)
    message = str(err.value)
    assert f"the SAR of the {split} split" in message and "holds 1 value that" in message
    assert "(sample 3, VV real, row 4, column 5) = 3e+38" in message


def test_bright_scatterers_are_measurements_and_reading_does_not_overflow(tmp_path):
    _real_folder(tmp_path)
    with h5py.File(tmp_path / "training.h5", "r+") as f:
        f["sen1"][0, :2, :2, 2:4] = 60.0  # +35 dB point scatterers: amplitude about 60
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy overflow warning, no other warning
        lesson = data.load_lesson_data(tmp_path)
    assert np.isfinite(lesson.train.sar).all()
    write_so2sat(tmp_path / "big" / "training.h5", [2, 5, 6, 7], dtype="f4", planted=False)
    with h5py.File(tmp_path / "big" / "training.h5", "r+") as f:
        f["sen1"][0, 0, :2, 2] = 3e38  # two of them overflow a float32 sum
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        split = data.load_split(tmp_path / "big", "training", classes="lowrise")
    assert split.sar[0, 0, 0, 0] == np.float32(3e38)


# --- 8. verify says what it checked ------------------------------------------------------------


def test_verify_fails_when_it_checked_nothing(tmp_path, capsys):
    from swdkit.data.synthetic import make_synthetic

    make_synthetic(tmp_path, n_train=1, n_val=1, n_test=1, progress=False)
    assert main(["data", "verify", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.out.count("NOT CHECKED") == 3 and "0 verified" in captured.out
    assert "nothing was verified" in captured.err


def test_verify_reports_missing_splits_and_a_file_with_a_generator_attribute(
        tmp_path, monkeypatch, capsys):
    blobs = {s: f"{s} bytes ".encode() * 300 for s in SPLITS}
    monkeypatch.setitem(so2sat_files.FILES, "2", tuple(
        RemoteFile(f"{s}.h5", hashlib.md5(b).hexdigest(), len(b)) for s, b in blobs.items()))
    (tmp_path / "validation.h5").write_bytes(blobs["validation"])
    assert main(["data", "verify", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert out.count("MISSING") == 2 and "1 verified" in out and "2 missing" in out
    assert f"swdkit data download --version 2 --out {tmp_path} --split testing" in out
    write_so2sat(tmp_path / "training.h5", [0, 1], attrs={"generator": "anything"})
    (tmp_path / "testing.h5").write_bytes(blobs["testing"])
    assert main(["data", "verify", str(tmp_path)]) == 1, "an attribute is no checksum"
    assert "2 verified, 0 bad; 1 not checked" in capsys.readouterr().out


def test_verify_checks_a_file_it_is_given(tmp_path, monkeypatch, capsys):
    blob = b"validation bytes " * 300
    monkeypatch.setitem(so2sat_files.FILES, "2", (
        RemoteFile("validation.h5", hashlib.md5(blob).hexdigest(), len(blob)),))
    (tmp_path / "validation.h5").write_bytes(blob)
    assert main(["data", "verify", str(tmp_path / "validation.h5")]) == 0
    assert "1 verified" in capsys.readouterr().out


# --- 9. a killed run's temporary files are removed by the next run -----------------------------


def _run_killed(code: str) -> None:
    """Run ``code`` in a fresh interpreter that ends by SIGKILL (what ``kill -9`` does)."""
    proc = subprocess.run([sys.executable, "-c", code], env={**os.environ},
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr


def test_a_killed_prepare_leaves_nothing_after_the_next_run(tmp_path):
    src = write_so2sat(tmp_path / "src" / "training.h5", np.arange(34) % 17)
    out = tmp_path / "cache"
    _run_killed(
        "import os\n"
        "from swdkit.data.io import _copy\n"
        "def killed(*args, **kwargs):\n"
        "    os.kill(os.getpid(), 9)\n"
        "_copy.copy_blocks = killed\n"
        "from swdkit.data.io import prepare\n"
        f"prepare({str(src)!r}, {str(out)!r}, progress=False)\n")
    assert _hidden(out), "the killed run left its temporary file"
    prepare(src, out, progress=False)
    assert _hidden(out) == [] and sorted(p.name for p in out.iterdir()) == ["training.h5"]


def test_a_killed_synthetic_leaves_nothing_after_the_next_run(tmp_path):
    root = tmp_path / "syn"
    killed = ("import os\n"
              "from swdkit.fileio import atomic_path\n"
              f"with atomic_path({str(root / 'testing.h5')!r}) as tmp:\n"
              "    tmp.write_bytes(b'half a file' * 1000)\n"
              "    os.kill(os.getpid(), 9)\n")
    args = ["data", "synthetic", "--out", str(root), "--n-train", "1", "--n-val", "1",
            "--n-test", "1"]
    _run_killed(killed)
    assert _hidden(root)
    assert main(args) == 0 and _hidden(root) == []
    _run_killed(killed)
    assert main([*args, "--if-missing"]) == 0, "keeps the matching set ..."
    assert _hidden(root) == [], "... and still removes what the killed run left"


# --- 12. labels that are not one-hot; a training split without a class -------------------------


def test_a_label_row_that_is_not_one_hot_is_refused_with_its_row(tmp_path):
    path = write_so2sat(tmp_path / "training.h5", [2, 5, 6, 7, 2, 5])
    with h5py.File(path, "r+") as f:
        f["label"][3] = np.r_[1.0, 1.0, -1.0, np.zeros(14)]  # max 1 and sum 1
    with pytest.raises(ValueError, match=r"not one-hot .*first at rows \[3\]; row 3 holds"):
        data.load_split(tmp_path, "training", classes="all")


def test_a_training_split_without_a_class_is_refused(tmp_path):
    _real_folder(tmp_path)
    write_random_so2sat(tmp_path / "training.h5", np.repeat([2, 5, 6], 6), seed=0)
    with pytest.raises(ValueError, match="no training sample of 1 of the 4") as err:
        data.load_lesson_data(tmp_path, classes="lowrise")
    assert "LCZ 8" in str(err.value) and "classes=[2, 5, 6]" in str(err.value)
    write_random_so2sat(tmp_path / "testing.h5", np.repeat([2, 5, 6], 6), seed=2)
    _real_folder(tmp_path / "ok")
    write_random_so2sat(tmp_path / "ok" / "testing.h5", np.repeat([2, 5, 6], 6), seed=2)
    assert data.load_lesson_data(tmp_path / "ok").n_classes == 4, "a test split may lack one"
