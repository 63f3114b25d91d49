"""Worked answers of notebook 02_eo_pretraining (filled in only with ``solutions=True``).

Each entry maps an exercise's number to a function of the notebook's namespace that returns
``{answer name: worked answer}`` (see :mod:`swdkit.notebooks._exercises`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np


def _parameter_count(ns: Mapping[str, Any]) -> dict[str, Any]:
    """Exercise 1: the parameters of ``Encoder(2, norm="instance", width=8, embed_dim=32)``."""
    convolutions = 3 * 3 * (2 * 8 + 8 * 16 + 16 * 32) + 32  # only the last one has a bias
    norms = 2 * (8 + 16)  # a scale and a shift per channel of the two instance norms
    linear = 32 * 32 + 32  # pooled channels -> embedding, with a bias
    return {"my_parameter_count": convolutions + norms + linear}


def _precision(ns: Mapping[str, Any]) -> dict[str, Any]:
    """Exercise 2: precision per class, the diagonal of the confusion matrix over its column
    sums (rows are true classes, columns predictions); nan for a class never predicted."""
    conf = np.asarray(ns["conf"], dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {"my_precision": np.diag(conf) / conf.sum(axis=0)}


SOLUTIONS = {1: _parameter_count, 2: _precision}
