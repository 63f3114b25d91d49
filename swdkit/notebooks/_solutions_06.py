"""Worked answers of notebook 06 (the paper's study as one grid), computed from its namespace the
way a student would: from ``records``, ``runs`` and the helpers the notebook defines.

Filled in by :func:`swdkit.notebooks.fill_solutions` only when the notebook's ``solutions``
parameter is True (CI and ``make run``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def _exercise_1(ns: Mapping[str, Any]) -> dict[str, Any]:
    """SWD minus SAR-only for one seed and cell, from the two records."""
    cell, seed = ns["ex1_cell"], ns["ex1_seed"]

    def accuracy(method: str) -> float:
        return next(r["results"]["test_accuracy"] for r in ns["records"]
                    if r["settings"]["method"] == method and r["settings"]["seed"] == seed
                    and all(r["settings"][k] == v for k, v in cell.items()))

    return {"my_difference": accuracy("swd") - accuracy("sar_only")}


def _exercise_2(ns: Mapping[str, Any]) -> dict[str, Any]:
    """Every block runs every seed, so one new seed adds the runs of one seed."""
    runs = ns["runs"]
    seeds = {s["seed"] for s in runs}
    return {"my_new_runs": len(runs) // len(seeds)}


def _exercise_3(ns: Mapping[str, Any]) -> dict[str, Any]:
    """A run's key is its settings: the seed, the training config and the data limits are in
    them; the device, the EO cache folder and the number of workers are not."""
    return {"my_new_key": {"seed", "alpha", "max_test"}}


def _exercise_4(ns: Mapping[str, Any]) -> dict[str, Any]:
    """At the label count with fine-tuning's largest mean per-seed lead over SAR only (at
    ``main_norm``, lowrise, no SupCon): the lower end of the lead's 95 % interval in points, and
    whether the shared rule calls the lead."""
    leads = {}
    for n in ns["label_counts"]:
        finetune, sar_only = ns["paired_by_seed"](ns["accuracy_by_seed"]("finetune", n_labeled=n),
                                                  ns["accuracy_by_seed"]("sar_only", n_labeled=n))
        if finetune:
            leads[n] = ns["compare"](finetune, sar_only, n_test=ns["n_test"])
    best = leads[max(leads, key=lambda n: leads[n].difference)]
    # equal per-seed differences have no interval (the rule does not test them): nan
    return {"my_lead_low": round(100 * best.ci_low, 1) if best.ci_low is not None else math.nan,
            "my_best_distinguishable": best.outcome != "not distinguishable"}


SOLUTIONS = {1: _exercise_1, 2: _exercise_2, 3: _exercise_3, 4: _exercise_4}
