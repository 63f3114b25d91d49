"""Fast block reads of contiguous, uncompressed HDF5 datasets through memory-mapped windows.

The published So2Sat files store each dataset contiguously and uncompressed, so the rows
``[lo, hi)`` of ``sen2`` are one run of bytes at a file offset HDF5 reports
(``H5Dget_offset``, ``dset.id.get_offset()`` in h5py). Mapping that run and letting numpy
gather the lesson channels straight from the page cache skips the copy that a ``read()`` (or
HDF5's own hyperslab read, which goes through its sieve buffer) makes into a user buffer; the
next block's bytes are announced to the kernel (``posix_fadvise(WILLNEED)``) so that disk
reads overlap the conversion. Each window is unmapped after its block, so resident memory stays
bounded by the block size. Measured on a 2.95 GB float64 file (see benchmarks/README.md).

Anything else (chunked or compressed datasets, unallocated storage, external files) is read
with h5py; :func:`mappable` says which path a dataset takes. HDF5 refuses a truncated file when
it opens it; a file that shrinks while it is mapped would end the process with SIGBUS, so do not
overwrite a data file while it is being read.
"""

from __future__ import annotations

import mmap
import os
from typing import Any

import numpy as np


def mappable(dset: Any) -> int | None:
    """The file offset of ``dset``'s data if it can be memory-mapped, else None.

    Requires contiguous layout, no filters, no external storage, allocated storage of exactly
    ``size * itemsize`` bytes and a plain numeric dtype.
    """
    import h5py

    try:
        plist = dset.id.get_create_plist()
        if (plist.get_layout() != h5py.h5d.CONTIGUOUS or plist.get_nfilters() != 0
                or plist.get_external_count() != 0 or dset.dtype.kind not in "fiu"):
            return None
        offset = dset.id.get_offset()
    except (AttributeError, RuntimeError, ValueError):
        return None
    if offset is None or dset.id.get_storage_size() != dset.size * dset.dtype.itemsize:
        return None
    return int(offset)


class MappedDataset:
    """Row windows of one contiguous dataset, mapped on demand.

    Args:
        fd: an OS file descriptor of the HDF5 file, open for reading.
        dset: the h5py dataset (only its offset, shape and dtype are used).
        offset: from :func:`mappable`.
    """

    def __init__(self, fd: int, dset: Any, offset: int) -> None:
        self.fd, self.offset = fd, offset
        self.sample_shape = tuple(dset.shape[1:])
        self.dtype = dset.dtype
        self.row_bytes = int(np.prod(self.sample_shape)) * self.dtype.itemsize

    def prefetch(self, lo: int, hi: int) -> None:
        """Ask the kernel to start reading rows ``[lo, hi)`` (no-op where unsupported)."""
        if hasattr(os, "posix_fadvise") and hi > lo:
            os.posix_fadvise(self.fd, self.offset + lo * self.row_bytes,
                             (hi - lo) * self.row_bytes, os.POSIX_FADV_WILLNEED)

    def gather(self, lo: int, hi: int, pick: np.ndarray | None, channels: slice) -> np.ndarray:
        """Rows ``[lo, hi)`` (then ``pick``, offsets within them), the ``channels`` slice of
        the last axis, as float32 channels-first: ``(n, c, 32, 32)``. A slice (not a list)
        keeps the selection a view, so numpy makes one strided copy straight into the result."""
        start = self.offset + lo * self.row_bytes
        aligned = start - start % mmap.ALLOCATIONGRANULARITY
        window = mmap.mmap(self.fd, start - aligned + (hi - lo) * self.row_bytes,
                           offset=aligned, access=mmap.ACCESS_READ)
        rows = None
        try:
            rows = np.frombuffer(window, dtype=self.dtype, count=(hi - lo) * self.row_bytes
                                 // self.dtype.itemsize, offset=start - aligned)
            rows = rows.reshape((hi - lo, *self.sample_shape))
            if pick is not None:
                rows = rows[pick]
            out = np.ascontiguousarray(rows[..., channels].transpose(0, 3, 1, 2),
                                       dtype=np.float32)
        finally:
            rows = None  # no view may outlive the window
            window.close()
        return out
