"""Worked answers of notebook 01_data (filled in only with ``solutions=True``).

Each entry maps an exercise's number to a function of the notebook's namespace that returns
``{answer name: worked answer}`` (see :mod:`swdkit.notebooks._exercises`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _few_shot(ns: Mapping[str, Any]) -> dict[str, Any]:
    """Exercise 1: each class gets n // K labels and the n mod K left over go to as many
    classes, one each."""
    return {"my_prediction": ns["n_labeled"] % ns["n_classes"]}


def _distance(ns: Mapping[str, Any]) -> dict[str, Any]:
    """Exercise 2: SW2^2(cX, cY) = c^2 SW2^2(X, Y); a common shift moves both projected clouds
    alike and changes nothing."""
    raw = ns["sw_scale"]["raw"]["between"]
    return {"my_sw_prediction": ns["c"] ** 2 * raw, "my_shift_prediction": raw}


def _biggest_change(ns: Mapping[str, Any]) -> dict[str, Any]:
    """Exercise 3: the normalisation whose between/within ratio lies furthest from the raw one."""
    table = ns["sw_scale"]
    change = {name: abs(table[name]["ratio"] - table["raw"]["ratio"])
              for name in ns["data"].SAR_NORMS}
    return {"my_biggest_change": max(change, key=change.get)}


SOLUTIONS = {1: _few_shot, 2: _distance, 3: _biggest_change}
