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
import errno
import os
import sys
import traceback
import warnings
from collections.abc import Iterator
from concurrent.futures import BrokenExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from swdkit._progress import show_progress
from swdkit.experiments._executors import cancel_all, completed, local_executor, submit
from swdkit.experiments._parse import check_training_configs, load_grid
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
        stopped: why the grid stopped before its end (a worker process died), else None.
    """

    results: Path
    total: int
    skipped: int
    done: int = 0
    failed: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    problems: list[StoreProblem] = field(default_factory=list)
    stopped: str | None = None

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
    """Refuse a second ``run_grid`` on one store (a lock file, released on exit or death).

    The lock file sits beside the real file (symbolic links resolved), so two names of one
    store share one lock.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks here; one runner at a time is on the user
        yield
        return
    results.parent.mkdir(parents=True, exist_ok=True)
    real = Path(os.path.realpath(results))
    with open(real.with_name(real.name + ".lock"), "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            raise ValueError(f"results={str(results)!r} is being written by another grid run; "
                             "wait for it to finish or give another --results file") from err
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _check_writable(folder: Path) -> None:
    """Make ``folder`` if missing; ``PermissionError`` when this process cannot write there."""
    folder.mkdir(parents=True, exist_ok=True)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, "checkpoint_dir is not writable (permission "
                              "denied)", str(folder))


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
        call tries it again); the others go on. A worker process that dies breaks a process
        pool: that is reported once, the grid stops (``outcome.stopped`` says why) and what
        finished is in the store, so the next call resumes.

    Raises:
        ValueError, TypeError: a malformed config (every block's training config is built
            before any run starts), or another process is writing to the same store.
        OSError: the config's ``checkpoint_dir`` cannot be made or written to.
    """
    if not isinstance(spec, GridSpec):
        spec = load_grid(spec)
    check_training_configs(spec, functions)
    if spec.checkpoint_dir is not None:  # a cache no run could write: one error, not one a run
        _check_writable(Path(spec.checkpoint_dir))
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
    if error is None:
        try:
            append_record(results, record)
        except ValueError as err:  # a record the store refuses (no finite accuracy...)
            error = err
        else:
            outcome.done += 1
            bar.set_postfix_str(f"last {record['settings']['method']}: "
                                f"{100 * record['results']['test_accuracy']:.1f}%")
    if error is not None:
        text = "".join(traceback.format_exception_only(type(error), error)).strip()
        seen = any(text == earlier for _, earlier in outcome.failed)
        outcome.failed.append((job["settings"], text))
        s = job["settings"]
        # The worker's traceback (a process pool attaches it as the cause) says where it broke;
        # it is shown for the first run that fails this way, not repeated for every other.
        where = ("(the same error as an earlier run; its traceback is above)" if seen else
                 "".join(traceback.format_exception(type(error), error, error.__traceback__)))
        _report(f"run failed ({s['method']}, {s['classes']}, n_labeled={s['n_labeled']}, "
                f"seed={s['seed']}, norm={s['norm']}, supcon={s['supcon']}): {text}\n{where}")
    bar.update(1)


def _execute(jobs: list[dict[str, Any]], executor: Any, results: Path, outcome: GridOutcome,
             name: str, progress: bool) -> None:
    from tqdm.auto import tqdm

    with tqdm(total=len(jobs), desc=f"grid {name}", unit="run",
              disable=not show_progress(progress), smoothing=0.1) as bar:
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
                if isinstance(error, BrokenExecutor):
                    _stop(outcome, results, by_future, bar)
                    break
                record = None if error is not None else future.result()
                _finish(outcome, results, by_future.pop(future), record, error, bar)
        except BaseException:
            cancel_all(executor, futures)
            raise


def _stop(outcome: GridOutcome, results: Path, by_future: dict[Any, dict[str, Any]],
          bar: Any) -> None:
    """A worker died and broke the pool: store what finished, report it once, run no more."""
    for future in list(by_future):
        if future.done() and not future.cancelled() and future.exception() is None:
            _finish(outcome, results, by_future.pop(future), future.result(), None, bar)
    for future in by_future:
        future.cancel()
    outcome.stopped = (
        f"a worker process died (killed, or out of memory) and broke the process pool; the grid "
        f"stopped with {len(by_future)} runs not done ({outcome.done} stored now, "
        f"{outcome.skipped} before). Run the same grid again to resume; if workers keep dying, "
        "give fewer workers (--workers): each holds its own data and network in memory")
    _report(f"grid stopped: {outcome.stopped}")
