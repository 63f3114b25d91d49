"""So2Sat LCZ42 splits for the lessons: where the files are, the reader, few-shot sampling.

Sentinel-2 is the optical sensor (EO) and Sentinel-1 the radar (SAR); the seed paper swaps the
two names. The lessons use, like the paper, EO = Sentinel-2 B4, B3, B2 (RGB) and SAR =
Sentinel-1 unfiltered VV real and imaginary parts. Reference: Zhu et al., "So2Sat LCZ42: A
benchmark data set for the classification of global local climate zones", IEEE GRSM 8(3), 2020.

Where the files are (``load_split(root, split, version=...)``):

- ``version="2"``: ``root/training.h5``, ``root/validation.h5``, ``root/testing.h5``.
- ``version="3_random"``, ``"3_block"``, ``"3_culture_10"``: ``root/random/``, ``root/block/``,
  ``root/culture_10/`` each with ``training.h5`` and ``testing.h5`` (no validation file), so
  ``root`` is the folder that holds the three version-3 folders.

A file may be a published So2Sat file, the synthetic stand-in (same layout) or a compact cache
written by ``swdkit data prepare`` (see :mod:`swdkit.data.io._h5` for both layouts).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from swdkit._checks import check_value
from swdkit.data._classes import CLASS_NAMES, resolve_classes
from swdkit.data.io import _h5 as so2sat_h5
from swdkit.data.io import _read as so2sat_read

# version -> (sub-folder of root, split names)
VERSIONS = {
    "2": ("", ("training", "validation", "testing")),
    "3_random": ("random", ("training", "testing")),
    "3_block": ("block", ("training", "testing")),
    "3_culture_10": ("culture_10", ("training", "testing")),
}
DATA_DIR_ENV = "SWDKIT_DATA_DIR"


def default_data_dir() -> Path:
    """Where the built-in synthetic set lives: ``$SWDKIT_DATA_DIR``, else
    ``~/.cache/swdkit/synthetic``."""
    env = os.environ.get(DATA_DIR_ENV)
    return Path(env).expanduser() if env else Path.home() / ".cache" / "swdkit" / "synthetic"


def split_path(root: str | os.PathLike, split: str, version: str = "2") -> Path:
    """The file that holds ``split`` of ``version`` under ``root`` (see the module docstring)."""
    if version not in VERSIONS:
        raise ValueError(f"version={version!r} is unknown; choose one of {sorted(VERSIONS)}")
    folder, splits = VERSIONS[version]
    if split not in splits:
        raise ValueError(f"split={split!r} does not exist in version {version}; choose one of "
                         f"{list(splits)}")
    return Path(root) / folder / f"{split}.h5"


@dataclass
class Split:
    """One split of the data in the lesson layout.

    Attributes:
        eo: float32 (N, 3, 32, 32), Sentinel-2 B4, B3, B2 (RGB); raw reflectance until normalised.
        sar: float32 (N, 2, 32, 32), Sentinel-1 unfiltered VV real and imaginary parts.
        labels: int64 (N,), renumbered 0..K-1 for the class configuration.
        class_names: the K class names, in label order.
        city: int64 (N,) city identifiers when the file has a ``city`` dataset, else None.
    """

    eo: np.ndarray
    sar: np.ndarray
    labels: np.ndarray
    class_names: list[str]
    city: np.ndarray | None = field(default=None)

    def __post_init__(self) -> None:
        """Refuse arrays that disagree on the number of samples."""
        n = len(self.labels)
        lengths = {"eo": len(self.eo), "sar": len(self.sar), "labels": n}
        if self.city is not None:
            lengths["city"] = len(self.city)
        if len(set(lengths.values())) != 1:
            raise ValueError(f"Split arrays disagree on the number of samples: {lengths}; give "
                             "eo, sar, labels (and city) one row per sample")

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, indices: Sequence[int] | np.ndarray) -> Split:
        """A new Split with the samples at ``indices`` (copies), class names unchanged."""
        idx = np.asarray(indices, dtype=np.int64)
        return replace(self, eo=self.eo[idx], sar=self.sar[idx], labels=self.labels[idx],
                       class_names=list(self.class_names),
                       city=None if self.city is None else self.city[idx])


def missing_hint(root: Path) -> str:
    """The commands that make or fetch a data folder, for error messages."""
    return (f"Make the synthetic stand-in with `swdkit data synthetic --out {root}`, or fetch the "
            f"real So2Sat LCZ42 files with `swdkit data download --version 2 --out {root}`.")


def load_split(root: str | os.PathLike, split: str, *, classes: str | Sequence[int] = "all",
               max_samples: int | None = None, version: str = "2",
               block_size: int = so2sat_h5.DEFAULT_BLOCK_SIZE) -> Split:
    """Read one split, keeping the lesson channels and the classes of a configuration.

    Args:
        root: folder with the split files (see the module docstring for ``version``).
        split: ``"training"``, ``"validation"`` or ``"testing"``.
        classes: a name in :data:`CLASS_SETS` or explicit So2Sat class indices; labels are
            renumbered ``0..K-1`` in increasing index order.
        max_samples: keep at most this many samples, chosen deterministically: each class keeps
            its proportional share, evenly strided over its rows in file order (see
            :func:`swdkit.data.io.strided_rows`); None keeps all.
        version: ``"2"`` or a version-3 split scenario (``"3_random"``, ``"3_block"``,
            ``"3_culture_10"``).
        block_size: rows read at a time; memory stays near ``block_size * 41 KB`` plus the
            result, whatever the file size.

    Returns:
        A :class:`Split`: eo (N, 3, 32, 32), sar (N, 2, 32, 32) float32, labels (N,) int64.

    Non-finite values in the selected channels are replaced by 0 with a warning that counts
    them.

    Raises:
        FileNotFoundError: the file is missing (the message names the command that makes it).
        TypeError: ``max_samples`` or ``block_size`` is not an integer (a string, a float, a
            bool).
        ValueError: unknown split/version/classes, ``max_samples`` or ``block_size`` below 1,
            a wrong layout, a corrupt or truncated file, label rows that are not one-hot, a
            cache that lacks some requested classes, no sample of the requested classes, or,
            for the training split, no sample of one of them (a model cannot learn a class
            it never sees; the message names it).
    """
    keep = resolve_classes(classes)
    check_value("max_samples", max_samples, "positive integer", allow_none=True,
                hint="None keeps every sample")
    check_value("block_size", block_size, "positive integer", hint="rows read at a time")
    path = split_path(root, split, version)
    eo, sar, labels, city = so2sat_read.read_selected(
        path, keep, max_samples, block_size, missing_hint=missing_hint(Path(root)),
        every_class=split == "training")
    return Split(eo=eo, sar=sar, labels=labels,
                 class_names=[CLASS_NAMES[c] for c in keep], city=city)


def few_shot_indices(labels: Sequence[int] | np.ndarray, n_labeled: int | str | None, *,
                     seed: int) -> np.ndarray:
    """Choose ``n_labeled`` samples stratified by class, as evenly as the counts allow.

    Each class gets ``floor(n / K)`` samples (K classes present); the ``n mod K`` left over go
    to classes in an order drawn from ``seed``. A class with fewer samples than its share gives
    all it has and the shortfall is spread over the others the same way (water filling). Within
    a class the samples are taken in an order drawn from ``seed``, so for one seed a smaller
    choice is contained in a larger one.

    Args:
        labels: int (N,) class labels.
        n_labeled: total number to choose; None or ``"full"`` means all samples.
        seed: the choice is a function of ``(labels, n_labeled, seed)`` only.

    Returns:
        int64 (n_labeled,) indices into ``labels``, increasing.

    Raises:
        TypeError: ``n_labeled`` is not an integer, None or ``"full"``.
        ValueError: labels not a 1-D integer array, a negative count, or more than exist
            (the message says how many there are per class).
    """
    y = np.asarray(labels)
    if y.ndim != 1 or (y.size and y.dtype.kind not in "iu"):
        raise ValueError(f"labels must be a 1-D integer array, got shape {y.shape} dtype {y.dtype}")
    if n_labeled is None or n_labeled == "full":
        return np.arange(len(y), dtype=np.int64)
    n = check_value("n_labeled", n_labeled, "integer >= 0",
                    hint="None or 'full' choose every sample")
    classes, counts = np.unique(y, return_counts=True)
    if n > len(y):
        per_class = dict(zip(classes.tolist(), counts.tolist(), strict=True))
        raise ValueError(f"n_labeled={n} but only {len(y)} samples exist "
                         f"(per class: {per_class}); ask for at most {len(y)}")
    rng = np.random.default_rng(seed)
    priority = rng.permutation(len(classes))
    orders = [rng.permutation(np.flatnonzero(y == c)) for c in classes]
    share = np.zeros(len(classes), dtype=np.int64)
    active = list(priority)  # classes that can still take more, in priority order
    left = n
    while left > 0:
        level = left // len(active)
        full = [k for k in active if counts[k] - share[k] <= level]
        if full:  # these give everything they have; spread the rest over the others
            for k in full:
                left -= counts[k] - share[k]
                share[k] = counts[k]
            active = [k for k in active if k not in full]
            continue
        share[active] += level
        for k in active[:left - level * len(active)]:
            share[k] += 1
        left = 0
    chosen = [orders[k][:share[k]] for k in range(len(classes))]
    return np.sort(np.concatenate(chosen)).astype(np.int64)
