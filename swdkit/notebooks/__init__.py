"""Notebooks in batch: the papermill runner (``swdkit notebooks``), sweeps of one notebook over
parameter values (``--sweep``), parameter files, and what a notebook records (metrics, figures).
"""

from __future__ import annotations

from swdkit.notebooks._records import METRICS_FILE, load_metrics, record_metrics, save_figure
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
    "DEFAULT_TIMEOUT", "METRICS_FILE", "NotebookRun", "ParamSpec", "SUMMARY_FILE",
    "SweepRun", "UnknownParameterWarning", "combination_name", "declared_parameters", "discover",
    "flatten_metrics", "load_metrics", "load_param_file", "record_metrics", "run_notebooks",
    "run_one", "run_sweep", "save_figure", "sweep_combinations", "sweep_table",
]
