"""Run one notebook once per combination of parameter values (``swdkit notebooks --sweep``).

A sweep maps parameter names to lists of values, ``{"n_labeled": [32, 128, "full"]}``; the
notebook runs once per combination of them (the cartesian product, in the order given), each
into its own folder ``OUT/<name>=<value>,...`` (for example ``OUT/n_labeled=32``) holding the
executed copy and the notebook's outputs. All combinations share ``OUT/checkpoints``, so a cached
EO pretraining is trained once. The swept values win over the parameter file and ``-p`` values.

After every combination the table of the runs so far (``sweep.md``, ``sweep.csv``), the index
page (``index.html``) and the record of every run (``sweep.json``) are rewritten atomically (see
``_sweep_report``). A failing combination keeps its executed copy with the error, is reported in
the table (status and the error's first line) and the others still run.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from swdkit.notebooks._runner import (
    DEFAULT_TIMEOUT,
    NOTEBOOK_GLOB,
    NotebookRun,
    ParamSpec,
    declared_parameters,
    discover,
    run_one,
    warn_unknown_names,
)
from swdkit.notebooks._sweep_report import (
    INDEX_HTML,
    TABLE_MD,
    format_value,
    write_sweep_outputs,
)

# Longest folder name of a combination before it is cut and given a digest (file systems allow
# 255 bytes; the executed copy's name and a temporary suffix go inside it too).
MAX_FOLDER_NAME = 120


@dataclass
class SweepRun:
    """One combination of a sweep and how its notebook ran.

    Attributes:
        folder: the combination's folder name under the sweep's output folder.
        values: the swept values of this combination, by parameter name.
        run: the notebook's outcome (status, seconds, executed copy, metrics, error).
    """

    folder: str
    values: dict[str, Any]
    run: NotebookRun


def combination_name(values: Mapping[str, Any]) -> str:
    """A readable, file-system-safe folder name: ``n_labeled=32`` or ``n_labeled=32,seed=1``.

    Characters other than letters, digits and ``._+-`` in a value become ``_``; a name longer
    than :data:`MAX_FOLDER_NAME` is cut and ends in a short digest of the full one.
    """
    parts = [f"{name}={re.sub(r'[^A-Za-z0-9._+-]', '_', format_value(value))}"
             for name, value in values.items()]
    name = ",".join(parts)
    if len(name) > MAX_FOLDER_NAME:
        digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
        name = f"{name[:MAX_FOLDER_NAME - 9]}-{digest}"
    return name


def sweep_combinations(sweep: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the swept values (cartesian product; the first name varies slowest).

    Raises:
        ValueError: no parameter, a parameter without values, or a value listed twice.
        TypeError: a name that is not a string, or values that are not a list.
    """
    if not sweep:
        raise ValueError("a sweep needs at least one parameter with values, like "
                         "--sweep n_labeled=32,128,full")
    for name, values in sweep.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"sweep parameter names must be non-empty strings; got {name!r}")
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
            raise TypeError(f"the values of sweep parameter {name!r} must be a list, like "
                            f"[32, 128, 'full']; got {values!r}")
        if not values:
            raise ValueError(f"sweep parameter {name!r} has no values; give at least one, like "
                             f"--sweep {name}=v1,v2")
        texts = [format_value(v) for v in values]
        twice = sorted({t for t in texts if texts.count(t) > 1})
        if twice:
            raise ValueError(f"sweep parameter {name!r} lists the value(s) {', '.join(twice)} "
                             "more than once; give each value once")
    names = list(sweep)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*sweep.values())]


def select_notebook(notebook_dir: str | Path, only: str | None) -> Path:
    """The one notebook a sweep runs: the one ``only`` matches (glob or part of the name).

    Raises:
        FileNotFoundError: no notebook folder, or no notebook matches ``only``.
        ValueError: ``only`` is missing or matches several notebooks.
    """
    every = discover(notebook_dir)
    names = ", ".join(p.name for p in every) or f"none ({NOTEBOOK_GLOB})"
    if not only:
        raise ValueError("a sweep runs one notebook: choose it with --only PATTERN (only=...), "
                         f"like --only 04; the notebooks in {notebook_dir}: {names}")
    selected = discover(notebook_dir, only)
    if not selected:
        raise FileNotFoundError(f"no notebook in {notebook_dir} matches {only!r}; a sweep needs "
                                f"--only to match exactly one of: {names}")
    if len(selected) > 1:
        raise ValueError(f"--only {only!r} matches {len(selected)} notebooks "
                         f"({', '.join(p.name for p in selected)}); a sweep runs exactly one: "
                         "give a pattern that matches only it, like its number or full name")
    return selected[0]


def _check_names(notebook: Path, sweep: Mapping[str, Any]) -> None:
    """Refuse swept names the notebook does not declare, and ``out_dir`` (the sweep sets it)."""
    if "out_dir" in sweep:
        raise ValueError("out_dir cannot be swept: each combination gets its own folder under "
                         "--out; sweep other parameters")
    declared = declared_parameters(notebook)
    undeclared = [name for name in sweep if name not in declared]
    if undeclared:
        raise ValueError(f"{notebook.name} does not declare the parameter(s) "
                         f"{', '.join(undeclared)}, so a sweep over them would change nothing; "
                         f"its parameters: {', '.join(sorted(declared)) or 'none'}")


def _unique_folders(combos: list[dict[str, Any]]) -> list[str]:
    """The combinations' folder names, made unique when two values reduce to the same name."""
    folders: list[str] = []
    for combo in combos:
        name = base = combination_name(combo)
        number = 2
        while name in folders:
            name, number = f"{base}-{number}", number + 1
        folders.append(name)
    return folders


def run_sweep(notebook_dir: str | Path = "notebooks", *, only: str | None,
              sweep: Mapping[str, Sequence[Any]], params: ParamSpec | None = None,
              out: str | Path = "build/sweep", fail_fast: bool = False,
              kernel_name: str | None = None, timeout: float | None = DEFAULT_TIMEOUT,
              log=print) -> list[SweepRun]:
    """Execute the notebook ``only`` selects once per combination of the ``sweep`` values.

    Each combination runs into ``out/<combination_name>`` with the values of ``params`` for that
    notebook, overridden by the combination's; ``out/sweep.md``, ``sweep.csv``, ``index.html``
    and ``sweep.json`` are rewritten after every combination. Everything is checked before the
    first combination runs.

    Args:
        notebook_dir: the folder of the ``NN_topic.ipynb`` notebooks.
        only: a glob or part of a file name that matches exactly one notebook.
        sweep: parameter name -> the values to run, e.g. ``{"n_labeled": [32, 128, "full"]}``.
        params: the parameter file's and the command line's values (the swept ones win).
        out: the sweep's output folder.
        fail_fast: stop after the first failing combination.
        kernel_name: the Jupyter kernel (None: the one the notebook names).
        timeout: seconds each combination may run (None or 0: no limit).
        log: where progress lines go.

    Returns:
        One :class:`SweepRun` per combination that ran, in order.

    Raises:
        FileNotFoundError: no notebook folder, or no notebook matches ``only``.
        ValueError: ``only`` matches several notebooks or none is given, a swept name the
            notebook does not declare, a parameter without values or a value listed twice.
        TypeError: a sweep that is not a map of names to lists of values.
    """
    params = params or ParamSpec()
    combos = sweep_combinations(sweep)
    notebook = select_notebook(notebook_dir, only)
    _check_names(notebook, sweep)
    warn_unknown_names(params, discover(notebook_dir), log)
    overridden = sorted(set(sweep) & set(params.command_line))
    if overridden:
        log(f"note: the swept values of {', '.join(overridden)} replace those given with -p")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    base = params.for_notebook(notebook.name)
    base.setdefault("checkpoint_dir", str((out / "checkpoints").resolve()))
    folders = _unique_folders(combos)
    runs: list[SweepRun] = []
    start = time.perf_counter()
    for number, (folder, combo) in enumerate(zip(folders, combos, strict=True), start=1):
        log(f"sweep {number}/{len(combos)}: {folder}")
        run = run_one(notebook, out / folder, {**base, **combo}, kernel_name=kernel_name,
                      timeout=timeout, log=log)
        runs.append(SweepRun(folder=folder, values=dict(combo), run=run))
        write_sweep_outputs(out, notebook.name, list(sweep), runs, len(combos))
        if fail_fast and run.status != "ok":
            break
    failed = [r.folder for r in runs if r.run.status != "ok"]
    log(f"{len(runs) - len(failed)} of {len(combos)} combinations of {notebook.name} ran in "
        f"{time.perf_counter() - start:.1f} s; table: {out / TABLE_MD}, index: "
        f"{out / INDEX_HTML}" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return runs
