"""Notebooks in batch: the papermill runner (``swdkit notebooks``), sweeps of one notebook over
parameter values (``--sweep``), parameter files, and what a notebook records (metrics, figures).
"""

from __future__ import annotations

from swdkit.notebooks._exercises import (
    BLANK,
    ExerciseError,
    check_answer,
    fill_solutions,
    is_blank,
)
from swdkit.notebooks._records import (
    FIGURE_AXES_KEY,
    METRICS_FILE,
    describe_figure,
    figure_problems,
    load_metrics,
    read_figure_description,
    record_metrics,
    save_figure,
)
from swdkit.notebooks._runner import (
    DEFAULT_TIMEOUT,
    SUMMARY_FILE,
    NotebookRun,
    ParamSpec,
    UnknownParameterWarning,
    declared_parameters,
    discover,
    load_param_file,
    run_notebooks,
    run_one,
)
from swdkit.notebooks._sweep import SweepRun, combination_name, run_sweep, sweep_combinations
from swdkit.notebooks._sweep_report import flatten_metrics, sweep_table

__all__ = [
    "BLANK", "DEFAULT_TIMEOUT", "ExerciseError", "FIGURE_AXES_KEY", "METRICS_FILE",
    "NotebookRun", "ParamSpec", "SUMMARY_FILE", "SweepRun", "UnknownParameterWarning",
    "check_answer", "combination_name", "declared_parameters", "describe_figure", "discover",
    "figure_problems", "fill_solutions", "flatten_metrics", "is_blank", "load_metrics",
    "load_param_file", "read_figure_description", "record_metrics", "run_notebooks", "run_one",
    "run_sweep", "save_figure", "sweep_combinations", "sweep_table",
]
