"""What a notebook leaves behind for people and for the runner: metrics and figures.

Each lesson notebook has an ``out_dir`` parameter. Its key numbers go to
``out_dir/metrics.json`` (read by ``swdkit notebooks`` into ``summary.json`` and asserted on by
the tests) and its figures to ``out_dir/<name>.png`` beside the executed notebook.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from swdkit.fileio import atomic_path, json_ready, write_json_atomic

METRICS_FILE = "metrics.json"


def record_metrics(out_dir: str | os.PathLike, **metrics: Any) -> dict[str, Any]:
    """Merge ``metrics`` into ``out_dir/metrics.json`` (written atomically) and return them all.

    Values may be Python or numpy/torch numbers, strings, bools, lists or dicts of those.
    Non-finite floats are refused: a NaN accuracy is a bug to report, not a number to keep.

    Example:
        >>> record_metrics("build/notebooks/02", eo_test_accuracy=0.91)  # doctest: +SKIP
    """
    out = Path(out_dir)
    path = out / METRICS_FILE
    current: dict[str, Any] = {}
    if path.exists():
        current = json.loads(path.read_text(encoding="utf-8"))
    for name, value in metrics.items():
        plain = json_ready(value)
        if isinstance(plain, float) and not math.isfinite(plain):
            raise ValueError(f"metric {name!r} is {plain}; record only finite numbers")
        current[name] = plain
    write_json_atomic(path, current)
    return current


def load_metrics(out_dir: str | os.PathLike) -> dict[str, Any]:
    """Read ``out_dir/metrics.json``; an empty dict when the notebook recorded nothing."""
    path = Path(out_dir) / METRICS_FILE
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def save_figure(fig: Any, out_dir: str | os.PathLike, name: str, *, dpi: int = 110) -> Path:
    """Save a matplotlib figure as ``out_dir/<name>.png`` (atomically) and return the path."""
    path = Path(out_dir) / f"{name}.png"
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight")
    return path
