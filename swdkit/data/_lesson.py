"""The data a lesson starts from: three normalised splits, made on first use if need be.

Public through :mod:`swdkit.data` (``swdkit.data.load_lesson_data``,
``swdkit.data.LessonData``). The built-in default is the synthetic So2Sat-format set of
:mod:`swdkit.data.synthetic`, written to :func:`swdkit.data.default_data_dir` the first time it
is needed and rewritten when the files there were made with other settings or by another
generator version.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from swdkit._checks import check_choice
from swdkit.data._representation import DEFAULT_SAR_INPUT
from swdkit.data._split import Split, default_data_dir, load_split, missing_hint, split_path
from swdkit.fileio import remove_stale_temporaries

# A file attribute that only generated data carries (swdkit.data.synthetic writes it, and
# `swdkit data prepare` copies source attributes into its cache).
GENERATOR_ATTR = "generator"


@dataclass
class LessonData:
    """Everything a lesson needs: normalised splits and how they were made.

    Attributes:
        train, val, test: normalised :class:`swdkit.data.Split` s (statistics fitted on
            ``train`` only).
        stats: the :class:`swdkit.data.NormStats` used (plain data; ``stats.to_dict()``).
        class_names: the K class names; ``n_classes`` = K.
        data_dir: the folder read.
        source: ``"synthetic"`` or ``"so2sat"``.
        sar_input: what ``sar`` holds (:data:`swdkit.data.SAR_INPUTS`).
        arbitrary_phase: whether the VV channels are a complex radar signal whose absolute
            phase carries no information (the real So2Sat and the rendered synthetic radar: a
            rotation of the phase keeps the label), or not (False: the synthetic twin set,
            whose VV "real" and "imaginary" channels hold a linear map of the optical RGB, so
            their angle is signal). Decides whether SAR views rotate the phase of ``re_im``.
    """

    train: Split
    val: Split
    test: Split
    stats: Any
    class_names: list[str]
    n_classes: int
    data_dir: Path
    source: str
    sar_input: str = DEFAULT_SAR_INPUT
    arbitrary_phase: bool = True


def _file_attrs(path: Path) -> dict[str, Any] | None:
    """The HDF5 file attributes of ``path``, or None when it is missing or unreadable."""
    import h5py

    try:
        with h5py.File(path, "r") as f:
            return dict(f.attrs)
    except OSError:
        return None


def _is_twin(attrs: dict[str, Any]) -> bool:
    """Whether a split file's attributes are a synthetic twin set's (its ``twin`` attribute, the
    twin's noise level, is a number; NaN or absent for the rendered radar and for real files)."""
    try:
        return math.isfinite(float(attrs["twin"]))
    except (KeyError, TypeError, ValueError):
        return False


def is_synthetic(root: str | os.PathLike) -> bool:
    """Whether ``root/training.h5`` was written by a generator (has a ``generator`` attribute)."""
    attrs = _file_attrs(Path(root) / "training.h5")
    return attrs is not None and GENERATOR_ATTR in attrs


def ensure_synthetic(root: str | os.PathLike, *, n_train: int | None = None,
                     n_val: int | None = None, n_test: int | None = None, seed: int = 0,
                     progress: bool = True) -> tuple[Path, bool]:
    """Make the synthetic set in ``root`` unless a matching one is already there.

    "Matching" is :func:`swdkit.data.synthetic.synthetic_matches`: the three files are readable and
    carry this generator's name and version, the seed and the sizes. Sizes default to the
    generator's ``DEFAULT_N_TRAIN``, ``DEFAULT_N_VAL``, ``DEFAULT_N_TEST`` (per class). The
    generator writes each file atomically, so an interrupted run never leaves a half-written
    file under a final name, and the temporary files of a killed run are removed. It writes
    only into a missing or empty folder or one holding its own earlier output.

    Returns:
        ``(root, made)``: ``made`` is False when a matching set was found and kept.

    Raises:
        ValueError: ``root`` holds files the generator did not write (for example the real
            So2Sat files); they are named, and nothing is changed.
    """
    from swdkit.data import synthetic

    sizes = {"n_train": synthetic.DEFAULT_N_TRAIN if n_train is None else n_train,
             "n_val": synthetic.DEFAULT_N_VAL if n_val is None else n_val,
             "n_test": synthetic.DEFAULT_N_TEST if n_test is None else n_test}
    root = Path(root).expanduser()
    if synthetic.synthetic_matches(root, seed=seed, **sizes):
        remove_stale_temporaries(root)  # a killed run's leftovers, even when nothing is made
        return root, False
    synthetic.make_synthetic(root, seed=seed, progress=progress, **sizes)
    return root, True


def load_lesson_data(data_dir: str | os.PathLike | None = None, *,
                     classes: str | Sequence[int] = "lowrise", max_train: int | None = None,
                     max_val: int | None = None, max_test: int | None = None,
                     sar_norm: str = "standard",
                     sar_input: str = DEFAULT_SAR_INPUT) -> LessonData:
    """Load training, validation and testing, normalised with training statistics only.

    Args:
        data_dir: a folder with ``training.h5``, ``validation.h5``, ``testing.h5`` (real So2Sat
            version 2, the synthetic stand-in, or a cache from ``swdkit data prepare``), read
            as is. None uses :func:`swdkit.data.default_data_dir` and makes the synthetic set
            there (default sizes, seed 0) if it is absent or was made with other settings.
        classes: class configuration name (``"lowrise"``, ``"urban"``, ``"all"``) or So2Sat
            class indices.
        max_train, max_val, max_test: strided subsample sizes (see
            :func:`swdkit.data.load_split`); None keeps every sample.
        sar_norm: ``"standard"``, ``"signed_log"`` or ``"robust"`` (see
            :mod:`swdkit.data._normalize`).
        sar_input: what the SAR encoder sees: ``"db_smooth"`` (the default: VV intensity in dB
            and its 5 x 5 average in dB), ``"db_lee"`` (the second channel Lee-filtered instead
            of averaged) or ``"re_im"`` (the paper's VV real and imaginary parts); see
            :func:`swdkit.data.sar_representation`. Applied before normalisation.

    Returns:
        A :class:`LessonData`.

    Raises:
        FileNotFoundError: ``data_dir`` or one of its files is missing (the message names the
            commands that make or fetch them).
        ValueError: an unknown option, a file in the wrong layout or a training split without
            a sample of some class (see ``load_split``), values that cannot be measurements
            (see :func:`swdkit.data.fit_normalization`), or, with ``data_dir=None``, a default
            folder holding files the synthetic generator did not write (it never replaces
            them; see :func:`ensure_synthetic`).
    """
    from swdkit.data import _normalize as normalize
    from swdkit.data._representation import SAR_INPUTS, sar_representation

    check_choice("sar_input", sar_input, SAR_INPUTS)
    if sar_norm not in normalize.SAR_NORMS:
        raise ValueError(f"sar_norm={sar_norm!r} is unknown; choose one of {normalize.SAR_NORMS}")
    if data_dir is None:
        root, _ = ensure_synthetic(default_data_dir())
    else:
        root = Path(data_dir).expanduser()
        if not root.is_dir():
            raise FileNotFoundError(f"data_dir {root} is not a folder. {missing_hint(root)}")
    limits = {"training": max_train, "validation": max_val, "testing": max_test}
    raw = {split: load_split(root, split, classes=classes, max_samples=limit)
           for split, limit in limits.items()}
    names = {split: f"the {split} split ({split_path(root, split)})" for split in limits}
    for split, s in raw.items():  # on the values as read, before any transform hides them
        normalize.check_measurements(s.sar, normalize.SAR_NAMES, normalize.SAR_LIMIT,
                                     f"the SAR of {names[split]}")
    raw = {split: replace(s, sar=sar_representation(s.sar, sar_input)) for split, s in raw.items()}
    stats = normalize.fit_normalization(raw["training"], sar_norm=sar_norm,
                                        name=names["training"])
    train, val, test = (normalize.normalize_split(raw[s], stats, name=names[s]) for s in limits)
    attrs = _file_attrs(root / "training.h5") or {}
    return LessonData(
        train=train, val=val, test=test, stats=stats, class_names=list(train.class_names),
        n_classes=len(train.class_names), data_dir=root,
        source="synthetic" if GENERATOR_ATTR in attrs else "so2sat", sar_input=sar_input,
        arbitrary_phase=not _is_twin(attrs))
