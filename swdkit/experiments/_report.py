"""The report of a results store: markdown tables, the paper's figures, the paper's claims.

:func:`write_report` writes into ``out_dir``: ``report.md`` (the summary table with 95 % Student-t
intervals, macro F1, Cohen's kappa and per-class F1, the spread over test cities beside the seed
SE, the claims with their tests and Holm-corrected verdicts, paired differences with t intervals
and p-values, the figures), ``summary.json`` (the same numbers as data) and the figures
``fig1_accuracy_vs_labels.png``, ``fig2_norm.png``, ``fig3_supcon.png`` (those the store has runs
for). Every file goes through :mod:`swdkit.fileio` (write, then rename).

:func:`claim_checks` and :func:`claims_table` live in :mod:`swdkit.experiments._claims` (the
rules are written there); records stored before F1, kappa or the per-city accuracy were recorded
still report: F1 and kappa are read from their confusion matrices, the city spread says "not
recorded".
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from swdkit.experiments._claims import claim_checks, claims_table
from swdkit.experiments._controls import control_checks, controls_table
from swdkit.experiments._figures import (
    N_CLASSES,
    figure_accuracy_vs_labels,
    figure_norm,
    figure_supcon,
)
from swdkit.experiments._stats import (
    ALPHA,
    CHANCE_POINTS,
    CHANCE_SHARE,
    CONFIDENCE,
    chance_margin,
)
from swdkit.experiments._summary import (
    class_scores,
    nonfinite_runs,
    paired_differences,
    summarize,
)
from swdkit.experiments._tables import (
    city_table,
    markdown_table,
    methods_side_by_side,
    scores_table,
)
from swdkit.fileio import write_json_atomic, write_text_atomic
from swdkit.notebooks._records import save_figure

__all__ = ["COMPARISONS", "FIGURES", "claim_checks", "claims_table", "timing_table",
           "write_report"]

FIGURES = {"fig1_accuracy_vs_labels": figure_accuracy_vs_labels, "fig2_norm": figure_norm,
           "fig3_supcon": figure_supcon}
# Paired comparisons in the report: (factor, A, B); a row per cell where both were run.
# The last method rows set learned methods against the classical floor, ``features``.
COMPARISONS = [("method", "swd", "sar_only"), ("method", "swd", "finetune"),
               ("method", "finetune", "sar_only"), ("method", "mmd", "swd"),
               ("method", "coral", "swd"), ("method", "max_sliced", "swd"),
               ("method", "wasserstein", "swd"), ("method", "semisup", "swd"),
               ("method", "sar_only", "features"),
               ("method", "finetune", "features"), ("method", "swd", "features"),
               ("norm", "instance", "batch"), ("supcon", True, False)]


_MARGINS = ", ".join(f"±{100 * chance_margin(1 / k):.1f} pp for {k} classes"
                     for k in sorted(set(N_CLASSES.values())))
CLAIMS_RULE = (
    "Differences: two-sided paired Student-t test on the per-seed differences; a claim holds "
    "(or is reversed) when its p-value after Holm's correction over all the p-values of this "
    f"table is below {ALPHA}. Near chance: two one-sided t tests (TOST) that accuracy minus "
    f"chance lies within min({100 * CHANCE_POINTS:g} pp, {CHANCE_SHARE:g} x chance) of zero "
    f"({_MARGINS}), Holm-corrected with the rest; otherwise above or below chance when the t "
    f"test of accuracy = chance rejects after Holm. Intervals are {100 * CONFIDENCE:g} % t "
    "intervals, not adjusted.")


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
    scores = class_scores(records)
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
             f"over seeds, in percent; intervals are {100 * CONFIDENCE:.0f} % Student-t "
             "intervals over seeds (n - 1 degrees of freedom).", ""]
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
    text += ["## Accuracy per cell", "", markdown_table(rows, interval=True)]
    text += ["## Macro F1, Cohen's kappa and F1 per class", "",
             "Mean ± standard error over seeds of the SAR test set's macro F1 (the mean of the "
             "per-class F1) and Cohen's kappa (agreement beyond chance: 0 is chance, 1 perfect); "
             "F1 per class in label order, mean over seeds. Runs stored before these were "
             "recorded are scored from their confusion matrices.", "", scores_table(scores)]
    text += ["## Variation over test cities", "",
             "The seed SE covers training seeds on one set of test cities. Beside it, each "
             "city's accuracy (mean over seeds) and the cluster-robust SE over cities, "
             "sqrt(C/(C-1) sum_c w_c^2 (a_c - a)^2) with w_c the city's share of the test "
             "samples: how much another draw of test cities would move the number.", "",
             city_table(rows)]
    text += ["## The paper's claims as measured", "", CLAIMS_RULE, "", claims_table(claims)]
    controls = control_checks(records)
    text += ["## Controls", "",
             "Each row pairs runs that differ in one training setting (same data, labeled "
             "subset, norm, seed and the rest of the config): paired t test on the per-seed "
             "differences, Holm-corrected over the control rows (a family of its own). A - B in "
             "points; A and B in percent.", "", controls_table(controls)]
    text += ["## Paired differences (same seed, same labeled subset)", "",
             f"With the {100 * CONFIDENCE:.0f} % Student-t interval and the two-sided paired t "
             "test's p-value (not corrected for the many comparisons).", ""]
    for key, diff_rows in paired.items():
        if diff_rows:
            text += [f"### {key}", "", markdown_table(diff_rows, interval=True)]
    text += ["## Time per run", "", timing_table(records)]
    text += ["## Figures", ""] + [f"![{n}]({n}.png)" for n in figures] + [""]
    text += [f"- not drawn: {s}" for s in skipped] + ([""] if skipped else [])
    write_json_atomic(out / "summary.json", {"source": source, "runs": len(records),
                                             "cells": rows, "paired": paired, "claims": claims,
                                             "controls": controls,
                                             "class_scores": scores,
                                             "figures": [f"{n}.png" for n in figures]})
    return write_text_atomic(out / "report.md", "\n".join(text))
