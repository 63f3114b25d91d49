"""Notebooks in batch: the papermill runner (``swdkit notebooks``), parameter files, and what a
notebook records (metrics, figures).
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

__all__ = [
    "DEFAULT_TIMEOUT", "METRICS_FILE", "NotebookRun", "ParamSpec", "SUMMARY_FILE",
    "UnknownParameterWarning", "declared_parameters", "discover", "load_metrics",
    "load_param_file", "record_metrics", "run_notebooks", "run_one", "save_figure",
]
