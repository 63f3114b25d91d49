"""So2Sat LCZ42 files: the HDF5 layouts, bounded-memory block reading and copying, the
memory-mapped fast path, ``swdkit data prepare`` (the lesson cache), download and verify.
"""

from __future__ import annotations

from swdkit.data.io._copy import copy_blocks
from swdkit.data.io._download import (
    FILES,
    DownloadError,
    RemoteFile,
    download,
    file_url,
    files_for,
    manual_steps,
    md5_of,
)
from swdkit.data.io._h5 import (
    CACHE_FORMAT,
    CACHE_FORMAT_VERSION,
    DEFAULT_BLOCK_SIZE,
    detect_layout,
    open_h5,
    read_class_indices,
)
from swdkit.data.io._mmap import MappedDataset, mappable
from swdkit.data.io._prepare import prepare, prepare_file
from swdkit.data.io._read import Block, iter_blocks, read_selected, strided_rows
from swdkit.data.io._verify import VerifyResult, verify, verify_passed

__all__ = [
    "Block", "CACHE_FORMAT", "CACHE_FORMAT_VERSION", "DEFAULT_BLOCK_SIZE", "DownloadError",
    "FILES", "MappedDataset", "RemoteFile", "VerifyResult", "copy_blocks", "detect_layout",
    "download", "file_url", "files_for", "iter_blocks", "manual_steps", "mappable", "md5_of",
    "open_h5", "prepare", "prepare_file", "read_class_indices", "read_selected", "strided_rows",
    "verify", "verify_passed",
]
