"""Checking a run's embedding snapshots before anything is drawn from them.

A snapshot is any object with the attributes of ``swdkit.train``'s ``Snapshot`` (duck typing):
``epoch`` int, ``eo`` float ``(n, D)``, ``sar`` float ``(m, D)``, ``eo_labels`` int ``(n,)``,
``sar_labels`` int ``(m,)``, ``sw`` float and ``sar_accuracy`` float. The views compare frames
across epochs, so every snapshot of a run must describe the same probe samples: the same n, m
and D, the same labels, and strictly increasing epochs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

FIELDS = ("epoch", "eo", "sar", "eo_labels", "sar_labels", "sw", "sar_accuracy")
_NEED = ("a non-empty list of per-epoch snapshots (objects with epoch, eo (n, D), sar (m, D), "
         "eo_labels (n,), sar_labels (m,), sw, sar_accuracy), e.g. the `snapshots` of "
         "swdkit.methods.run_method(..., snapshots=True)")


def _check_one(i: int, s: Any) -> None:
    missing = [f for f in FIELDS if not hasattr(s, f)]
    if missing:
        raise ValueError(f"snapshot {i} ({type(s).__name__}) lacks {missing}; the views need "
                         f"{_NEED}.")
    for name in ("eo", "sar"):
        arr = np.asarray(getattr(s, name))
        if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 1:
            raise ValueError(f"snapshot {i} (epoch {s.epoch}): {name} must be a 2-D array "
                             f"(points, embedding size) with at least one point; got shape "
                             f"{arr.shape}.")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"snapshot {i} (epoch {s.epoch}): {name} holds NaN or infinite "
                             "values; the training run diverged, look at its loss history.")
    for name, cloud in (("eo_labels", "eo"), ("sar_labels", "sar")):
        labels = np.asarray(getattr(s, name))
        n = np.asarray(getattr(s, cloud)).shape[0]
        if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"snapshot {i} (epoch {s.epoch}): {name} must be integers of shape "
                             f"({n},) to match {cloud}; got {labels.dtype} {labels.shape}.")
    if np.asarray(s.eo).shape[1] != np.asarray(s.sar).shape[1]:
        raise ValueError(f"snapshot {i} (epoch {s.epoch}): EO and SAR embeddings differ in size "
                         f"({np.asarray(s.eo).shape[1]} vs {np.asarray(s.sar).shape[1]}); both "
                         "encoders must map into one embedding space.")


def check_snapshots(snapshots: Sequence[Any]) -> list[Any]:
    """Return ``snapshots`` as a list after checking they form one comparable run.

    Raises:
        ValueError: no snapshots; a missing attribute; bad shapes or non-finite values;
            snapshots that differ in probe counts, embedding size or labels; epochs that do not
            strictly increase. The message says what is needed.
    """
    if isinstance(snapshots, Mapping) or isinstance(snapshots, (str, bytes)):
        raise ValueError(f"snapshots must be {_NEED}; got a {type(snapshots).__name__}.")
    try:
        snaps = list(snapshots)
    except TypeError as err:
        raise ValueError(f"snapshots must be {_NEED}; got {type(snapshots).__name__}.") from err
    if not snaps:
        raise ValueError(f"no snapshots were given; the views need {_NEED}.")
    for i, s in enumerate(snaps):
        _check_one(i, s)
    first = snaps[0]
    shape = (np.asarray(first.eo).shape, np.asarray(first.sar).shape)
    for s in snaps[1:]:
        here = (np.asarray(s.eo).shape, np.asarray(s.sar).shape)
        if here != shape:
            raise ValueError(
                f"snapshots do not match: epoch {first.epoch} has EO {shape[0]} and SAR "
                f"{shape[1]} but epoch {s.epoch} has EO {here[0]} and SAR {here[1]}. All "
                "snapshots of a run must embed the same probe samples with the same embedding "
                "size; pass the snapshots of one run only.")
        if not (np.array_equal(s.eo_labels, first.eo_labels)
                and np.array_equal(s.sar_labels, first.sar_labels)):
            raise ValueError(f"snapshots do not match: the probe labels of epoch {s.epoch} "
                             f"differ from those of epoch {first.epoch}; every snapshot of a "
                             "run must hold the same probe samples in the same order.")
    epochs = [int(s.epoch) for s in snaps]
    if any(b <= a for a, b in zip(epochs[:-1], epochs[1:], strict=True)):
        raise ValueError(f"snapshot epochs must strictly increase; got {epochs}. Pass one run's "
                         "snapshots in training order.")
    return snaps


def check_runs(runs: Any) -> dict[str, list[Any]]:
    """Normalise ``runs`` to ``{name: checked snapshots}``.

    Args:
        runs: one run's snapshots (a sequence), or a mapping from a run's name (shown in the
            run chooser) to its snapshots.

    Raises:
        ValueError: no runs, a name that is not a non-empty string, or bad snapshots in a run
            (the message names the run).
    """
    if not isinstance(runs, Mapping):
        return {"run": check_snapshots(runs)}
    if not runs:
        raise ValueError(f"runs is an empty mapping; give at least one run name -> {_NEED}.")
    out: dict[str, list[Any]] = {}
    for name, snaps in runs.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"run names must be non-empty strings; got {name!r}.")
        try:
            out[name] = check_snapshots(snaps)
        except ValueError as err:
            raise ValueError(f"run {name!r}: {err}") from err
    return out
