"""Fingerprints of swdkit's own source code (private).

A version number does not change with every edit, so what a result or a cached file depends on
is recorded as a digest of the ``.py`` files that made it: the results store notes the digest of
the whole package (:func:`swdkit.experiments.source_digest`), the EO-pretraining cache keys its
files by the digest of the code that defines and trains the network
(:func:`swdkit.methods.load_or_pretrain_eo`).
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent


@functools.cache
def digest_sources(*parts: str) -> str:
    """A short SHA-1 of the swdkit source files under ``parts``; the whole package for none.

    Taken once per process and set of parts (cached), so it describes the code as it was when
    first asked, not files edited later while the process runs.

    Args:
        parts: paths relative to the package folder, of ``.py`` files or of folders (all their
            ``.py`` files, recursively), e.g. ``"models.py", "train"``.

    Returns:
        12 hex digits over the files' relative paths and contents, in sorted order.

    Raises:
        ValueError: a part names nothing in the package.
    """
    files: set[Path] = set()
    for part in parts or (".",):
        path = PACKAGE_ROOT / part
        if path.is_dir():
            files.update(path.rglob("*.py"))
        elif path.is_file():
            files.add(path)
        else:
            raise ValueError(f"parts: {part!r} is neither a file nor a folder of the swdkit "
                             f"package ({PACKAGE_ROOT}); give paths relative to it")
    digest = hashlib.sha1()
    for path in sorted(files):
        digest.update(path.relative_to(PACKAGE_ROOT).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]
