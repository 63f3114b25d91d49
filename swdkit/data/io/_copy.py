"""The one block-copy loop: rows of a So2Sat-format file, block by block, into destinations.

:func:`swdkit.data.load_split` copies into numpy arrays, :func:`swdkit.data.io.prepare` into
the datasets of a cache file; both go through :func:`copy_blocks`, so both hold at most the
blocks :func:`swdkit.data.io.iter_blocks` keeps in flight (two), never the whole file, and
both turn a file that breaks mid-read into the same error, which says what to do.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from swdkit._progress import show_progress

import numpy as np

if TYPE_CHECKING:
    from swdkit.data.io._read import Block


@contextmanager
def read_errors(path: Path, note: str = "") -> Iterator[None]:
    """Turn an ``OSError`` met while reading ``path`` (a truncated or damaged file) into a
    ``ValueError`` that says what to do, with ``note`` added."""
    try:
        yield
    except OSError as err:
        raise ValueError(
            f"{path} could not be read to the end; it is probably truncated or corrupt (HDF5 "
            f"said: {err}).{note} Check it with `swdkit data verify {path}` and fetch or "
            f"make it again.") from err


def copy_blocks(blocks: Iterator[Block], out: Mapping[str, Any], *, path: Path, total: int,
                label_map: np.ndarray | None = None, desc: str = "", progress: bool = True,
                note: str = "") -> tuple[int, int]:
    """Copy ``blocks`` (from :func:`swdkit.data.io.iter_blocks`) into ``out``, in order.

    Row ``i`` of ``out`` receives the ``i``-th row of the blocks; ``blocks`` is closed at the
    end, or at the first error (its file handle and reader thread go with it).

    Args:
        blocks: the blocks of the file rows wanted, ``total`` rows in all.
        out: ``"eo"`` (n, 3, 32, 32), ``"sar"`` (n, 2, 32, 32), ``"label"`` (n,) and
            ``"city"`` (n,) or None, with n = ``total``: numpy arrays or h5py datasets.
        path: the file the blocks come from, for the error message.
        total: the number of rows, n.
        label_map: int64 (17,), the label stored for each So2Sat class index; None stores the
            So2Sat index itself.
        desc, progress: progress bar text, and whether to show it.
        note: added to the message of a read error (what became of the destination).

    Returns:
        ``(nonfinite_eo, nonfinite_sar)``: how many values were replaced by 0.

    Raises:
        ValueError: the file could not be read to the end (:func:`read_errors`).
    """
    from tqdm.auto import tqdm

    city = out.get("city")
    bad_eo = bad_sar = at = 0
    with closing(blocks), tqdm(total=total, unit="sample", desc=desc,
                               disable=not show_progress(progress)) as bar:
        while True:
            with read_errors(path, note):
                block = next(blocks, None)
            if block is None:
                break
            b = len(block.eo)
            out["eo"][at:at + b], out["sar"][at:at + b] = block.eo, block.sar
            out["label"][at:at + b] = (block.class_index if label_map is None
                                       else label_map[block.class_index])
            if city is not None:
                city[at:at + b] = block.city
            bad_eo, bad_sar = bad_eo + block.nonfinite_eo, bad_sar + block.nonfinite_sar
            at += b
            bar.update(b)
    return bad_eo, bad_sar
