"""``swdkit data prepare``: stream So2Sat files into a compact cache of the lesson channels.

A published training file holds 18 float64 channels per pixel (52 GB); the lessons use five
(EO RGB and SAR VV real/imaginary). :func:`prepare` reads the source in blocks of rows, lets
HDF5 select those channels while reading, and writes them as float32 (20,480 bytes of image
data per sample, 14% of the source's 147,592). Peak memory is bounded by the
block size (about 80 MB at 1,024 rows) plus 8 bytes per source row for the class index, never
by the file. The cache layout is documented in :mod:`swdkit.data.io._h5`;
:func:`swdkit.data.load_split` reads it directly (it keeps the original file names, so a cache
folder is used exactly like a So2Sat folder).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from swdkit._checks import check_value
from swdkit.data.io import _copy as so2sat_copy
from swdkit.data.io import _h5 as so2sat_h5
from swdkit.data.io import _read as so2sat_read
from swdkit.fileio import atomic_path


def _source_files(src: Path, out: Path) -> list[tuple[Path, Path]]:
    """Pairs (source file, cache file): a folder maps every So2Sat file it holds."""
    from swdkit.data.io._download import FILES

    if src.is_file():
        return [(src, out / src.name if out.suffix != ".h5" else out)]
    if not src.is_dir():
        raise FileNotFoundError(f"prepare source {src} does not exist; give a So2Sat .h5 file or "
                                f"a folder holding them (fetch with `swdkit data download "
                                f"--version 2 --out {src}`)")
    relpaths = sorted({f.relpath for files in FILES.values() for f in files})
    pairs = [(src / r, out / r) for r in relpaths if (src / r).is_file()]
    if not pairs:
        raise FileNotFoundError(f"{src} holds none of {relpaths[:3]} (nor the version-3 "
                                f"folders); nothing to prepare. Give the folder that holds "
                                f"them, or fetch them with `swdkit data download --version 2 "
                                f"--out {src}`")
    return pairs


def _check_target(source: Path, target: Path) -> None:
    """Refuse to write over the source or over any file that is not a swdkit cache."""
    if target.exists() and target.resolve() == source.resolve():
        raise ValueError(f"prepare would write its cache over its source {source}; choose "
                         "another OUT folder")
    if target.exists():
        import h5py

        try:
            with h5py.File(target, "r") as f:
                is_cache = so2sat_h5.CACHE_FORMAT == so2sat_h5.attr_text(
                    f.attrs.get("swdkit_format"))
        except OSError:
            is_cache = False
        if not is_cache:
            raise ValueError(f"{target} exists and is not a swdkit cache; prepare will not "
                             "overwrite it. Move it away or choose another OUT folder")


def prepare_file(source: str | os.PathLike, target: str | os.PathLike, *,
                 classes: str | Sequence[int] = "all",
                 block_size: int = so2sat_h5.DEFAULT_BLOCK_SIZE, progress: bool = True) -> Path:
    """Write the cache of one So2Sat-format file (see :func:`prepare`); returns ``target``."""
    import h5py

    from swdkit.data._classes import resolve_classes

    source, target = Path(source), Path(target)
    keep = resolve_classes(classes)
    check_value("block_size", block_size, "positive integer", hint="rows read at a time")
    _check_target(source, target)
    with so2sat_h5.open_h5(source) as f:
        kind = so2sat_h5.detect_layout(f, source)
        if kind == "cache":
            keep = tuple(c for c in keep if c in so2sat_h5.cache_class_indices(f))
        with so2sat_copy.read_errors(source):
            class_index = so2sat_h5.read_class_indices(f, kind, source)
        selected = np.zeros(so2sat_h5.N_CLASSES, dtype=bool)
        selected[list(keep)] = True
        rows = np.flatnonzero(selected[class_index])
        n = len(rows)
        try:
            with atomic_path(target) as tmp, h5py.File(tmp, "w") as g:
                for key, value in f.attrs.items():
                    g.attrs[key] = value
                out = {"eo": g.create_dataset("eo", (n, 3, 32, 32), dtype="f4"),
                       "sar": g.create_dataset("sar", (n, 2, 32, 32), dtype="f4"),
                       "label": g.create_dataset("label", (n,), dtype="i8"),
                       "city": g.create_dataset("city", (n,), dtype="i8") if "city" in f else None}
                g.attrs.update({
                    "swdkit_format": so2sat_h5.CACHE_FORMAT,
                    "swdkit_format_version": so2sat_h5.CACHE_FORMAT_VERSION,
                    "class_indices": np.asarray(keep, dtype=np.int64),
                    "source_file": source.name, "source_layout": kind,
                    "eo_channels": "Sentinel-2 B4, B3, B2 (RGB)",
                    "sar_channels": "Sentinel-1 unfiltered VV real, VV imaginary"})
                blocks = so2sat_read.iter_blocks(f, kind, rows, class_index, block_size)
                bad_eo, bad_sar = so2sat_copy.copy_blocks(
                    blocks, out, path=source, total=n, desc=f"prepare {source.name}",
                    progress=progress, note=" Nothing was written.")
                g.attrs["nonfinite_replaced_eo"] = bad_eo
                g.attrs["nonfinite_replaced_sar"] = bad_sar
        except OSError as err:
            raise ValueError(f"could not write the cache {target} ({err}); nothing was written. "
                             f"Check that {target.parent} is writable and has room for about "
                             f"{n * 20_496:,} bytes, or choose another OUT folder.") from err
    if bad_eo or bad_sar:
        warnings.warn(f"{source}: replaced {bad_eo} non-finite EO values and {bad_sar} "
                      "non-finite SAR values by 0 in the cache", stacklevel=2)
    return target


def prepare(src: str | os.PathLike, out: str | os.PathLike, *,
            classes: str | Sequence[int] = "all",
            block_size: int = so2sat_h5.DEFAULT_BLOCK_SIZE, progress: bool = True) -> list[Path]:
    """Stream So2Sat files into compact caches holding only the lesson channels.

    Args:
        src: a So2Sat-format ``.h5`` file, or a folder holding ``training.h5``,
            ``validation.h5``, ``testing.h5`` and/or the version-3 folders.
        out: the cache folder (same relative paths as the source); for a single source file,
            a path ending in ``.h5`` names the cache file itself.
        classes: keep only these classes (a class-set name or So2Sat indices); labels stay the
            original So2Sat indices, so the cache serves any configuration within them.
        block_size: rows per block; peak memory is about ``block_size * 80 KB``.

    Returns:
        The cache files written (each written to a temporary name, then renamed; the
        temporary files of a run that was killed are removed by the next run).

    Raises:
        FileNotFoundError: no source file.
        TypeError: ``block_size`` is not an integer.
        ValueError: ``block_size`` below 1, a source in the wrong layout or corrupt, a target
            that is the source or an existing file that is not a swdkit cache (nothing is
            overwritten then), or a cache that cannot be written (no room, no permission;
            nothing is written then).
    """
    pairs = _source_files(Path(src).expanduser(), Path(out).expanduser())
    return [prepare_file(s, t, classes=classes, block_size=block_size, progress=progress)
            for s, t in pairs]
