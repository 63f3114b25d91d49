"""The report of a results store: markdown tables, the paper's figures, the paper's claims.

:func:`write_report` writes into ``out_dir``: ``report.md`` (the summary table, paired
differences, the claims as measured, the figures), ``summary.json`` (the same numbers as data) and
the figures ``fig1_accuracy_vs_labels.png``, ``fig2_norm.png``, ``fig3_supcon.png`` (those the
store has runs for). Every file goes through :mod:`swdkit.fileio` (write, then rename).

:func:`claim_checks` states the seed paper's three claims as paired comparisons and says, for each
cell, whether the measurements support them. The rule is plain and fixed in advance: a difference
counts when the mean of the per-seed differences is more than two standard errors away from zero
("holds" or "reversed"); otherwise it is "not distinguishable". With five seeds this is a rough,
not a formal, test; the numbers are in the table for anyone who wants another rule.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from swdkit.experiments._figures import (
    N_CLASSES,
    figure_accuracy_vs_labels,
    figure_norm,
    figure_supcon,
)
from swdkit.experiments._summary import (
    markdown_table,
    methods_side_by_side,
    nonfinite_runs,
    paired_differences,
    summarize,
)
from swdkit.fileio import write_json_atomic, write_text_atomic
from swdkit.notebooks._records import save_figure

FIGURES = {"fig1_accuracy_vs_labels": figure_accuracy_vs_labels, "fig2_norm": figure_norm,
           "fig3_supcon": figure_supcon}
# Paired comparisons in the report: (factor, A, B); a row per cell where both were run.
# The last method rows set learned methods against the classical floor, ``features``.
COMPARISONS = [("method", "swd", "sar_only"), ("method", "swd", "finetune"),
               ("method", "finetune", "sar_only"), ("method", "mmd", "swd"),
               ("method", "coral", "swd"), ("method", "max_sliced", "swd"),
               ("method", "semisup", "swd"), ("method", "sar_only", "features"),
               ("method", "finetune", "features"), ("method", "swd", "features"),
               ("norm", "instance", "batch"), ("supcon", True, False)]


_NOT_A_NUMBER = "not judged: a run without a finite accuracy"


def _verdict(row: dict[str, Any], *, expect_positive: bool = True) -> str:
    mean, sem = row["mean"], row["sem"]
    if not math.isfinite(mean):
        return _NOT_A_NUMBER
    if sem is None:
        return "one seed: not distinguishable"
    if abs(mean) <= 2 * sem:
        return "not distinguishable"
    return "holds" if (mean > 0) == expect_positive else "reversed"


def claim_checks(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The paper's claims (a), (b), (c) as measured, one row per comparison and cell.

    (a) SWD transfer beats SAR-only and fine-tuning at 32 and 128 labels and is overtaken with
    full labels; (b) with batch norm SWD transfer is near chance while instance norm trains
    (reported: instance - batch, paired, and each norm's accuracy minus chance: "near chance"
    within 5 pp or two standard errors); (c) SupCon pretraining improves SWD transfer on
    lowrise. The paper's setting is instance norm; (a) and (c) are also reported for batch norm
    when the store has those runs (the ``norm`` of each row says which).

    Returns:
        Rows with ``claim``, ``classes``, ``n_labeled``, ``norm`` ("" when the row compares
        norms), ``variant`` (non-default data and training settings, "" for none),
        ``comparison``, ``mean`` and ``sem`` (fractions), ``n`` and ``verdict``.
    """
    records = list(records)
    out = []
    for other in ("sar_only", "finetune"):
        for row in paired_differences(records, factor="method", a="swd", b=other):
            full = row["n_labeled"] == "full"
            if row["supcon"] or (not full and row["n_labeled"] not in (32, 128)):
                continue
            out.append(_claim_row("a", row, f"swd - {other}",
                                  _verdict(row, expect_positive=not full)))
    for row in paired_differences(records, factor="norm", a="instance", b="batch"):
        if row["method"] == "swd" and not row["supcon"]:
            out.append(_claim_row("b", row, "swd: instance - batch", _verdict(row)))
    for cell in summarize(records):
        if cell["method"] == "swd" and not cell["supcon"] and cell["norm"] in ("batch",
                                                                               "instance"):
            chance = 1 / N_CLASSES.get(cell["classes"], 1)
            diff, margin = cell["mean"] - chance, max(0.05, 2 * (cell["sem"] or 0))
            verdict = (_NOT_A_NUMBER if not math.isfinite(diff)
                       else "near chance (within 5 pp or 2 SE)" if abs(diff) <= margin
                       else "above chance" if diff > 0 else "below chance")
            out.append(_claim_row("b", {**cell, "mean": diff}, "swd - chance", verdict))
    for row in paired_differences(records, factor="supcon", a=True, b=False):
        if row["method"] == "swd" and row["classes"] == "lowrise":
            out.append(_claim_row("c", row, "swd: supcon - no supcon", _verdict(row)))
    return out


def _variant(row: dict[str, Any]) -> str:
    """The data and training settings of a row, compactly ("" for the defaults)."""
    settings = {**(row.get("data") or {}), **(row.get("config") or {})}
    return ", ".join(f"{k}={v}" for k, v in sorted(settings.items()))


def _claim_row(claim: str, row: dict[str, Any], comparison: str, verdict: str) -> dict[str, Any]:
    return {"claim": claim, "classes": row["classes"], "n_labeled": row["n_labeled"],
            "norm": row.get("norm", ""), "variant": _variant(row), "comparison": comparison,
            "mean": row["mean"], "sem": row["sem"], "n": row["n"], "verdict": verdict}


def claims_table(rows: list[dict[str, Any]]) -> str:
    """The claim rows as markdown (differences in percentage points)."""
    if not rows:
        return "(no runs for these claims)\n"
    variants = any(r.get("variant") for r in rows)
    head = ["claim", "classes", "n_labeled", "norm", *(["settings"] if variants else []),
            "comparison", "difference (pp)", "seeds", "verdict"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        diff = f"{100 * r['mean']:+.1f}"
        if r["sem"] is not None:
            diff += f" ± {100 * r['sem']:.1f}"
        cells = [r["claim"], r["classes"], r["n_labeled"], r.get("norm") or "-",
                 *([r.get("variant") or "-"] if variants else []), r["comparison"], diff, r["n"],
                 r["verdict"]]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def timing_table(records: Iterable[dict[str, Any]]) -> str:
    """Median and total seconds per run, by class set and method (markdown).

    ``seconds`` is what the run function measured (for ``run_method``: the whole run, EO
    pretraining or loading its cache included); the total is the sum over runs, so with several
    workers it exceeds the wall time.
    """
    groups: dict[tuple[str, str], list[float]] = {}
    for r in records:
        s = r["settings"]
        groups.setdefault((s["classes"], s["method"]), []).append(float(r.get("seconds", 0.0)))
    lines = ["| classes | method | runs | median s/run | total s |", "|---|---|---|---|---|"]
    order = ("lowrise", "urban", "all")
    for (classes, method), secs in sorted(groups.items(), key=lambda kv: (
            order.index(kv[0][0]) if kv[0][0] in order else 9, kv[0][0], kv[0][1])):
        secs = sorted(secs)
        mid = len(secs) // 2
        median = secs[mid] if len(secs) % 2 else (secs[mid - 1] + secs[mid]) / 2
        lines.append(f"| {classes} | {method} | {len(secs)} | {median:.0f} | {sum(secs):.0f} |")
    return "\n".join(lines) + "\n"


def write_report(records: Iterable[dict[str, Any]], out_dir: str | os.PathLike, *,
                 source: str | None = None, problems: Iterable[Any] = (),
                 command: str | None = None) -> Path:
    """Write ``report.md``, ``summary.json`` and the figures into ``out_dir``; return report.md.

    Args:
        records: store records.
        out_dir: the folder (created when missing).
        source: where the records came from (named in the report).
        problems: store lines that were skipped (listed in the report).
        command: the command that produced the report (quoted in it).

    Raises:
        ValueError: ``records`` is empty.
    """
    import matplotlib.pyplot as plt

    records = list(records)
    if not records:
        raise ValueError(f"no results to report{f' in {source}' if source else ''}; run "
                         "`swdkit grid --config FILE` first")
    out = Path(out_dir)
    rows = summarize(records)
    paired = {f"{f}:{a}-{b}": paired_differences(records, factor=f, a=a, b=b)
              for f, a, b in COMPARISONS}
    claims = claim_checks(records)
    figures, skipped = [], []
    for name, draw in FIGURES.items():
        try:
            fig = draw(records)
        except ValueError as err:  # several data or training settings in one store
            skipped.append(f"{name}: {err}")
            continue
        if fig is not None:
            save_figure(fig, out, name)
            plt.close(fig)
            figures.append(name)
    text = [f"# Experiment report{f': {source}' if source else ''}", ""]
    if command:
        text += [f"Produced by `{command}`.", ""]
    text += [f"{len(records)} runs; accuracies are SAR test accuracy, mean ± standard error "
             "over seeds, in percent.", ""]
    sources = sorted({str(r.get("versions", {}).get("swdkit_source")) for r in records})
    if len(sources) > 1:
        text += [f"Note: these runs come from {len(sources)} different versions of the swdkit "
                 f"source ({', '.join(sources)}); compare them with care.", ""]
    problems = list(problems)
    if problems:
        text += ["Lines of the results file that were skipped:", ""]
        text += [f"- {p}" for p in problems] + [""]
    nonfinite = nonfinite_runs(records)
    if nonfinite:
        text += ["**Warning:** runs whose accuracy is not a finite number (their cells show "
                 "NaN and their claims are not judged):", ""]
        text += [f"- {run}" for run in nonfinite] + [""]
    text += ["## Methods side by side", "", methods_side_by_side(rows)]
    text += ["## Accuracy per cell", "", markdown_table(rows)]
    text += ["## The paper's claims as measured", "",
             "A difference counts when its mean is more than two standard errors from zero.", "",
             claims_table(claims)]
    text += ["## Paired differences (same seed, same labeled subset)", ""]
    for key, diff_rows in paired.items():
        if diff_rows:
            text += [f"### {key}", "", markdown_table(diff_rows)]
    text += ["## Time per run", "", timing_table(records)]
    text += ["## Figures", ""] + [f"![{n}]({n}.png)" for n in figures] + [""]
    text += [f"- not drawn: {s}" for s in skipped] + ([""] if skipped else [])
    write_json_atomic(out / "summary.json", {"source": source, "runs": len(records),
                                             "cells": rows, "paired": paired, "claims": claims,
                                             "figures": [f"{n}.png" for n in figures]})
    return write_text_atomic(out / "report.md", "\n".join(text))
