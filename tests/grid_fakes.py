"""Fake, fast stand-ins for the grid's data loader and run function (tests only).

They have the call signatures of ``swdkit.data.load_lesson_data`` and
``swdkit.methods.run_method`` and return the same result fields, so the grid machinery can be
tested in milliseconds. The accuracy is a deterministic function of the settings, so a test can
compute what the store must hold without running anything.
"""

from __future__ import annotations

import hashlib
import os
import signal
import time
from types import SimpleNamespace


def fake_load(data_dir, *, classes, **data):
    """A stand-in data set: only what the fake run needs."""
    n_classes = {"lowrise": 4, "urban": 10, "all": 17}[classes]
    return SimpleNamespace(classes=classes, n_classes=n_classes, data_dir=data_dir,
                           n_train=int(data.get("max_train") or 200), loaded_by=os.getpid())


def expected_accuracy(*, classes, method, n_labeled, seed, norm, supcon):
    """The accuracy fake_run reports for these settings (a hash, in [0.25, 0.95))."""
    text = f"{classes}|{method}|{n_labeled}|{seed}|{norm}|{supcon}"
    h = int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)
    return 0.25 + 0.7 * (h / 2**32)


def fake_run(data, *, method, n_labeled, seed, norm="instance", supcon=False, config=None,
             device="auto", checkpoint_dir=None):
    """Returns run_method's result fields; sleeps config['sleep'] seconds; fails on request."""
    config = config or {}
    if config.get("fail_method") == method:
        raise RuntimeError(f"fake failure of {method}")
    time.sleep(float(config.get("sleep", 0.0)))
    n = n_labeled if n_labeled is not None else data.n_train
    start = (seed * 7) % 50
    indices = list(range(start, start + n))
    acc = expected_accuracy(classes=data.classes, method=method,
                            n_labeled="full" if n_labeled is None else n_labeled, seed=seed,
                            norm=norm, supcon=supcon)
    return SimpleNamespace(test_accuracy=acc, per_class_accuracy=[acc] * data.n_classes,
                           eo_test_accuracy=0.97, history=[{"epoch": 0, "loss": 1.0}],
                           seconds=0.01, labeled_indices=indices)


def flaky_run(data, *, method, **kwargs):
    """fake_run, except that every sar_only run fails."""
    if method == "sar_only":
        raise RuntimeError(f"fake failure of {method}")
    return fake_run(data, method=method, **kwargs)


def deadly_run(data, *, method, seed, **kwargs):
    """fake_run, except that the swd run of seed 1 kills its own process (a dead worker)."""
    if method == "swd" and seed == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    return fake_run(data, method=method, seed=seed, **kwargs)
