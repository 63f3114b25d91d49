"""Reading So2Sat-format files block by block into the lesson layout.

Used by :func:`swdkit.data.load_split` and :func:`swdkit.data.io.prepare`. Rows are read
in blocks and only the lesson channels are kept (EO = Sentinel-2 B4, B3, B2; SAR = Sentinel-1
unfiltered VV real and imaginary), so memory is bounded by the block size, never by the file.
Published files (contiguous, uncompressed) go through memory-mapped windows
(:mod:`swdkit.data.io._mmap`), anything else through h5py; both give identical arrays.
Non-finite values in the kept channels are replaced by 0, counted, and reported in a warning.
The blocks are copied into their destination by :func:`swdkit.data.io._copy.copy_blocks`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from swdkit._checks import check_value
from swdkit.data.io._copy import copy_blocks, read_errors
from swdkit.data.io._h5 import (
    DEFAULT_BLOCK_SIZE,
    EO_SEN2_CHANNELS,
    N_CLASSES,
    PATCH,
    PROGRESS_ROWS,
    SAR_SEN1_CHANNELS,
    SEN1_VV_SLICE,
    SEN2_RGB_SLICE,
    cache_class_indices,
    detect_layout,
    open_h5,
    read_class_indices,
)


@dataclass
class Block:
    """One block of rows, already in the lesson layout.

    Attributes:
        eo: float32 (b, 3, 32, 32), RGB.
        sar: float32 (b, 2, 32, 32), VV real and imaginary.
        class_index: int64 (b,), the original So2Sat class 0..16.
        city: int64 (b,) or None.
        nonfinite_eo: how many non-finite EO values were replaced by 0 in this block.
        nonfinite_sar: the same for SAR.
    """

    eo: np.ndarray
    sar: np.ndarray
    class_index: np.ndarray
    city: np.ndarray | None
    nonfinite_eo: int
    nonfinite_sar: int


def _replace_nonfinite(x: np.ndarray) -> int:
    """Replace NaN and +-inf in ``x`` by 0 in place; return how many there were."""
    # Fast path: a sum is finite only if every term is; summed in float64, where float32
    # values cannot overflow (3e38 twice would in float32: a spurious warning, a slow path).
    if np.isfinite(x.sum(dtype=np.float64)):
        return 0
    bad = ~np.isfinite(x)
    count = int(bad.sum())
    x[bad] = 0.0
    return count


def _span(rows: np.ndarray) -> tuple[int, int, np.ndarray | None] | None:
    """``(lo, hi, pick)`` when ``rows`` (sorted) are dense enough to read as one run of rows
    (at most twice as many rows as wanted; ``pick`` None when all are wanted), else None."""
    lo, hi = int(rows[0]), int(rows[-1]) + 1
    if hi - lo > 2 * len(rows):
        return None
    return lo, hi, (None if hi - lo == len(rows) else rows - lo)


def _read_rows(dset: Any, rows: np.ndarray, channels: slice | None) -> np.ndarray:
    """Read ``rows`` (sorted, unique) of ``dset`` with h5py: one slice when dense, else a list."""
    last = (channels,) if channels is not None else ()
    span = _span(rows)
    if span is None:
        return dset[(rows.tolist(), Ellipsis, *last)]
    lo, hi, pick = span
    data = dset[(slice(lo, hi), Ellipsis, *last)]
    return data if pick is None else data[pick]


def _h5py_lesson_channels(f: Any, chunk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """EO (b, 3, 32, 32) and SAR (b, 2, 32, 32) float32 of So2Sat rows ``chunk``, via h5py."""
    rgb = _read_rows(f["sen2"], chunk, SEN2_RGB_SLICE)[..., ::-1]
    eo = np.ascontiguousarray(rgb.transpose(0, 3, 1, 2), dtype=np.float32)
    vv = _read_rows(f["sen1"], chunk, SEN1_VV_SLICE)
    return eo, np.ascontiguousarray(vv.transpose(0, 3, 1, 2), dtype=np.float32)


def iter_blocks(f: Any, kind: str, rows: np.ndarray, class_index: np.ndarray,
                block_size: int = DEFAULT_BLOCK_SIZE) -> Iterator[Block]:
    """Yield the lesson channels of ``rows`` (sorted, unique int64), ``block_size`` at a time.

    So2Sat datasets stored contiguously and uncompressed (the published files) are read through
    memory-mapped windows (:mod:`swdkit.data.io._mmap`), anything else through h5py; both give
    the same arrays.

    Args:
        f: an open h5py file in ``kind`` layout.
        kind: ``"so2sat"`` or ``"cache"``.
        rows: file rows to read, increasing.
        class_index: int64 (N,) from :func:`read_class_indices` (only ``rows`` are used).
        block_size: rows per block; memory is about ``block_size * 80 KB`` for float64 files.
    """
    from swdkit.data.io._mmap import MappedDataset, mappable

    check_value("block_size", block_size, "positive integer", hint="rows read at a time")
    has_city = "city" in f
    offsets = (mappable(f["sen2"]), mappable(f["sen1"])) if kind == "so2sat" else (None,)
    fd = os.open(f.filename, os.O_RDONLY) if None not in offsets else None
    mapped = None if fd is None else (MappedDataset(fd, f["sen2"], offsets[0]),
                                      MappedDataset(fd, f["sen1"], offsets[1]))
    chunks = [rows[s:s + block_size] for s in range(0, len(rows), block_size)]

    def make_block(i: int) -> Block:
        """Read block ``i`` (mapped when its rows are dense, else h5py)."""
        chunk, span = chunks[i], _span(chunks[i])
        if kind == "cache":
            eo = np.asarray(_read_rows(f["eo"], chunk, None), dtype=np.float32)
            sar = np.asarray(_read_rows(f["sar"], chunk, None), dtype=np.float32)
        elif mapped is not None and span is not None:
            following = _span(chunks[i + 1]) if i + 1 < len(chunks) else None
            if following is not None:
                for m in mapped:
                    m.prefetch(following[0], following[1])
            eo = mapped[0].gather(*span, channels=EO_SEN2_CHANNELS)
            sar = mapped[1].gather(*span, channels=SAR_SEN1_CHANNELS)
        else:
            eo, sar = _h5py_lesson_channels(f, chunk)
        city = _read_rows(f["city"], chunk, None).astype(np.int64) if has_city else None
        return Block(eo=eo, sar=sar, class_index=class_index[chunk], city=city,
                     nonfinite_eo=_replace_nonfinite(eo), nonfinite_sar=_replace_nonfinite(sar))

    # One block is made ahead in a worker thread while the caller uses the current one (numpy
    # copies and file reads release the GIL; h5py serialises its own calls), so reading and
    # the caller's writing overlap. At most two blocks exist at a time.
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="so2sat-read") as pool:
            ahead = pool.submit(make_block, 0) if chunks else None
            for i in range(len(chunks)):
                block = ahead.result()
                ahead = pool.submit(make_block, i + 1) if i + 1 < len(chunks) else None
                yield block
    finally:
        if fd is not None:
            os.close(fd)


def strided_rows(matching: np.ndarray, classes: np.ndarray,
                 max_samples: int | None) -> np.ndarray:
    """Keep ``max_samples`` of the ``matching`` rows: per class, evenly strided over file order.

    Each class keeps a share proportional to its count (``floor(k * m_c / m)``, the rows left
    over going to the largest fractional parts, ties to the lower class index), taken as rows
    ``floor((i + phi_r) * m_c / k_c)``, i = 0..k_c-1, of its ``m_c`` rows in file order, with
    a phase ``phi_r = (r + 1/2) / R`` staggered over the R classes (r = rank of the class).
    Deterministic; the class mix is kept to within one sample; and because So2Sat files are
    ordered by city, a stride within each class spreads the choice over the cities, where the
    first ``k`` rows would hold one or two. (One stride over all rows can alias with a periodic
    label pattern and pick only some classes; equal phases for all classes can alias with the
    city blocks and pick only some cities; per-class staggered strides avoid both.)

    Args:
        matching: increasing file rows of the requested classes, int64 (m,).
        classes: the class of each of those rows, (m,).
        max_samples: k, or None for all.
    """
    m = len(matching)
    if max_samples is None or max_samples >= m:
        return matching
    k = int(max_samples)
    values, counts = np.unique(classes, return_counts=True)
    exact = counts * k / m
    share = np.floor(exact).astype(np.int64)
    order = np.lexsort((values, -(exact - share)))  # largest remainder first, then class index
    share[order[:k - int(share.sum())]] += 1
    picked = []
    for r, (value, count, q) in enumerate(zip(values, counts, share, strict=True)):
        rows = matching[classes == value]
        phase = (r + 0.5) / len(values)
        picked.append(rows[np.floor((np.arange(q) + phase) * count / max(q, 1)).astype(np.int64)])
    return np.sort(np.concatenate(picked))


def _check_every_class(path: Path, keep: Sequence[int], class_index: np.ndarray,
                       matching: np.ndarray) -> None:
    """Refuse a training file that holds no sample of some class of ``keep``."""
    from swdkit.data._classes import CLASS_NAMES

    absent = sorted(set(keep) - set(np.unique(class_index[matching]).tolist()))
    if absent:
        held = [c for c in keep if c not in absent]
        raise ValueError(
            f"{path} holds no training sample of {len(absent)} of the {len(keep)} requested "
            f"classes: {', '.join(f'{CLASS_NAMES[c]} (So2Sat index {c})' for c in absent)}; a "
            f"classifier cannot learn a class it never sees, and its accuracy on it would be "
            f"0. Ask for the classes the file holds (classes={held}), or check that this is "
            f"the file you meant (a partial download, or a cache prepared with fewer classes)")


def read_selected(path: Path, keep: Sequence[int], max_samples: int | None, block_size: int,
                  missing_hint: str = "", every_class: bool = False) -> tuple[np.ndarray, ...]:
    """Read the rows of classes ``keep`` (So2Sat indices, sorted) from ``path`` in blocks.

    With ``every_class`` (a training split), a file without any sample of one of the classes
    ``keep`` is refused (``ValueError`` naming the classes).

    Returns:
        ``(eo, sar, labels, city)``: float32 (n, 3, 32, 32), float32 (n, 2, 32, 32), int64 (n,)
        renumbered 0..K-1 in the order of ``keep``, and int64 (n,) or None.
    """
    with open_h5(path, missing_hint=missing_hint) as f:
        kind = detect_layout(f, path)
        if kind == "cache":
            absent = sorted(set(keep) - set(cache_class_indices(f)))
            if absent:
                raise ValueError(
                    f"{path} is a cache prepared with classes {list(cache_class_indices(f))}; "
                    f"it lacks classes {absent}. Run `swdkit data prepare` again with "
                    f"--classes covering {list(keep)}.")
        with read_errors(path):
            class_index = read_class_indices(f, kind, path)
        lut = np.full(N_CLASSES, -1, dtype=np.int64)
        lut[list(keep)] = np.arange(len(keep))
        matching = np.flatnonzero(lut[class_index] >= 0)
        if every_class and len(matching):
            _check_every_class(path, keep, class_index, matching)
        rows = strided_rows(matching, class_index[matching], max_samples)
        if len(rows) == 0:
            raise ValueError(f"{path} has no sample of classes {list(keep)} "
                             f"({len(class_index)} samples in all, of classes "
                             f"{np.unique(class_index).tolist()}); ask for classes it holds, "
                             f"or check that this is the file you meant")
        n = len(rows)
        out = {"eo": np.empty((n, 3, PATCH, PATCH), dtype=np.float32),
               "sar": np.empty((n, 2, PATCH, PATCH), dtype=np.float32),
               "label": np.empty(n, dtype=np.int64),
               "city": np.empty(n, dtype=np.int64) if "city" in f else None}
        bad_eo, bad_sar = copy_blocks(iter_blocks(f, kind, rows, class_index, block_size), out,
                                      path=path, total=n, label_map=lut,
                                      desc=f"reading {path.name}", progress=n >= PROGRESS_ROWS)
    if bad_eo or bad_sar:
        warnings.warn(f"{path}: replaced {bad_eo} non-finite EO values and {bad_sar} non-finite "
                      f"SAR values by 0 (of {out['eo'].size} and {out['sar'].size} read)",
                      stacklevel=3)
    return out["eo"], out["sar"], out["label"], out["city"]
