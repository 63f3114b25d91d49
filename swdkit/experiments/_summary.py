"""Summaries of a results store: mean and standard error per cell, paired differences.

A *cell* is a set of runs whose settings agree on everything but the seed. Its summary is the mean
test accuracy over seeds and the standard error of that mean,

    mean = (1/n) sum_i a_i,   se = s / sqrt(n),   s^2 = (1/(n-1)) sum_i (a_i - mean)^2,

(``se`` is undefined for one seed and reported as None). The seed paper reports exactly these.

Methods are better compared *paired*: runs with the same seed use the same labeled SAR subset
(``few_shot_indices(labels, n_labeled, seed=seed)``), the same data and the same EO pretraining, so
the per-seed difference ``d_i = a_i(A) - a_i(B)`` removes the part of the seed-to-seed spread the
two methods share. :func:`paired_differences` reports the mean of ``d_i``, its standard error,
the paired Student-t test and interval (:mod:`swdkit.experiments._stats`) and how many seeds A won,
for any factor (method, norm, supcon) and any two of its levels. A pair whose labeled subsets
differ (different ``labeled_digest``) is not a pair; it is left out and counted. Both also give
the spread over test cities (``city``) when the runs recorded their accuracy per city.

Tables are lists of plain dicts (pandas is not a dependency); :func:`markdown_table`
(:mod:`swdkit.experiments._tables`) renders them.
Accuracies are fractions in the store and percentages in the tables. A run whose accuracy is not
finite (NaN) is kept, so its cell's mean is NaN too: :func:`summarize` warns
(:class:`NonFiniteWarning`, naming the runs) and the tables print ``NaN``.
"""

from __future__ import annotations

__all__ = [
    "FACTORS", "SETTING_COLUMNS", "NonFiniteWarning", "class_scores", "markdown_table",
    "mean_and_sem",
    "methods_side_by_side", "nonfinite_runs", "paired_differences", "sort_key", "summarize",
]

import json
import math
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

from swdkit.experiments._spec import FULL, run_key
from swdkit.experiments._stats import city_spread, mean_and_sem, t_test
from swdkit.experiments._store import record_cities, record_value
from swdkit.experiments._tables import SETTING_COLUMNS, markdown_table, methods_side_by_side
from swdkit.methods import METHODS

FACTORS = ("method", "norm", "supcon")
_N_LABELED_ORDER = {FULL: math.inf}


class NonFiniteWarning(UserWarning):
    """Some runs have a metric that is not a finite number; their cells' means are NaN."""


def nonfinite_runs(records: Iterable[dict[str, Any]], metric: str = "test_accuracy"
                   ) -> list[str]:
    """The runs whose ``metric`` is not finite, each described by its settings."""
    found = []
    for record in records:
        value = record["results"].get(metric)
        if value is not None and not math.isfinite(float(value)):
            s = record["settings"]
            found.append(f"{s.get('method')} {s.get('classes')} n_labeled={s.get('n_labeled')} "
                         f"seed={s.get('seed')} norm={s.get('norm')} supcon={s.get('supcon')}: "
                         f"{metric}={value}")
    return found


def _cell_of(settings: dict[str, Any], drop: Iterable[str]) -> dict[str, Any]:
    drop = set(drop)
    return {k: v for k, v in settings.items() if k not in drop}


def _metric(record: dict[str, Any], metric: str) -> float:
    value = record_value(record, metric)
    if value is None:
        raise ValueError(f"metric={metric!r} is missing from a record's results; available: "
                         f"{', '.join(sorted(record['results']))}")
    return float(value)


def _city_spread(records: Sequence[dict[str, Any]],
                 partners: Sequence[dict[str, Any]] | None = None) -> dict[str, Any] | None:
    """:func:`city_spread` of the runs' test accuracy per city (minus the partner's, seed by
    seed, when ``partners`` are given); None unless every run recorded it on the same cities."""
    found = [record_cities(r) for r in [*records, *(partners or [])]]
    if not found or any(f is None or f[1] != found[0][1] for f in found):
        return None
    per_seed = [f[0] for f in found[:len(records)]]
    if partners:
        per_seed = [{c: v - other[0][c] for c, v in mine.items()}
                    for mine, other in zip(per_seed, found[len(records):], strict=True)]
    return city_spread(per_seed, found[0][1])


def sort_key(row: dict[str, Any]) -> tuple[Any, ...]:
    """Row order: data source, class set, norm, supcon, n_labeled (full last), method."""
    classes = row.get("classes")
    method = row.get("method", row.get("a"))
    n = row.get("n_labeled")
    return (str(row.get("data_dir")),
            ("lowrise", "urban", "all").index(classes) if classes in ("lowrise", "urban", "all")
            else 9, str(classes), str(row.get("norm")), str(row.get("supcon")),
            _N_LABELED_ORDER.get(n, n) if n is not None else -1,
            METHODS.index(method) if method in METHODS else len(METHODS), str(method),
            json.dumps(row.get("config"), sort_keys=True))


def summarize(records: Iterable[dict[str, Any]], *, metric: str = "test_accuracy"
              ) -> list[dict[str, Any]]:
    """Mean and standard error over seeds of ``metric``, per cell.

    Args:
        records: store records (``settings`` and ``results``), e.g. ``read_store(path).records``.
        metric: a key of each record's ``results``.

    Returns:
        One dict per cell, sorted: the cell's settings (everything but ``seed``), ``n`` (seeds),
        ``seeds``, ``mean``, ``sem`` (None for one seed), ``values`` (per seed, seed order),
        ``ci_low`` and ``ci_high`` (the 95 % Student-t interval of the mean; None for one seed)
        and, for ``test_accuracy``, ``city`` (:func:`swdkit.experiments._stats.city_spread`;
        None when the runs did not record their accuracy per test city).
        A :class:`NonFiniteWarning` names the runs whose ``metric`` is not finite.
    """
    records = list(records)
    bad = nonfinite_runs(records, metric)
    if bad:
        warnings.warn(f"{len(bad)} run(s) have a {metric} that is not a finite number, so their "
                      f"cells' means are NaN: {'; '.join(bad)}", NonFiniteWarning, stacklevel=2)
    rows = []
    for cell, seeds, runs in _cells(records):
        values = [_metric(r, metric) for r in runs]
        test = t_test(values)
        rows.append({**cell, "n": len(values), "seeds": seeds, "values": values,
                     "mean": test["mean"], "sem": test["sem"], "ci_low": test["ci_low"],
                     "ci_high": test["ci_high"],
                     "city": _city_spread(runs) if metric == "test_accuracy" else None})
    return sorted(rows, key=sort_key)


def _cells(records: Iterable[dict[str, Any]]
           ) -> list[tuple[dict[str, Any], list[int], list[dict[str, Any]]]]:
    """The records grouped by cell: ``(cell settings, seeds in order, their records)``."""
    cells: dict[str, tuple[dict[str, Any], dict[int, dict[str, Any]]]] = {}
    for record in records:
        settings = record["settings"]
        cell = _cell_of(settings, ["seed"])
        cells.setdefault(run_key(cell), (cell, {}))[1][int(settings["seed"])] = record
    return [(cell, sorted(by_seed), [by_seed[s] for s in sorted(by_seed)])
            for cell, by_seed in cells.values()]


def class_scores(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Macro F1, Cohen's kappa and per-class F1 of the SAR test set per cell, over seeds.

    Read from each record's stored scores, or from its confusion matrix when it was written
    before they were stored (:func:`swdkit.experiments._store.record_value`).

    Returns:
        One dict per cell, sorted: the cell's settings, ``n``, ``seeds``, ``macro_f1`` and
        ``macro_f1_sem``, ``kappa`` and ``kappa_sem`` (mean and SE over seeds; the SE None for
        one seed; ``kappa`` None where a run's is undefined) and ``f1`` (per class, mean over
        seeds; None for a class without F1 in a run). All None when a run has neither the
        scores nor a confusion matrix ("not recorded").
    """
    rows = []
    for cell, seeds, runs in _cells(records):
        row = {**cell, "n": len(runs), "seeds": seeds, "macro_f1": None, "macro_f1_sem": None,
               "kappa": None, "kappa_sem": None, "f1": None}
        macro = [record_value(r, "macro_f1") for r in runs]
        f1 = [record_value(r, "f1_per_class") for r in runs]
        if all(v is not None for v in macro) and len({len(v or ()) for v in f1}) == 1:
            kappa = [record_value(r, "kappa") for r in runs]
            row["macro_f1"], row["macro_f1_sem"] = mean_and_sem(macro)
            if all(v is not None for v in kappa):
                row["kappa"], row["kappa_sem"] = mean_and_sem(kappa)
            row["f1"] = [None if any(v is None for v in per_class)
                         else sum(per_class) / len(per_class)
                         for per_class in zip(*f1, strict=True)]
        rows.append(row)
    return sorted(rows, key=sort_key)


def paired_differences(records: Iterable[dict[str, Any]], *, factor: str = "method",
                       a: Any = "swd", b: Any = "finetune", metric: str = "test_accuracy"
                       ) -> list[dict[str, Any]]:
    """Per-seed differences ``metric(A) - metric(B)`` between two levels of one factor.

    Runs are paired when their settings agree on everything but ``factor`` and their labeled
    subsets are the same (same ``labeled_digest`` when both records carry one).

    Args:
        records: store records.
        factor: ``"method"``, ``"norm"`` or ``"supcon"``.
        a, b: the two levels compared (``"swd"`` and ``"finetune"``; ``"instance"`` and
            ``"batch"``; ``True`` and ``False``).
        metric: a key of each record's ``results``.

    Returns:
        One dict per cell with at least one pair, sorted: the cell's settings (without ``seed``
        and ``factor``), ``factor``, ``a``, ``b``, ``n`` (pairs), ``seeds``, ``diffs``, ``mean``
        and ``sem`` of the differences, ``sem_if_unpaired`` (``sqrt(SE_A^2 + SE_B^2)`` of the
        same seeds' accuracies: the SE the comparison would have without pairing; None for one
        pair), ``wins`` (pairs where A > B), ``unpaired`` (seeds dropped because the labeled
        subsets differed), the paired Student-t test of a zero mean difference (``test``,
        ``df``, ``t``, ``p_value``, two-sided; ``ci_low``, ``ci_high``: the 95 % t interval;
        None for one pair) and ``city`` (the difference per test city and its SE over cities,
        :func:`swdkit.experiments._stats.city_spread`; None when not recorded).

    Raises:
        ValueError: ``factor`` is not one of :data:`FACTORS`.
    """
    if factor not in FACTORS:
        raise ValueError(f"factor={factor!r} is not known; valid choices are {', '.join(FACTORS)}")
    if a == b:
        raise ValueError(f"a and b are both {a!r}; compare two different levels of {factor}")
    groups: dict[str, tuple[dict[str, Any], dict[Any, dict[int, dict[str, Any]]]]] = {}
    for record in records:
        settings = record["settings"]
        level = settings[factor]
        if level not in (a, b):
            continue
        cell = _cell_of(settings, ["seed", factor])
        entry = groups.setdefault(run_key(cell), (cell, {a: {}, b: {}}))
        entry[1][level][int(settings["seed"])] = record
    rows = []
    for cell, by_level in groups.values():
        seeds, runs_a, runs_b, unpaired = [], [], [], 0
        for seed in sorted(set(by_level[a]) & set(by_level[b])):
            ra, rb = by_level[a][seed], by_level[b][seed]
            da, db = ra["results"].get("labeled_digest"), rb["results"].get("labeled_digest")
            if da is not None and db is not None and da != db:
                unpaired += 1
                continue
            seeds.append(seed)
            runs_a.append(ra)
            runs_b.append(rb)
        if not seeds:
            continue
        values_a = [_metric(r, metric) for r in runs_a]
        values_b = [_metric(r, metric) for r in runs_b]
        diffs = [va - vb for va, vb in zip(values_a, values_b, strict=True)]
        test = t_test(diffs)
        sem_a, sem_b = mean_and_sem(values_a)[1], mean_and_sem(values_b)[1]
        rows.append({**cell, "factor": factor, "a": a, "b": b, "n": len(diffs), "seeds": seeds,
                     "diffs": diffs, "mean": test["mean"], "sem": test["sem"],
                     "sem_if_unpaired": None if sem_a is None else math.hypot(sem_a, sem_b),
                     "wins": sum(d > 0 for d in diffs), "unpaired": unpaired,
                     "test": "paired t", "df": test["df"], "t": test["t"],
                     "p_value": test["p_value"], "ci_low": test["ci_low"],
                     "ci_high": test["ci_high"],
                     "city": _city_spread(runs_a, runs_b) if metric == "test_accuracy"
                     else None})
    return sorted(rows, key=sort_key)
