"""Worked answers of notebook 03_supcon (filled in only with ``solutions=True``).

Each entry maps an exercise's number to a function of the notebook's namespace that returns
``{answer name: worked answer}`` (see :mod:`swdkit.notebooks._exercises`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def _perfect_loss(ns: Mapping[str, Any]) -> dict[str, Any]:
    """Exercise 1: every anchor gives -(1/tau) + log(3 e^(1/tau) + 4) = log(3 + 4 e^(-1/tau))
    (tau = tau_b, so the factor tau / tau_b is 1)."""
    return {"my_perfect_loss": math.log(3 + 4 * math.exp(-1 / ns["tau"]))}


def _temperature(ns: Mapping[str, Any]) -> dict[str, Any]:
    """Exercise 2: the library's loss at tau = tau_b = 0.5, and how it compares with tau = 0.1."""
    loss = ns["supcon_loss"]
    half = float(loss(ns["perfect"], ns["perfect_labels"], temperature=0.5, base_temperature=0.5))
    tenth = math.log(3 + 4 * math.exp(-1 / ns["tau"]))  # exercise 1 at tau = 0.1
    return {"loss_at_half": half, "my_half_vs_tenth": "larger" if half > tenth else "smaller"}


SOLUTIONS = {1: _perfect_loss, 2: _temperature}
