"""Worked answers of notebook 05 (05_umap_embeddings), filled in by
:func:`swdkit.notebooks.fill_solutions` when the notebook runs with ``solutions=True``.

Each function takes the notebook's namespace and computes the answer from its variables, the way
a student would in the exercise cell.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def _matching_w2(ns: Mapping[str, Any]) -> dict[str, Any]:
    """Exercise 1: W_2^2 along 0 degrees = mean of the squared gaps of the sorted x
    coordinates of the two clouds."""
    import numpy as np

    x, y = np.asarray(ns["x"]), np.asarray(ns["y"])
    return {"my_w2": float(np.mean((np.sort(x[:, 0]) - np.sort(y[:, 0])) ** 2))}


def _shift(ns: Mapping[str, Any]) -> dict[str, Any]:
    """Exercise 2: SW_2^2(z, z + t) with the library and as (1/L) sum_l <t, theta_l>^2."""
    from swdkit.losses import sliced_wasserstein

    sar_z, t, projections = ns["sar_z"], ns["t"], ns["P"]
    return {"shift_sw": float(sliced_wasserstein(sar_z, sar_z + t, projections=projections)),
            "shift_formula": float(((t @ projections) ** 2).mean())}


SOLUTIONS: dict[int, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    1: _matching_w2,
    2: _shift,
}
