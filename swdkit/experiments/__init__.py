"""Experiment grids: the grid spec, the resumable runner (process pool or Dask), the JSON-lines
results store, summaries with paired differences, the paper's figures and the report.
"""

from __future__ import annotations

from swdkit.experiments._executors import dask_client, local_executor
from swdkit.experiments._figures import figure_accuracy_vs_labels, figure_norm, figure_supcon
from swdkit.experiments._parse import METHODS, load_grid, parse_grid, restrict_grid
from swdkit.experiments._report import claim_checks, claims_table, timing_table, write_report
from swdkit.experiments._runner import (
    GridOutcome,
    StoreProblemWarning,
    default_results_path,
    run_grid,
)
from swdkit.experiments._spec import FULL, Block, GridSpec, expand_grid, run_key
from swdkit.experiments._stats import equivalence_test, holm, t_test
from swdkit.experiments._store import StoreContents, StoreProblem, append_record, read_store
from swdkit.experiments._summary import (
    NonFiniteWarning,
    class_scores,
    markdown_table,
    mean_and_sem,
    methods_side_by_side,
    paired_differences,
    sort_key,
    summarize,
)
from swdkit.experiments._verdicts import Comparison, compare, decide, gap_closed, versus_chance
from swdkit.experiments._worker import execute_run, make_record, source_digest

__all__ = [
    "Block", "Comparison", "FULL", "GridOutcome", "GridSpec", "METHODS", "NonFiniteWarning",
    "StoreContents", "StoreProblem", "StoreProblemWarning", "append_record", "claim_checks",
    "claims_table", "class_scores", "compare", "dask_client", "decide", "default_results_path",
    "equivalence_test", "execute_run", "expand_grid", "figure_accuracy_vs_labels",
    "figure_norm", "figure_supcon", "gap_closed", "holm", "load_grid", "local_executor",
    "make_record", "markdown_table", "mean_and_sem", "methods_side_by_side",
    "paired_differences", "parse_grid", "read_store", "restrict_grid", "run_grid", "run_key",
    "sort_key", "source_digest", "summarize", "t_test", "timing_table", "versus_chance",
    "write_report",
]
