"""The two HDF5 layouts swdkit reads: checks, labels, and clear errors for bad files.

Two on-disk layouts are understood, and detected from the datasets a file holds:

``so2sat`` (the published LCZ42 files and swdkit's synthetic stand-in), channels last:
    ``sen1`` (N, 32, 32, 8) float64 or float32, ``sen2`` (N, 32, 32, 10) float64 or float32,
    ``label`` (N, 17) one-hot, optional ``city`` (N,) integer.

``cache`` (written by ``swdkit data prepare``), channels first, only what the lessons use:
    ``eo`` (N, 3, 32, 32) float32 = Sentinel-2 B4, B3, B2 (RGB);
    ``sar`` (N, 2, 32, 32) float32 = Sentinel-1 unfiltered VV real, VV imaginary;
    ``label`` (N,) int64 = the original So2Sat class index 0..16 (not renumbered, so one cache
    serves every class configuration it contains); optional ``city`` (N,) int64; file attributes
    ``swdkit_format = "swdkit-lesson-cache"``, ``swdkit_format_version = 1`` and
    ``class_indices`` (the So2Sat classes the cache kept).

Reading rows block by block is :mod:`swdkit.data.io._read`. Reference for the So2Sat layout:
Zhu et al., "So2Sat LCZ42", IEEE GRSM 8(3), 2020.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

N_CLASSES = 17
PATCH = 32
CACHE_FORMAT = "swdkit-lesson-cache"
CACHE_FORMAT_VERSION = 1
DEFAULT_BLOCK_SIZE = 1024
PROGRESS_ROWS = 20_000  # show a progress bar when reading at least this many rows

# Dataset name -> per-sample shape, for each layout.
SO2SAT_SHAPES = {"sen1": (PATCH, PATCH, 8), "sen2": (PATCH, PATCH, 10), "label": (N_CLASSES,)}
CACHE_SHAPES = {"eo": (3, PATCH, PATCH), "sar": (2, PATCH, PATCH), "label": ()}
# Channels the lessons use: Sentinel-2 bands 0:3 (B2, B3, B4) read then reversed to RGB;
# Sentinel-1 channels 2:4 (unfiltered VV real, imaginary).
SEN2_RGB_SLICE = slice(0, 3)
SEN1_VV_SLICE = slice(2, 4)
EO_SEN2_CHANNELS = slice(2, None, -1)  # 2, 1, 0: B4, B3, B2 in one strided view
SAR_SEN1_CHANNELS = SEN1_VV_SLICE


def open_h5(path: str | os.PathLike, *, missing_hint: str = "") -> Any:
    """Open ``path`` read-only with h5py, turning h5py's errors into clear ones.

    Raises:
        FileNotFoundError: the file does not exist (the message adds ``missing_hint``).
        ValueError: the file exists but is not a readable HDF5 file (truncated, corrupt, or
            another format).
    """
    import h5py

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no data file at {path}. {missing_hint}".strip())
    try:
        return h5py.File(path, "r")
    except OSError as err:
        size = path.stat().st_size
        raise ValueError(
            f"{path} ({size:,} bytes) is not a readable HDF5 file; it is probably truncated "
            f"(an interrupted download or copy) or corrupt. HDF5 said: {err}. Check it with "
            f"`swdkit data verify {path}` and fetch or make it again.") from err


def detect_layout(f: Any, path: str | os.PathLike) -> str:
    """Return ``"so2sat"`` or ``"cache"`` after checking names, shapes and dtypes.

    Raises:
        ValueError: naming each dataset that is missing or has the wrong shape or dtype, with
            what was expected and what was found.
    """
    names = sorted(f.keys())
    if CACHE_FORMAT == attr_text(f.attrs.get("swdkit_format")):
        kind, shapes = "cache", CACHE_SHAPES
    elif "sen1" in names or "sen2" in names:
        kind, shapes = "so2sat", SO2SAT_SHAPES
    else:
        raise ValueError(
            f"{path} holds datasets {names}; expected the So2Sat layout (sen1 (N,32,32,8), "
            f"sen2 (N,32,32,10), label (N,17)) or a swdkit cache written by `swdkit data "
            f"prepare` (eo, sar, label with attribute swdkit_format={CACHE_FORMAT!r})")
    problems = []
    for name, sample_shape in shapes.items():
        if name not in f:
            problems.append(f"dataset {name!r} is missing")
            continue
        shape, dtype = f[name].shape, f[name].dtype
        if len(shape) != 1 + len(sample_shape) or tuple(shape[1:]) != sample_shape:
            problems.append(f"{name!r} has shape {shape}, expected {_shape_text(sample_shape)}")
        if name == "label":
            ok = dtype.kind in "iu" if kind == "cache" else dtype.kind in "fiub"
        else:
            ok = dtype.kind == "f" and (kind == "so2sat" or dtype.itemsize == 4)
        if not ok:
            want = ("an integer dtype" if name == "label" and kind == "cache" else
                    "a numeric dtype" if name == "label" else
                    "float32" if kind == "cache" else "float64 or float32")
            problems.append(f"{name!r} has dtype {dtype}, expected {want}")
    if not problems:
        lengths = {name: f[name].shape[0] for name in shapes}
        if "city" in f:
            lengths["city"] = f["city"].shape[0]
            if f["city"].ndim != 1 or f["city"].dtype.kind not in "iu":
                problems.append(f"'city' has shape {f['city'].shape} and dtype "
                                f"{f['city'].dtype}, expected (N,) integers")
        if len(set(lengths.values())) > 1:
            problems.append(f"datasets disagree on the number of samples: {lengths}")
    if problems:
        raise ValueError(f"{path} is not in the expected {kind} layout: " + "; ".join(problems)
                         + f". It is damaged or not a So2Sat file: check it with `swdkit data "
                         f"verify {path}` and fetch, make or prepare it again")
    return kind


def cache_class_indices(f: Any) -> tuple[int, ...]:
    """The So2Sat classes a cache file kept (its ``class_indices`` attribute)."""
    return tuple(int(c) for c in np.asarray(f.attrs["class_indices"]).ravel())


def read_class_indices(f: Any, kind: str, path: str | os.PathLike,
                       block_size: int = 65536) -> np.ndarray:
    """Read every row's original So2Sat class index, in blocks: int64 (N,).

    For the So2Sat layout the one-hot rows are checked: each must hold exactly one 1 and
    sixteen 0 (a row such as ``[1, 1, -1, 0, ...]``, whose maximum and sum are both 1, is
    refused too).

    Raises:
        ValueError: rows that are not one-hot (count, the first few row numbers and the
            non-zero entries of the first), or cache labels outside 0..16.
    """
    label = f["label"]
    n = label.shape[0]
    out = np.empty(n, dtype=np.int64)
    bad: list[int] = []
    n_bad, first = 0, ""
    for lo in range(0, n, block_size):
        block = label[lo:lo + block_size]
        if kind == "cache":
            out[lo:lo + len(block)] = block
            continue
        ones, zeros = block == 1, block == 0
        wrong = np.flatnonzero((ones.sum(axis=1) != 1) | ~(ones | zeros).all(axis=1))
        if len(wrong) and not first:
            row = block[wrong[0]]
            first = f"; row {lo + wrong[0]} holds {_nonzero_text(row)}"
        n_bad += len(wrong)
        if len(wrong) and len(bad) < 5:
            bad.extend((wrong[:5 - len(bad)] + lo).tolist())
        out[lo:lo + len(block)] = np.argmax(block, axis=1)
    if n_bad:
        raise ValueError(f"{path}: {n_bad} of {n} rows of 'label' are not one-hot (exactly one "
                         f"1 and sixteen 0), first at rows {bad}{first}; the file is corrupt "
                         f"or not So2Sat, and its classes cannot be read. Check it with "
                         f"`swdkit data verify {path}` and fetch or make it again")
    if kind == "cache" and n and (out.min() < 0 or out.max() >= N_CLASSES):
        raise ValueError(f"{path}: cache labels span {out.min()}..{out.max()}, expected "
                         f"So2Sat class indices 0..{N_CLASSES - 1}; write the cache again with "
                         f"`swdkit data prepare`")
    return out


def _nonzero_text(row: np.ndarray) -> str:
    """A label row for messages: its non-zero entries as ``{class index: value}``."""
    entries = {int(i): float(row[i]) for i in np.flatnonzero(row != 0)}
    return f"{entries} (class index: value; the others 0)" if entries else "only zeros"


def _shape_text(sample_shape: tuple[int, ...]) -> str:
    """A dataset shape for messages: ``(N, 32, 32, 10)`` for the sample shape (32, 32, 10)."""
    return "(N,)" if not sample_shape else "(N, " + ", ".join(map(str, sample_shape)) + ")"


def attr_text(value: Any) -> str | None:
    """An HDF5 attribute as text (h5py may give bytes), or None when it is not a string."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else None
