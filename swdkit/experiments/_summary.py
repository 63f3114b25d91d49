"""Summaries of a results store: mean and standard error per cell, paired differences.

A *cell* is a set of runs whose settings agree on everything but the seed. Its summary is the mean
test accuracy over seeds and the standard error of that mean,

    mean = (1/n) sum_i a_i,   se = s / sqrt(n),   s^2 = (1/(n-1)) sum_i (a_i - mean)^2,

(``se`` is undefined for one seed and reported as None). The seed paper reports exactly these.

Methods are better compared *paired*: runs with the same seed use the same labeled SAR subset
(``few_shot_indices(labels, n_labeled, seed=seed)``), the same data and the same EO pretraining, so
the per-seed difference ``d_i = a_i(A) - a_i(B)`` removes the part of the seed-to-seed spread the
two methods share. :func:`paired_differences` reports the mean of ``d_i``, its standard error and
how many seeds A won, for any factor (method, norm, supcon) and any two of its levels. A pair whose
labeled subsets differ (different ``labeled_digest``) is not a pair; it is left out and counted.

Tables are lists of plain dicts (pandas is not a dependency); :func:`markdown_table` renders them.
Accuracies are fractions in the store and percentages in the tables. A run whose accuracy is not
finite (NaN) is kept, so its cell's mean is NaN too: :func:`summarize` warns
(:class:`NonFiniteWarning`, naming the runs) and the tables print ``NaN``.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

from swdkit.experiments._spec import FULL, run_key
from swdkit.methods import METHODS

FACTORS = ("method", "norm", "supcon")
# Columns shown in tables, in this order, when present.
SETTING_COLUMNS = ("data_dir", "classes", "norm", "supcon", "n_labeled", "method")
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


def mean_and_sem(values: Sequence[float]) -> tuple[float, float | None]:
    """Mean and standard error of the mean (sample standard deviation / sqrt(n)).

    Raises:
        ValueError: ``values`` is empty.
    """
    n = len(values)
    if n == 0:
        raise ValueError("values is empty; give at least one number (a cell without runs has "
                         "no mean)")
    mean = sum(values) / n
    if n == 1:
        return mean, None
    var = sum((v - mean) ** 2 for v in values) / (n - 1)
    return mean, math.sqrt(var / n)


def _cell_of(settings: dict[str, Any], drop: Iterable[str]) -> dict[str, Any]:
    drop = set(drop)
    return {k: v for k, v in settings.items() if k not in drop}


def _metric(record: dict[str, Any], metric: str) -> float:
    value = record["results"].get(metric)
    if value is None:
        raise ValueError(f"metric={metric!r} is missing from a record's results; available: "
                         f"{', '.join(sorted(record['results']))}")
    return float(value)


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
        ``seeds``, ``mean``, ``sem`` (None for one seed) and ``values`` (per seed, seed order).
        A :class:`NonFiniteWarning` names the runs whose ``metric`` is not finite.
    """
    records = list(records)
    bad = nonfinite_runs(records, metric)
    if bad:
        warnings.warn(f"{len(bad)} run(s) have a {metric} that is not a finite number, so their "
                      f"cells' means are NaN: {'; '.join(bad)}", NonFiniteWarning, stacklevel=2)
    cells: dict[str, tuple[dict[str, Any], dict[int, float]]] = {}
    for record in records:
        settings = record["settings"]
        cell = _cell_of(settings, ["seed"])
        entry = cells.setdefault(run_key(cell), (cell, {}))
        entry[1][int(settings["seed"])] = _metric(record, metric)
    rows = []
    for cell, by_seed in cells.values():
        seeds = sorted(by_seed)
        values = [by_seed[s] for s in seeds]
        mean, sem = mean_and_sem(values)
        rows.append({**cell, "n": len(values), "seeds": seeds, "values": values,
                     "mean": mean, "sem": sem})
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
        pair), ``wins`` (pairs where A > B) and ``unpaired`` (seeds dropped because the labeled
        subsets differed).

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
        seeds, values_a, values_b, unpaired = [], [], [], 0
        for seed in sorted(set(by_level[a]) & set(by_level[b])):
            ra, rb = by_level[a][seed], by_level[b][seed]
            da, db = ra["results"].get("labeled_digest"), rb["results"].get("labeled_digest")
            if da is not None and db is not None and da != db:
                unpaired += 1
                continue
            seeds.append(seed)
            values_a.append(_metric(ra, metric))
            values_b.append(_metric(rb, metric))
        if not seeds:
            continue
        diffs = [va - vb for va, vb in zip(values_a, values_b, strict=True)]
        mean, sem = mean_and_sem(diffs)
        sem_a, sem_b = mean_and_sem(values_a)[1], mean_and_sem(values_b)[1]
        rows.append({**cell, "factor": factor, "a": a, "b": b, "n": len(diffs), "seeds": seeds,
                     "diffs": diffs, "mean": mean, "sem": sem,
                     "sem_if_unpaired": None if sem_a is None else math.hypot(sem_a, sem_b),
                     "wins": sum(d > 0 for d in diffs), "unpaired": unpaired})
    return sorted(rows, key=sort_key)


def _fmt_pct(mean: float, sem: float | None, *, signed: bool = False) -> str:
    if not math.isfinite(mean):
        return "NaN"
    head = f"{100 * mean:+.1f}" if signed else f"{100 * mean:.1f}"
    return f"{head} ± {100 * sem:.1f}" if sem is not None else f"{head} (1 seed)"


def _varying(rows: list[dict[str, Any]], candidates: Sequence[str]) -> list[str]:
    """Columns among ``candidates`` present in the rows; constant ones dropped (but 'method',
    'n_labeled' and 'classes' are always kept when present)."""
    keep = []
    for name in candidates:
        values = {json.dumps(r.get(name), sort_keys=True) for r in rows if name in r}
        if values and (len(values) > 1 or name in ("method", "n_labeled", "classes")):
            keep.append(name)
    return keep


def markdown_table(rows: list[dict[str, Any]], *, columns: Sequence[str] | None = None) -> str:
    """Render summary or paired-difference rows as a markdown table (accuracies in percent).

    Args:
        rows: from :func:`summarize` or :func:`paired_differences`.
        columns: setting columns to show; default those of :data:`SETTING_COLUMNS` that vary
            (plus ``data`` and ``config`` when they vary), then the statistics.
    """
    if not rows:
        return "(no results)\n"
    paired = "diffs" in rows[0]
    if columns is None:
        columns = _varying(rows, [*SETTING_COLUMNS, "data", "config"])
        if paired:
            columns = [c for c in columns if c != rows[0]["factor"]]
    header = list(columns)
    header += ["A", "B", "A - B (pp)", "A wins", "n"] if paired else ["accuracy (%)", "n"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = [_cell_text(row.get(c)) for c in columns]
        if paired:
            cells += [_cell_text(row["a"]), _cell_text(row["b"]),
                      _fmt_pct(row["mean"], row["sem"], signed=True),
                      f"{row['wins']}/{row['n']}", str(row["n"])]
        else:
            cells += [_fmt_pct(row["mean"], row["sem"]), str(row["n"])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def methods_side_by_side(rows: list[dict[str, Any]],
                         methods: Sequence[str] | None = None) -> str:
    """Summary rows as a markdown table with one column per method (accuracies in percent).

    Rows of the table are the cells' other settings (those that vary, as in
    :func:`markdown_table`); a method without runs in a row shows ``-``.

    Args:
        rows: from :func:`summarize`.
        methods: the columns, in order (default: the methods present, in :data:`METHODS` order).
    """
    if not rows:
        return "(no results)\n"
    if methods is None:
        present = {r["method"] for r in rows}
        methods = [m for m in (*METHODS, *sorted(present)) if m in present]
        methods = list(dict.fromkeys(methods))
    columns = [c for c in _varying(rows, [*SETTING_COLUMNS, "data", "config"]) if c != "method"]
    table: dict[str, tuple[dict[str, Any], dict[str, dict[str, Any]]]] = {}
    for row in rows:
        key = run_key({c: row.get(c) for c in columns})
        table.setdefault(key, (row, {}))[1][row["method"]] = row
    header = [*columns, *(f"{m} (%)" for m in methods), "seeds"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for first, by_method in table.values():
        cells = [_cell_text(first.get(c)) for c in columns]
        cells += [_fmt_pct(by_method[m]["mean"], by_method[m]["sem"]) if m in by_method else "-"
                  for m in methods]
        counts = sorted({r["n"] for r in by_method.values()})
        cells.append("/".join(str(n) for n in counts))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _cell_text(value: Any) -> str:
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True).replace("|", "/") if value else "-"
    if value is None:
        return "-"
    return str(value)
