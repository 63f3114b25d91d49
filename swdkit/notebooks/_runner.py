"""Execute the lesson notebooks headless with papermill (``swdkit notebooks``, see ``_cli``).

Notebooks ``NN_topic.ipynb`` run in file-name order. Each gets only the parameters it declares in
its ``parameters`` cell, taken from a parameter file (``defaults`` for every notebook, then the
``notebooks`` overrides whose file-name glob matches, in order) and from ``-p NAME VALUE`` on the
command line (last word). Names that no notebook declares are reported: they are typos.

Every executed copy lands in ``OUT/NN_topic.ipynb``; the notebook's own outputs (figures,
``metrics.json``) go to ``OUT/NN_topic/`` through its ``out_dir`` parameter. A failing notebook
keeps its executed copy, error included; the runner names the notebook and the failing cell and
goes on (unless ``fail_fast``). A notebook that runs longer than its time limit (``timeout``,
:data:`DEFAULT_TIMEOUT` seconds, kernel start included) is stopped in the cell it is in, which is
reported. ``OUT/summary.json`` records, per notebook, the status, the wall time and the metrics
it recorded; it is rewritten (atomically) after every notebook, and a run of some notebooks
(``only``) replaces their entries and keeps the others'.
"""

from __future__ import annotations

import fnmatch
import json
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from swdkit._checks import check_value
from swdkit._progress import no_progress_bars
from swdkit.fileio import atomic_path, write_json_atomic
from swdkit.notebooks._failures import describe_error, timeout_error
from swdkit.notebooks._records import METRICS_FILE, load_metrics

SUMMARY_FILE = "summary.json"
# Seconds a notebook may run. The slowest lesson took 190 s on the project's 2-core machine
# (benchmarks/README.md, notebook 05 with lesson.yml); this leaves ample room for a slower or
# busier machine and stops a notebook that hangs.
DEFAULT_TIMEOUT = 1800.0
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
# Parameters the runner supplies itself when a notebook declares them (absolute paths, so the
# notebook's working directory does not matter).
RUNNER_PARAMETERS = ("out_dir", "checkpoint_dir")


class UnknownParameterWarning(UserWarning):
    """A parameter was given that no notebook declares (most likely a typo)."""


@dataclass
class ParamSpec:
    """Parameters from a file and the command line, before they meet a notebook.

    Attributes:
        defaults: values offered to every notebook.
        overrides: ``(glob, values)`` pairs applied in order to notebooks whose file name matches.
        command_line: values from ``-p NAME VALUE``; they win over everything else.
    """

    defaults: dict[str, Any] = field(default_factory=dict)
    overrides: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    command_line: dict[str, Any] = field(default_factory=dict)

    def for_notebook(self, filename: str) -> dict[str, Any]:
        """All values that apply to the notebook called ``filename`` (declared or not)."""
        values = dict(self.defaults)
        for pattern, extra in self.overrides:
            if fnmatch.fnmatch(filename, pattern):
                values.update(extra)
        values.update(self.command_line)
        return values

    def all_names(self) -> set[str]:
        names = set(self.defaults) | set(self.command_line)
        for _, extra in self.overrides:
            names |= set(extra)
        return names


def load_param_file(path: str | Path | None) -> ParamSpec:
    """Read a parameter file (YAML with optional ``defaults`` and ``notebooks`` maps).

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: the file is not of that shape.
    """
    if path is None:
        return ParamSpec()
    import yaml

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"parameter file {path} does not exist; the project's own are "
                                "notebooks/params/lesson.yml and notebooks/params/ci.yml")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise ValueError(f"parameter file {path} is not valid YAML: {err}; fix the line it "
                         "names (notebooks/params/ci.yml shows the layout)") from err
    if not isinstance(data, dict) or set(data) - {"defaults", "notebooks"}:
        found = sorted(data) if isinstance(data, dict) else data
        raise ValueError(f"parameter file {path} must be a mapping with the keys 'defaults' "
                         f"and 'notebooks'; found {found!r}")
    defaults = data.get("defaults") or {}
    notebooks = data.get("notebooks") or {}
    if not isinstance(defaults, dict):
        raise ValueError(f"{path}: 'defaults' must map parameter names to values, like "
                         "defaults: {device: cpu, seed: 0}")
    if not isinstance(notebooks, dict) or not all(isinstance(v, dict) for v in notebooks.values()):
        raise ValueError(f"{path}: 'notebooks' must map file-name globs (like '02_*') to "
                         "maps of parameter names to values")
    return ParamSpec(defaults=dict(defaults), overrides=[(str(k), dict(v))
                                                         for k, v in notebooks.items()])


def discover(notebook_dir: str | Path, only: str | None = None) -> list[Path]:
    """The lesson notebooks in file-name order, optionally those matching ``only``.

    ``only`` is a glob on the file name when it holds ``*?[``, otherwise a substring.
    """
    notebook_dir = Path(notebook_dir)
    if not notebook_dir.is_dir():
        raise FileNotFoundError(f"notebook folder {notebook_dir} does not exist; give the folder "
                                "that holds the NN_*.ipynb lessons (the project's is notebooks/; "
                                "on the command line: --notebooks DIR)")
    found = sorted(notebook_dir.glob(NOTEBOOK_GLOB))
    if only:
        is_glob = any(c in only for c in "*?[")
        found = [p for p in found
                 if (fnmatch.fnmatch(p.name, only) if is_glob else only in p.name)]
    return found


def declared_parameters(path: Path) -> set[str]:
    """Names in the notebook's ``parameters`` cell (empty when it has none)."""
    import papermill

    return set(papermill.inspect_notebook(str(path)))


@dataclass
class NotebookRun:
    """The outcome of one notebook, as written to ``summary.json``."""

    name: str
    status: str  # "ok" or "failed"
    seconds: float
    output: str
    out_dir: str
    parameters: dict[str, Any]
    metrics: dict[str, Any]
    error: dict[str, Any] | None = None


def _check_timeout(timeout: Any) -> float | None:
    """``timeout`` as seconds, or None for no limit (0 too)."""
    return check_value("timeout", timeout, "number >= 0", allow_none=True,
                       hint="seconds a notebook may run; 0 or None for no limit") or None


def run_one(path: Path, out: Path, values: dict[str, Any], *, kernel_name: str | None = None,
            timeout: float | None = DEFAULT_TIMEOUT, log=print) -> NotebookRun:
    """Execute one notebook into ``out/<name>`` with the parameters it declares from ``values``.

    ``timeout``: seconds the whole notebook may take (None or 0: no limit). Each cell may run as
    long as the notebook has time left; the cell that reaches the limit is stopped and named.
    """
    import papermill
    from nbclient.exceptions import CellTimeoutError

    timeout = _check_timeout(timeout)
    declared = declared_parameters(path)
    notebook_out = out / path.stem
    values = dict(values)
    values.setdefault("out_dir", str(notebook_out.resolve()))
    values.setdefault("checkpoint_dir", str((out / "checkpoints").resolve()))
    injected = {k: v for k, v in values.items() if k in declared}
    notebook_out.mkdir(parents=True, exist_ok=True)
    (notebook_out / METRICS_FILE).unlink(missing_ok=True)
    executed = out / path.name
    error = None
    start = time.perf_counter()
    running: list[Any] = [None]  # the cell being executed, for the report of a timeout

    def time_left(cell: Any) -> float:
        running[0] = cell
        return max(start + timeout - time.perf_counter(), 0.01)

    limit = {"timeout_func": time_left} if timeout else {}
    with atomic_path(executed) as tmp, no_progress_bars():  # kernels inherit the setting
        try:
            papermill.execute_notebook(str(path), str(tmp), parameters=injected,
                                       cwd=str(path.parent), kernel_name=kernel_name,
                                       progress_bar=False, log_output=False, **limit)
        except CellTimeoutError:
            error = timeout_error(tmp, running[0], timeout)
        except Exception as err:  # the executed copy keeps the error; the runner goes on
            error = describe_error(err)
    seconds = time.perf_counter() - start
    metrics = load_metrics(injected.get("out_dir", notebook_out))
    status = "ok" if error is None else "failed"
    where = f"cell {error['cell']}" if error and "cell" in error else "before any cell"
    if error is None:
        log(f"[ok]     {path.name}  {seconds:6.1f} s  -> {executed}  (outputs: {notebook_out})")
    else:
        log(f"[FAILED] {path.name}  {seconds:6.1f} s  at {where}: "
            f"{error.get('ename', error['type'])}: {error.get('evalue', '')}\n"
            f"         executed copy with the error: {executed}")
    return NotebookRun(name=path.name, status=status, seconds=round(seconds, 2),
                       output=str(executed), out_dir=str(notebook_out), parameters=injected,
                       metrics=metrics, error=error)


def _earlier_entries(summary: Path, log: Any) -> list[dict[str, Any]]:
    """The notebook entries of an earlier ``summary.json`` (none when missing or unreadable)."""
    if not summary.is_file():
        return []
    try:
        entries = json.loads(summary.read_text(encoding="utf-8"))["notebooks"]
        return [e for e in entries if isinstance(e, dict) and isinstance(e.get("name"), str)]
    except (ValueError, KeyError, TypeError) as err:
        log(f"warning: {summary} cannot be read ({type(err).__name__}: {err}); it is replaced "
            "by a summary of the notebooks run now")
        return []


def warn_unknown_names(params: ParamSpec, notebooks: list[Path], log=print) -> list[str]:
    """Warn (:class:`UnknownParameterWarning` and a log line) about names no notebook declares.

    Returns:
        The unknown names, sorted (empty when every name is declared by one of ``notebooks``).
    """
    declared_anywhere = set().union(*(declared_parameters(p) for p in notebooks))
    unknown = sorted(params.all_names() - declared_anywhere - set(RUNNER_PARAMETERS))
    if unknown:
        message = (f"no notebook declares the parameter(s) {', '.join(unknown)}: a typo? "
                   f"Declared names: {', '.join(sorted(declared_anywhere))}")
        warnings.warn(message, UnknownParameterWarning, stacklevel=3)
        log(f"warning: {message}")
    return unknown


def run_notebooks(notebook_dir: str | Path = "notebooks", *, params: ParamSpec | None = None,
                  out: str | Path = "build/notebooks", only: str | None = None,
                  fail_fast: bool = False, kernel_name: str | None = None,
                  timeout: float | None = DEFAULT_TIMEOUT, log=print) -> list[NotebookRun]:
    """Execute the notebooks in order and write ``out/summary.json``; return every outcome.

    ``summary.json`` lists every notebook's outcome in file-name order and ``total_seconds``,
    the sum of their times. With ``only``, the entries of the notebooks run now replace their
    earlier ones and the other notebooks' entries are kept. ``timeout``: seconds each notebook
    may run (None or 0: no limit; see :func:`run_one`).

    Raises:
        FileNotFoundError: no notebook folder, or no notebook matches ``only``.
        TypeError, ValueError: ``timeout`` is not a number of seconds >= 0.
    """
    params = params or ParamSpec()
    timeout = _check_timeout(timeout)
    every = discover(notebook_dir)
    selected = discover(notebook_dir, only)
    if not selected:
        if every:
            raise FileNotFoundError(f"no notebook in {notebook_dir} matches {only!r}; give a glob "
                                    "(like '0[23]_*') or part of one of the names "
                                    f"{', '.join(p.name for p in every)}")
        raise FileNotFoundError(f"no notebooks ({NOTEBOOK_GLOB}) in {notebook_dir}; give the "
                                "folder of the lesson notebooks (the project's is notebooks/)")
    warn_unknown_names(params, every, log)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    runs: list[NotebookRun] = []
    earlier = _earlier_entries(out / SUMMARY_FILE, log) if only else []
    total_start = time.perf_counter()
    for path in selected:
        runs.append(run_one(path, out, params.for_notebook(path.name),
                            kernel_name=kernel_name, timeout=timeout, log=log))
        ran = {r.name for r in runs}
        entries = [e for e in earlier if e["name"] not in ran] + [vars(r) for r in runs]
        entries.sort(key=lambda e: e["name"])
        write_json_atomic(out / SUMMARY_FILE, {
            "notebooks": entries,
            "total_seconds": round(sum(float(e.get("seconds") or 0) for e in entries), 2),
        })
        if fail_fast and runs[-1].status != "ok":
            break
    failed = [r.name for r in runs if r.status != "ok"]
    log(f"{len(runs) - len(failed)} of {len(runs)} notebooks ran in "
        f"{time.perf_counter() - total_start:.1f} s; summary: {out / SUMMARY_FILE}"
        + (f"; failed: {', '.join(failed)}" if failed else ""))
    return runs
