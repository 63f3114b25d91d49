"""Markdown tables of summary rows: cells, paired differences, methods side by side, per-class
scores and the spread over test cities (accuracies in percent, differences in points).

The rows come from :func:`swdkit.experiments._summary.summarize` and
:func:`~swdkit.experiments._summary.paired_differences`; this module only renders them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from swdkit.experiments._spec import run_key
from swdkit.methods import METHODS

# Columns shown in tables, in this order, when present.
SETTING_COLUMNS = ("data_dir", "classes", "norm", "supcon", "n_labeled", "method")
NOT_RECORDED = "not recorded"


def _fmt_pct(mean: float, sem: float | None, *, signed: bool = False) -> str:
    if not math.isfinite(mean):
        return "NaN"
    head = f"{100 * mean:+.1f}" if signed else f"{100 * mean:.1f}"
    return f"{head} ± {100 * sem:.1f}" if sem is not None else f"{head} (1 seed)"


def fmt_interval(low: float | None, high: float | None, *, signed: bool = False) -> str:
    """``[low, high]`` in percent (points when ``signed``); ``-`` when there is none."""
    if low is None or high is None:
        return "-"
    if not (math.isfinite(low) and math.isfinite(high)):
        return "NaN"
    form = "{:+.1f}" if signed else "{:.1f}"
    return f"[{form.format(100 * low)}, {form.format(100 * high)}]"


def fmt_p(p: float | None) -> str:
    """A p-value to two significant digits (``<0.001`` below that); ``-`` for no test."""
    if p is None:
        return "-"
    return "<0.001" if p < 0.001 else f"{p:.2g}" if p < 0.1 else f"{p:.2f}"


def fmt_city(city: dict[str, Any] | None) -> str:
    """The SE over test cities in points, with the number of cities; ``not recorded``."""
    if city is None:
        return NOT_RECORDED
    if city["sem"] is None:
        return "- (1 city)"
    return f"{100 * city['sem']:.1f} ({city['n_cities']} cities)"


def _varying(rows: list[dict[str, Any]], candidates: Sequence[str]) -> list[str]:
    """Columns among ``candidates`` present in the rows; constant ones dropped (but 'method',
    'n_labeled' and 'classes' are always kept when present)."""
    keep = []
    for name in candidates:
        values = {json.dumps(r.get(name), sort_keys=True) for r in rows if name in r}
        if values and (len(values) > 1 or name in ("method", "n_labeled", "classes")):
            keep.append(name)
    return keep


def _settings_columns(rows: list[dict[str, Any]]) -> list[str]:
    return _varying(rows, [*SETTING_COLUMNS, "data", "config"])


def markdown_table(rows: list[dict[str, Any]], *, columns: Sequence[str] | None = None,
                   interval: bool = False) -> str:
    """Render summary or paired-difference rows as a markdown table (accuracies in percent).

    Args:
        rows: from :func:`summarize` or :func:`paired_differences`.
        columns: setting columns to show; default those of :data:`SETTING_COLUMNS` that vary
            (plus ``data`` and ``config`` when they vary), then the statistics.
        interval: add the 95 % Student-t interval (and, for paired rows, the two-sided paired
            t test's p-value, not corrected for multiplicity).
    """
    if not rows:
        return "(no results)\n"
    paired = "diffs" in rows[0]
    if columns is None:
        columns = _settings_columns(rows)
        if paired:
            columns = [c for c in columns if c != rows[0]["factor"]]
    header = list(columns)
    if paired:
        header += ["A", "B", "A - B (pp)",
                   *(["95 % t interval (pp)", "p (paired t)"] if interval else []), "A wins", "n"]
    else:
        header += ["accuracy (%)", *(["95 % t interval (%)"] if interval else []), "n"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = [_cell_text(row.get(c)) for c in columns]
        extra = [fmt_interval(row.get("ci_low"), row.get("ci_high"), signed=paired)]
        if paired:
            cells += [_cell_text(row["a"]), _cell_text(row["b"]),
                      _fmt_pct(row["mean"], row["sem"], signed=True),
                      *([*extra, fmt_p(row.get("p_value"))] if interval else []),
                      f"{row['wins']}/{row['n']}", str(row["n"])]
        else:
            cells += [_fmt_pct(row["mean"], row["sem"]), *(extra if interval else []),
                      str(row["n"])]
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
    columns = [c for c in _settings_columns(rows) if c != "method"]
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


def city_table(rows: list[dict[str, Any]]) -> str:
    """Summary rows with the spread over test cities beside the seed SE (markdown).

    Each row: the accuracy (mean ± SE over seeds), the SE over test cities
    (:func:`swdkit.experiments._stats.city_spread`), the lowest and highest city and each
    city's accuracy (mean over seeds); ``not recorded`` for runs stored without it.
    """
    if not rows:
        return "(no results)\n"
    if all(r.get("city") is None for r in rows):
        return ("Not recorded: these runs were stored before the accuracy per test city was "
                "(or their test split names no cities).\n")
    columns = _settings_columns(rows)
    header = [*columns, "accuracy (%)", "SE over cities (pp)", "lowest-highest city (%)",
              "per city (%)"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        city = row.get("city")
        cells = [_cell_text(row.get(c)) for c in columns]
        cells += [_fmt_pct(row["mean"], row["sem"]), fmt_city(city)]
        if city is None:
            cells += [NOT_RECORDED, NOT_RECORDED]
        else:
            cells += [f"{100 * city['low']:.1f}-{100 * city['high']:.1f}",
                      ", ".join(f"{c}: {100 * v:.1f}" for c, v in city["cities"].items())]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def scores_table(rows: list[dict[str, Any]]) -> str:
    """Per-cell macro F1, Cohen's kappa and per-class F1 (rows of
    :func:`swdkit.experiments._summary.class_scores`) as markdown."""
    if not rows:
        return "(no results)\n"
    columns = _settings_columns(rows)
    header = [*columns, "macro F1 (%)", "kappa", "F1 per class (%)", "n"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = [_cell_text(row.get(c)) for c in columns]
        if row["macro_f1"] is None:
            cells += [NOT_RECORDED] * 3
        else:
            kappa, kappa_se = row["kappa"], row["kappa_sem"]
            cells += [_fmt_pct(row["macro_f1"], row["macro_f1_sem"]),
                      "-" if kappa is None else f"{kappa:.3f}"
                      + (f" ± {kappa_se:.3f}" if kappa_se is not None else ""),
                      " / ".join("-" if v is None else f"{100 * v:.0f}" for v in row["f1"])]
        lines.append("| " + " | ".join([*cells, str(row["n"])]) + " |")
    return "\n".join(lines) + "\n"
