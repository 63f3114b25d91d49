"""Running a grid: each pending run on an executor, each finished run appended to the store.

:func:`run_grid` expands a :class:`~swdkit.experiments.GridSpec`, reads the results store, skips
every run whose key is already there and hands the rest to an executor: in this process
(``workers=1``), a local process pool, or any object with a ``concurrent.futures``-style
``submit`` (a ``dask.distributed.Client`` included). Workers return the finished record; only this
(the parent) process appends it to the store, one durable line per run (see
:mod:`swdkit.experiments._store`), so a kill at any moment loses nothing already finished and
running the same grid again does only what is left.

A worker runs :func:`swdkit.experiments.execute_run`: it loads the run's data set (kept in a
small per-process cache, so runs on the same class set load it once) and calls the run function,
by default :func:`swdkit.experiments._worker.default_run` (:func:`swdkit.methods.run_method`, which
runs every registered method). :mod:`swdkit.experiments._executors` makes the local pool and the
Dask client.
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from swdkit.experiments._executors import cancel_all, completed, local_executor, submit
from swdkit.experiments._parse import load_grid
from swdkit.experiments._spec import GridSpec, run_key
from swdkit.experiments._store import StoreProblem, append_record, read_store
from swdkit.experiments._worker import execute_run, prepare_default_data


class StoreProblemWarning(UserWarning):
    """A line of the results store was skipped (corrupt or incomplete)."""


@dataclass
class GridOutcome:
    """What :func:`run_grid` did.

    Attributes:
        results: the results file.
        total: runs in the grid.
        skipped: runs already in the store before this call.
        done: runs finished and stored by this call.
        failed: ``(settings, error text)`` for each run that raised; they are not stored, so the
            next call tries them again.
        problems: lines of the store that were skipped when reading it.
    """

    results: Path
    total: int
    skipped: int
    done: int = 0
    failed: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    problems: list[StoreProblem] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when every run of the grid is in the store."""
        return self.skipped + self.done == self.total


def default_results_path(spec: GridSpec) -> Path:
    """``spec.results`` when the config names one, else ``build/experiments/<name>.jsonl``."""
    if spec.results:
        return Path(spec.results)
    return Path("build") / "experiments" / f"{spec.name}.jsonl"


@contextlib.contextmanager
def _store_lock(results: Path) -> Iterator[None]:
    """Refuse a second ``run_grid`` on one store (a lock file, released on exit or death)."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks here; one runner at a time is on the user
        yield
        return
    results.parent.mkdir(parents=True, exist_ok=True)
    with open(results.with_name(results.name + ".lock"), "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            raise ValueError(f"results={str(results)!r} is being written by another grid run; "
                             "wait for it to finish or give another --results file") from err
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _report(message: str) -> None:
    from tqdm.auto import tqdm

    tqdm.write(message, file=sys.stderr)


def run_grid(spec: GridSpec | str | os.PathLike, results: str | os.PathLike | None = None, *,
             executor: Any = None, workers: int = 1, torch_threads: int | None = None,
             device: str | None = None, functions: dict[str, Any] | None = None,
             progress: bool = True) -> GridOutcome:
    """Run every run of a grid that is not yet in the results store.

    Args:
        spec: a :class:`~swdkit.experiments.GridSpec` or the path of a grid config file.
        results: the JSON-lines results file (default: :func:`default_results_path`).
        executor: where runs execute: ``None`` for this process (``workers=1``) or a local
            process pool (``workers > 1``, made and shut down here); or any object with a
            ``concurrent.futures``-style ``submit`` (a ``ProcessPoolExecutor``, a
            ``dask.distributed.Client``), which the caller owns.
        workers: processes of the local pool when ``executor`` is None.
        torch_threads: torch threads per run (None: the local pool shares the cores out, this
            process and a given executor keep torch's default).
        device: overrides ``spec.device``.
        functions: overrides ``spec.functions`` (``run`` / ``load_data``: callables or
            ``module:function`` strings; see :func:`execute_run`).
        progress: show a tqdm bar over the pending runs, with the time left.

    Returns:
        A :class:`GridOutcome`. A run that raises is reported and left out of the store (the next
        call tries it again); the others go on.

    Raises:
        ValueError: a malformed config, or another process is writing to the same store.
    """
    if not isinstance(spec, GridSpec):
        spec = load_grid(spec)
    results = Path(results) if results is not None else default_results_path(spec)
    with _store_lock(results):
        contents = read_store(results)
        for problem in contents.problems:
            warnings.warn(f"{results}: {problem}", StoreProblemWarning, stacklevel=2)
        done_keys = contents.keys()
        runs = spec.runs()
        pending = [s for s in runs if run_key(s) not in done_keys]
        outcome = GridOutcome(results=results, total=len(runs), skipped=len(runs) - len(pending),
                              problems=contents.problems)
        if not pending:
            return outcome
        job_base = {"device": device or spec.device, "checkpoint_dir": spec.checkpoint_dir,
                    "functions": dict(spec.functions, **(functions or {})),
                    "torch_threads": torch_threads}
        jobs = [dict(job_base, settings=s) for s in pending]
        own = executor is None and workers > 1
        if own:
            prepare_default_data(pending, job_base["functions"])
            executor = local_executor(workers, torch_threads=torch_threads)
        try:
            _execute(jobs, executor, results, outcome, spec.name, progress)
        finally:
            if own:
                executor.shutdown(wait=True, cancel_futures=True)
    return outcome


def _finish(outcome: GridOutcome, results: Path, job: dict[str, Any], record: Any,
            error: BaseException | None, bar: Any) -> None:
    if error is not None:
        text = "".join(traceback.format_exception_only(type(error), error)).strip()
        outcome.failed.append((job["settings"], text))
        s = job["settings"]
        # The worker's traceback (a process pool attaches it as the cause) says where it broke.
        where = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        _report(f"run failed ({s['method']}, {s['classes']}, n_labeled={s['n_labeled']}, "
                f"seed={s['seed']}, norm={s['norm']}, supcon={s['supcon']}): {text}\n{where}")
    else:
        append_record(results, record)
        outcome.done += 1
        bar.set_postfix_str(f"last {record['settings']['method']}: "
                            f"{100 * record['results']['test_accuracy']:.1f}%")
    bar.update(1)


def _execute(jobs: list[dict[str, Any]], executor: Any, results: Path, outcome: GridOutcome,
             name: str, progress: bool) -> None:
    from tqdm.auto import tqdm

    with tqdm(total=len(jobs), desc=f"grid {name}", unit="run", disable=not progress,
              smoothing=0.1) as bar:
        if executor is None:
            for job in jobs:
                try:
                    record, error = execute_run(job), None
                except Exception as err:  # a failing run must not stop the others
                    record, error = None, err
                _finish(outcome, results, job, record, error, bar)
            return
        futures = [submit(executor, job) for job in jobs]
        by_future = dict(zip(futures, jobs, strict=True))
        try:
            for future in completed(executor, futures):
                error = future.exception()
                record = None if error is not None else future.result()
                _finish(outcome, results, by_future[future], record, error, bar)
        except BaseException:
            cancel_all(executor, futures)
            raise
