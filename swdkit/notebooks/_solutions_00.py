"""Worked answers of notebook 00_welcome (filled in only with ``solutions=True``).

Each entry maps an exercise's number to a function of the notebook's namespace that returns
``{answer name: worked answer}`` (see :mod:`swdkit.notebooks._exercises`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _chance(ns: Mapping[str, Any]) -> dict[str, Any]:
    """Exercise 1: chance is 1/K for each class configuration of K classes."""
    return {"chance": {name: 1 / len(indices) for name, indices in ns["CLASS_SETS"].items()}}


SOLUTIONS = {1: _chance}
