"""The generator's output folder: what it may write over, and what it finds there.

:func:`check_output_folder` keeps the generator from replacing files it did not write (real
So2Sat files above all); :func:`synthetic_matches` tells whether a folder already holds exactly
the set asked for, so it need not be made again; :func:`read_attributes` reads a file's
generator attributes.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from swdkit._checks import check_value
from swdkit.data.synthetic._options import RadarOptions
from swdkit.data.synthetic._splits import N_CLASSES, SPLITS
from swdkit.fileio import foreign_entries

GENERATOR_NAME = "swdkit.synthetic"  # marker in every generated file, kept across layouts
# 2: the radar's heavy tail (K-distributed texture, bright point scatterers) and the optical gain,
#    calibrated to the real set's published channel statistics (_calibration).
GENERATOR_VERSION = 2
DEFAULT_N_TRAIN = 400
DEFAULT_N_VAL = 50
DEFAULT_N_TEST = 100
SPLIT_FILES = {split: f"{split}.h5" for split in SPLITS}
PER_CLASS = f"samples per class ({N_CLASSES} classes)"  # what a size means, for messages


def checked_sizes(n_train: int, n_val: int, n_test: int, seed: int) -> tuple[dict, int]:
    """The per-class sizes by split, and the seed, checked (:func:`swdkit._checks.check_value`).

    Raises:
        TypeError: a size or the seed is not an integer (a bool, a float, a string, None).
        ValueError: a size below 1 or a negative seed.
    """
    sizes = {"training": check_value("n_train", n_train, "positive integer", hint=PER_CLASS),
             "validation": check_value("n_val", n_val, "positive integer", hint=PER_CLASS),
             "testing": check_value("n_test", n_test, "positive integer", hint=PER_CLASS)}
    return sizes, check_value("seed", seed, "integer >= 0")


def read_attributes(path: str | os.PathLike) -> dict | None:
    """The generator attributes of one synthetic file, or None if it is missing or unreadable."""
    import h5py

    try:
        with h5py.File(path, "r") as f:
            return {k: (v.tolist() if isinstance(v, np.ndarray) else v)
                    for k, v in f.attrs.items()}
    except (OSError, KeyError, ValueError):
        return None


def _is_own(entry: Path) -> bool:
    """Whether ``entry`` is a split file this generator wrote (any version or settings)."""
    if entry.name not in SPLIT_FILES.values() or not entry.is_file():
        return False
    return (read_attributes(entry) or {}).get("generator") in (GENERATOR_NAME,
                                                               GENERATOR_NAME.encode())


def check_output_folder(root: str | os.PathLike) -> Path:
    """Refuse to write into a folder that holds anything but this generator's own output.

    Accepted: a missing or empty folder, or one holding only this generator's split files
    (``generator="swdkit.synthetic"``, any version or settings) and temporary files of an
    interrupted run; so it never replaces a file it did not write, such as real So2Sat files.

    Returns:
        ``root`` as a :class:`pathlib.Path` (``~`` expanded).

    Raises:
        ValueError: ``root`` is a file, or holds other files (named in the message, with the
            ways out). Nothing is written or changed.
    """
    root = Path(root).expanduser()
    if root.exists() and not root.is_dir():
        raise ValueError(f"root must be a folder; {str(root)!r} exists and is a file. "
                         "Pass a folder path (it is created if missing).")
    foreign = [p.name for p in foreign_entries(root, _is_own)]
    if foreign:
        more = f" and {len(foreign) - 6} more" if len(foreign) > 6 else ""
        shown = ", ".join(foreign[:6]) + more
        raise ValueError(
            f"the synthetic generator will not write into {root}: it holds {shown}, which the "
            f"generator did not write (its files carry the HDF5 attribute "
            f"generator={GENERATOR_NAME!r}). Nothing was changed. To read the data there, "
            f"pass the folder as data_dir (load_lesson_data(data_dir=...)); to make the "
            f"synthetic set, choose an empty or new folder (`swdkit data synthetic --out "
            f"DIR`, or set SWDKIT_DATA_DIR to it), or move those files away.")
    return root


def synthetic_matches(root: str | os.PathLike, *, n_train: int = DEFAULT_N_TRAIN,
                      n_val: int = DEFAULT_N_VAL, n_test: int = DEFAULT_N_TEST,
                      seed: int = 0, scatterer_db: float | None = 0.0, looks: int = 1,
                      twin: float | None = None) -> bool:
    """Whether ``root`` holds exactly the set ``make_synthetic`` would write for these arguments.

    True when all three files exist, open, carry this generator's name and version, the seed,
    the three per-class sizes and the radar knobs (``scatterer_db``, ``looks``, ``twin``:
    :meth:`swdkit.data.synthetic._options.RadarOptions.matches`), and have datasets of the
    expected shapes. A missing, partial or foreign file gives False (never an exception), so
    callers can regenerate.

    Raises:
        TypeError, ValueError: an argument itself is wrong (as for ``make_synthetic``).
    """
    sizes, seed = checked_sizes(n_train, n_val, n_test, seed)
    knobs = RadarOptions(scatterer_db, looks, twin)
    import h5py

    for split in SPLITS:
        path = Path(root) / SPLIT_FILES[split]
        attrs = read_attributes(path)
        if attrs is None:
            return False
        expected = {"generator": GENERATOR_NAME, "generator_version": GENERATOR_VERSION,
                    "seed": seed, "n_train": sizes["training"], "n_val": sizes["validation"],
                    "n_test": sizes["testing"], "split": split}
        if any(attrs.get(k) != v for k, v in expected.items()) \
                or not knobs.matches(attrs):
            return False
        n = N_CLASSES * sizes[split]
        try:
            with h5py.File(path, "r") as f:
                shapes = {k: f[k].shape for k in ("sen1", "sen2", "label")}
        except (OSError, KeyError):
            return False
        if shapes != {"sen1": (n, 32, 32, 8), "sen2": (n, 32, 32, 10), "label": (n, N_CLASSES)}:
            return False
    return True
