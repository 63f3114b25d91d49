"""What a grid worker does: load a run's data set, run the method, return the store record.

:func:`execute_run` is the unit of work the grid runner (:mod:`swdkit.experiments._runner`)
sends to an executor. It must be importable by the worker (it is: a module-level function of
swdkit), and so must the functions it calls: by default :func:`default_load_data`
(``swdkit.data.load_lesson_data``) and :func:`default_run` (``swdkit.methods.run_method``,
which runs every registered method). A config's ``functions`` map can name
others as ``module:function`` (the tests use a fake, fast run function this way).

Data sets are kept in a small per-process cache, so the runs a worker does on one class set load
their data once.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import platform
import socket
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from swdkit._source import digest_sources
from swdkit.experiments._spec import FULL, run_key
from swdkit.experiments._store import CONFUSION_SCORES, confusion_scores
from swdkit.fileio import json_ready

_DATA_CACHE: dict[str, Any] = {}
_DATA_CACHE_SIZE = 3


def _resolve(name: str) -> Callable[..., Any]:
    module, _, attr = name.partition(":")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as err:
        raise ValueError(f"functions: cannot import {name!r} ({err}); give 'module:function' "
                         "with the module on the Python path") from err


def default_load_data(data_dir: str | None, *, classes: str, **data: Any) -> Any:
    """``swdkit.data.load_lesson_data`` with the grid's data settings."""
    from swdkit.data import load_lesson_data

    return load_lesson_data(data_dir, classes=classes, **data)


def default_run(data: Any, *, method: str, **kwargs: Any) -> Any:
    """:func:`swdkit.methods.run_method` without its progress bars (the grid has its own; a
    config may still ask for them)."""
    from swdkit.methods import run_method

    kwargs["config"] = {"progress": False, **(kwargs.get("config") or {})}
    return run_method(data, method=method, **kwargs)


def prepare_default_data(runs: list[dict[str, Any]], functions: dict[str, Any]) -> None:
    """Make the built-in synthetic data set once, here, before workers start.

    Several local workers that each found it missing would otherwise all make it at once. Only
    for the default loader and runs with ``data_dir: null``; a remote cluster's workers must have
    the data already.
    """
    if functions.get("load_data") is None and any(r["data_dir"] is None for r in runs):
        from swdkit.data import default_data_dir
        from swdkit.data._lesson import ensure_synthetic

        ensure_synthetic(default_data_dir())


def _load_cached(load: Callable[..., Any], load_name: str, settings: dict[str, Any]) -> Any:
    key = run_key({"load": load_name, "data_dir": settings["data_dir"],
                   "classes": settings["classes"], "data": settings["data"]})
    if key not in _DATA_CACHE:
        while len(_DATA_CACHE) >= _DATA_CACHE_SIZE:
            _DATA_CACHE.pop(next(iter(_DATA_CACHE)))
        _DATA_CACHE[key] = load(settings["data_dir"], classes=settings["classes"],
                                **settings["data"])
    return _DATA_CACHE[key]


def _get(result: Any, name: str, default: Any = None) -> Any:
    if isinstance(result, dict):
        return result.get(name, default)
    return getattr(result, name, default)


def labeled_digest(indices: Any) -> str | None:
    """A short fingerprint of a labeled subset (sorted indices), to check that runs are paired."""
    if indices is None:
        return None
    values = sorted(int(i) for i in json_ready(indices, strict=False))
    return hashlib.sha1(",".join(map(str, values)).encode()).hexdigest()[:16]


_SOURCE_DIGEST: list[str] = []


def source_digest() -> str:
    """A fingerprint of the swdkit source that runs (its ``.py`` files), so a store can tell
    when its runs came from different code (a version number does not change with every edit).

    Taken once per process, on its first call; :func:`execute_run` calls it before it imports
    the training code, so files edited while a grid runs are not mistaken for the code that ran.
    """
    if not _SOURCE_DIGEST:
        _SOURCE_DIGEST.append(digest_sources())
    return _SOURCE_DIGEST[0]


def _versions() -> dict[str, str]:
    from swdkit import __version__

    found = {"swdkit": __version__, "swdkit_source": source_digest(),
             "python": platform.python_version()}
    for name in ("numpy", "torch"):
        module = sys.modules.get(name)
        if module is not None:
            found[name] = str(getattr(module, "__version__", "?"))
    return found


def _test_scores(result: Any, confusion: Any) -> dict[str, Any]:
    """Per-class F1, macro F1, kappa (from the confusion matrix, JSON-ready: None for NaN) and
    the accuracy and sample count per test city (None when the result has none)."""
    scores = dict.fromkeys(CONFUSION_SCORES)
    if confusion:
        scores = confusion_scores(confusion)
    cities, counts = _get(result, "city_accuracy"), _get(result, "city_n")
    if cities and counts:
        scores["city_accuracy"] = json_ready(cities, strict=False)
        scores["city_n"] = json_ready(counts, strict=False)
    else:
        scores["city_accuracy"] = scores["city_n"] = None
    return scores


def make_record(settings: dict[str, Any], result: Any, *, wall_seconds: float,
                device: str) -> dict[str, Any]:
    """The store line of a finished run: its settings, results, seconds and versions.

    ``results`` holds the SAR test accuracy, per-class accuracy, confusion matrix, per-class F1,
    macro F1 and Cohen's kappa (read from the confusion matrix; None where undefined) and the
    accuracy and sample count per test city (``city_accuracy``, ``city_n``; None when the test
    split has no cities), besides the history, the pairing fingerprint and ``config``: the
    run's :class:`swdkit.methods.MethodConfig` as a dict, every default written out.
    """
    indices = _get(result, "labeled_indices")
    results = {
        "test_accuracy": float(_get(result, "test_accuracy")),
        "per_class_accuracy": json_ready(_get(result, "per_class_accuracy"), strict=False),
        "eo_test_accuracy": json_ready(_get(result, "eo_test_accuracy"), strict=False),
        "n_labeled_used": None if indices is None else len(json_ready(indices, strict=False)),
        "labeled_digest": labeled_digest(indices),
        "history": json_ready(_get(result, "history"), strict=False),
        "confusion": json_ready(_get(result, "confusion"), strict=False),
        # every setting as it ran, defaults included: ``settings`` holds only the overrides,
        # whose meaning changes when a default does
        "config": json_ready(_get(result, "config"), strict=False),
    }
    results.update(_test_scores(result, results["confusion"]))
    history = results["history"] or []
    if history and isinstance(history[-1], dict) and "val_accuracy" in history[-1]:
        # the validation cities' accuracy of the final network: what choices are made on
        results["val_accuracy"] = history[-1]["val_accuracy"]
    initial = _get(result, "initial_probe")
    if initial:
        results["probe_before"] = json_ready(initial, strict=False)
    pretrain = _get(result, "pretrain")
    if pretrain is not None:
        results["eo_val_accuracy"] = json_ready(_get(pretrain, "eo_val_accuracy"), strict=False)
        results["pretrain_cached"] = bool(_get(pretrain, "cached"))
    seconds = _get(result, "seconds")
    return {
        "settings": settings,
        "results": results,
        "seconds": float(seconds) if seconds is not None else wall_seconds,
        "wall_seconds": wall_seconds,
        "device": device,
        "host": socket.gethostname(),
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": _versions(),
    }


def set_torch_threads(threads: int) -> None:
    """Limit torch's intra-op threads, without importing torch when it is not loaded yet.

    Before torch's first import ``OMP_NUM_THREADS`` decides its thread count; afterwards only
    ``torch.set_num_threads`` does.
    """
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(threads)
    else:
        os.environ["OMP_NUM_THREADS"] = str(threads)


def execute_run(job: dict[str, Any]) -> dict[str, Any]:
    """Run one grid point (in a worker) and return its record.

    Args:
        job: ``settings`` (a run's settings), ``device``, ``checkpoint_dir``, ``functions``
            (``{"run": ..., "load_data": ...}`` as ``module:function`` strings or callables;
            missing ones take the defaults) and ``torch_threads`` (None: leave torch's default).

    Returns:
        The record (see :func:`make_record`).
    """
    start = time.perf_counter()
    # Fingerprint the source before this process imports the code it runs: read later, the
    # digest would describe files edited after the import, not the code that ran.
    source_digest()
    if job.get("torch_threads"):
        set_torch_threads(int(job["torch_threads"]))
    functions = job.get("functions") or {}
    load = functions.get("load_data", default_load_data)
    run = functions.get("run", default_run)
    load_name = load if isinstance(load, str) else f"{load.__module__}:{load.__qualname__}"
    load = _resolve(load) if isinstance(load, str) else load
    run = _resolve(run) if isinstance(run, str) else run
    settings = job["settings"]
    data = _load_cached(load, load_name, settings)
    n_labeled = None if settings["n_labeled"] == FULL else settings["n_labeled"]
    result = run(data, method=settings["method"], n_labeled=n_labeled, seed=settings["seed"],
                 norm=settings["norm"], supcon=settings["supcon"],
                 config=dict(settings["config"]) or None, device=job.get("device", "auto"),
                 checkpoint_dir=job.get("checkpoint_dir"))
    device = str(job.get("device", "auto"))
    if "torch" in sys.modules:  # the device the run actually used ("auto" resolved)
        from swdkit.device import pick_device

        device = str(pick_device(device))
    return make_record(settings, result, wall_seconds=time.perf_counter() - start,
                       device=device)
