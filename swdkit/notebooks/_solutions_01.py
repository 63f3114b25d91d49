"""Worked answers of notebook 01_data (filled in only with ``solutions=True``).

Each entry maps an exercise's number to a function of the notebook's namespace that returns
``{answer name: worked answer}`` (see :mod:`swdkit.notebooks._exercises`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np


def _extra(n: int, k: int) -> int:
    """Classes that get one label more: the n mod K left over after n // K each, one apiece."""
    return n % k


def _few_shot(ns: Mapping[str, Any]) -> dict[str, Any]:
    """Exercise 1: each class gets n // K labels and the n mod K left over go to as many
    classes, one each."""
    return {"my_extra": _extra}


def _distance(ns: Mapping[str, Any]) -> dict[str, Any]:
    """Exercise 2: SW2^2(cX, cY) = c^2 SW2^2(X, Y); shifting the second cloud by 0.5 in every
    coordinate shifts its projection on theta by s = 0.5 sum(theta), which adds
    s^2 - 2 s (mean x - mean y) to each direction's squared 1-D distance."""
    raw = ns["sw_scale"]["raw"]["between"]
    projections = ns["projections"]  # (D, L): one direction per column
    s = 0.5 * projections.sum(dim=0)
    mean_x = (ns["first_cloud"] @ projections).mean(dim=0)  # one projected mean per direction
    mean_y = (ns["last_cloud"] @ projections).mean(dim=0)
    gap = mean_x - mean_y
    shifted = raw + float((s**2 - 2 * s * gap).mean())
    return {"my_sw_prediction": ns["c"] ** 2 * raw, "my_shift_prediction": shifted}


def _clipped_share(ns: Mapping[str, Any]) -> dict[str, Any]:
    """Exercise 3: the share of robust-normalised training values that sit at the clip, +-3."""
    return {"my_clipped_share": float(np.mean(np.isclose(np.abs(ns["scaled"]["robust"]), 3.0)))}


SOLUTIONS = {1: _few_shot, 2: _distance, 3: _clipped_share}
