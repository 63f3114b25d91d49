"""``swdkit data verify``: check downloaded So2Sat files against their published md5 sums.

A check says what it checked. Each published file found is hashed and compared with its
published md5 (after a size check where the size is published); a file written by swdkit (the
synthetic set or a prepared cache, recognised by its ``generator`` or ``swdkit_format``
attribute) has no published md5 and is reported as not checked, never as verified; a split
missing from a version whose other files are there is reported as missing. Only a folder whose
every published file was hashed and matched, with no split missing, passes
(:func:`verify_passed`). The md5 sums are in :data:`swdkit.data.io._download.FILES`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from swdkit.data.io._download import FILES, RemoteFile, md5_of

V3_FOLDERS = ("random", "block", "culture_10")


@dataclass(frozen=True)
class VerifyResult:
    """The check of one file.

    Attributes:
        path: the file.
        status: ``"ok"`` (md5 matches), ``"size"`` (wrong size), ``"md5"`` (wrong checksum),
            ``"generated"`` (synthetic or a prepared cache: no published md5, not checked) or
            ``"missing"`` (a split of a version whose other files are present).
        expected_md5: the published md5.
        found_md5: the md5 computed, when the file was hashed.
        version: the published version it belongs to (``"2"``, ``"3_random"``, ...).
    """

    path: Path
    status: str
    expected_md5: str
    found_md5: str | None = None
    version: str = "2"


def _is_generated(path: Path) -> bool:
    """Whether ``path`` is an HDF5 file written by swdkit (a synthetic file or a cache)."""
    import h5py

    try:
        with h5py.File(path, "r") as f:
            return "generator" in f.attrs or "swdkit_format" in f.attrs
    except OSError:
        return False


def _published() -> list[tuple[str, RemoteFile]]:
    """Every published file with its version, each relative path once."""
    seen, out = set(), []
    for version, files in FILES.items():
        for remote in files:
            if remote.relpath not in seen:
                seen.add(remote.relpath)
                out.append((version, remote))
    return out


def _targets(root: Path) -> tuple[Path, list[tuple[str, RemoteFile]], bool]:
    """``(data folder, published files to look for, whether missing ones count)`` for ``root``.

    ``root`` may be the data folder, a version-3 scenario folder (``random/``...), or one file.

    Raises:
        FileNotFoundError: ``root`` does not exist.
        ValueError: ``root`` is a file that does not carry a published file name.
    """
    if root.is_file():
        tail = f"{root.parent.name}/{root.name}" if root.parent.name in V3_FOLDERS else root.name
        known = [(v, f) for v, f in _published() if f.relpath == tail]
        if not known:
            names = sorted({Path(f.relpath).name for _, f in _published()})
            raise ValueError(f"{root} is not named like a published So2Sat file ({names}, "
                             f"version 3 inside {list(V3_FOLDERS)}); verify checks the files "
                             f"`swdkit data download` fetches, by name. Give one of them or "
                             f"the folder that holds them")
        return root.parents[tail.count("/")], known, False
    if not root.is_dir():
        raise FileNotFoundError(
            f"{root} does not exist; give the folder you downloaded the So2Sat files into, or "
            f"one of its .h5 files (fetch them with `swdkit data download --version 2 --out "
            f"FOLDER`)")
    if root.name in V3_FOLDERS:  # one scenario folder: its files are relative to the parent
        return root.parent, [(v, f) for v, f in _published()
                             if f.relpath.startswith(root.name + "/")], True
    return root, _published(), True


def verify(root: str | os.PathLike, *, progress: bool = True) -> list[VerifyResult]:
    """Check the published So2Sat files in ``root`` (a folder or one file) against their md5.

    Version-2 files are looked for in ``root`` and version-3 files in ``root/random``,
    ``root/block`` and ``root/culture_10`` (``root`` may also be one of those folders, or a
    single file). Files written by swdkit (synthetic, caches) are reported as
    ``"generated"`` and not hashed; the splits of a version that are absent while others are
    present are reported as ``"missing"``.

    Returns:
        One :class:`VerifyResult` per file, in the published order.

    Raises:
        FileNotFoundError: ``root`` does not exist, or is a folder that holds none of the
            published files.
        ValueError: ``root`` is a file whose name is not a published file name.
    """
    root = Path(root).expanduser()
    base, wanted, report_missing = _targets(root)
    present = {f.relpath for _, f in wanted if (base / f.relpath).is_file()}
    if not present:
        raise FileNotFoundError(
            f"{root} holds none of the So2Sat files {[f.relpath for _, f in wanted[:3]]} (or "
            f"their version-3 folders), so nothing can be verified. Fetch them with `swdkit "
            f"data download --version 2 --out {root}`, or give the folder that holds them.")
    versions = {v for v, f in wanted if f.relpath in present}
    results = []
    for version, remote in wanted:
        path = base / remote.relpath
        if remote.relpath not in present:
            if report_missing and version in versions:
                results.append(VerifyResult(path, "missing", remote.md5, version=version))
        elif _is_generated(path):
            results.append(VerifyResult(path, "generated", remote.md5, version=version))
        elif remote.size is not None and path.stat().st_size != remote.size:
            results.append(VerifyResult(path, "size", remote.md5, version=version))
        else:
            found = md5_of(path, progress=progress)
            results.append(VerifyResult(path, "ok" if found == remote.md5 else "md5",
                                        remote.md5, found, version=version))
    return results


def verify_passed(results: list[VerifyResult]) -> bool:
    """Whether a verification passed: at least one file hashed, and every result ``"ok"``."""
    return bool(results) and all(r.status == "ok" for r in results)
