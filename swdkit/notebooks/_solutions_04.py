"""Worked answers of notebook 04 (04_swd_alignment), filled in by
:func:`swdkit.notebooks.fill_solutions` when the notebook runs with ``solutions=True``.

Each function takes the notebook's namespace and computes the answer from its variables, the way
a student would in the exercise cell.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def _gaussian_sw(ns: Mapping[str, Any]) -> dict[str, Any]:
    """Exercise 1: the 1-D W_2^2 is <m1 - m2, theta>^2 + (s1 - s2)^2; over uniform unit
    directions the mean of <u, theta>^2 is |u|^2 / D (the D squared coordinates of theta sum to
    1 and are alike), so SW_2^2 = |m1 - m2|^2 / D + (s1 - s2)^2."""
    return {"my_sw": ns["m_gap"] ** 2 / ns["D"] + (ns["s1"] - ns["s2"]) ** 2}


def _alignment_off(ns: Mapping[str, Any]) -> dict[str, Any]:
    """Exercise 2: the SWD run minus its alpha = beta = 0 control, in points, and the verdict
    of the shared rule (two-proportion z test on the notebook's test split)."""
    from swdkit.experiments import compare

    swd = ns["results"][("swd", ns["norm"])].test_accuracy
    control = ns["control"].test_accuracy
    verdict = compare(swd, control, n_test=ns["n_test"], names=("SWD", "SWD without alignment"))
    return {"my_alignment_gain": round(100 * (swd - control), 1),
            "my_alignment_verdict": verdict.outcome}


SOLUTIONS: dict[int, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    1: _gaussian_sw,
    2: _alignment_off,
}
