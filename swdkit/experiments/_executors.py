"""Executors for the grid: a local process pool, Dask, and the small adapters between them.

The grid runner submits :func:`swdkit.experiments.execute_run` jobs to any object with a
``concurrent.futures``-style ``submit``. A ``dask.distributed.Client`` is one (its futures and
``as_completed`` behave alike), with two differences handled here: its ``submit`` hashes the
arguments to deduplicate tasks unless told ``pure=False``, and its futures are waited on with
``distributed.as_completed``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from swdkit._checks import check_value
from swdkit.experiments._worker import execute_run, set_torch_threads


def local_executor(workers: int, *, torch_threads: int | None = None) -> Any:
    """A process pool of ``workers`` processes, each with ``torch_threads`` torch threads.

    Workers start with ``spawn`` (a fork after torch has started its thread pools can hang). By
    default the cores are shared out: ``max(1, cpu_count // workers)`` threads each. Workers
    end when this process dies (:func:`init_worker`).

    Raises:
        TypeError: ``workers`` is not an integer.
        ValueError: ``workers`` is below 1.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    workers = check_value("workers", workers, "positive integer",
                          hint="give 1 or more worker processes")
    threads = torch_threads or max(1, (os.cpu_count() or 1) // workers)
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=init_worker, initargs=(threads,))


def init_worker(threads: int) -> None:
    """What a local pool's worker does first: set its torch threads, and watch its parent.

    A worker waits for jobs from the parent; if the parent is killed (SIGKILL leaves it no
    chance to stop its pool) the worker would wait forever. A daemon thread waits on the
    parent's sentinel (:func:`multiprocessing.parent_process`, a pipe that closes when the
    parent ends, on every platform) and ends the worker then.
    """
    import multiprocessing
    import threading

    set_torch_threads(threads)
    parent = multiprocessing.parent_process()
    if parent is None:  # not started by multiprocessing: nobody to watch
        return

    def exit_with_parent() -> None:
        parent.join()  # returns once the parent process has ended
        os._exit(1)

    threading.Thread(target=exit_with_parent, name="swdkit-parent-watch", daemon=True).start()


def dask_client(address: str | None = None, *, workers: int = 2) -> Any:
    """A ``dask.distributed.Client``: connected to ``address``, or to a new local cluster.

    Args:
        address: a running scheduler (``tcp://host:8786``); every worker must have swdkit and
            its dependencies installed and the data set at the same path. ``None`` starts a
            ``LocalCluster`` of ``workers`` single-threaded worker processes on 127.0.0.1.
        workers: worker processes of the local cluster. Torch threads per run are
            ``run_grid``'s ``torch_threads``.

    Raises:
        ValueError: Dask is not installed (``pip install 'swdkit[dask]'``), or the scheduler
            cannot be reached.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError as err:
        raise ValueError("executor='dask' needs dask.distributed; install it with "
                         "pip install 'swdkit[dask]'") from err
    if address is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, host="127.0.0.1",
                               dashboard_address=None)
        return Client(cluster)
    try:
        return Client(address, timeout="20s")
    except OSError as err:
        raise ValueError(f"scheduler={address!r} cannot be reached ({err}); start one with "
                         "`dask scheduler` and workers with `dask worker ADDRESS`") from err


def is_dask_client(executor: Any) -> bool:
    """True for a ``dask.distributed.Client`` (checked without importing Dask)."""
    return type(executor).__module__.split(".")[0] == "distributed"


def submit(executor: Any, job: dict[str, Any]) -> Any:
    """Submit one :func:`~swdkit.experiments.execute_run` job; return its future."""
    if is_dask_client(executor):
        return executor.submit(execute_run, job, pure=False)
    return executor.submit(execute_run, job)


def completed(executor: Any, futures: list[Any]) -> Iterator[Any]:
    """The futures in the order they finish."""
    if is_dask_client(executor):
        from distributed import as_completed

        return iter(as_completed(futures))
    from concurrent.futures import as_completed

    return as_completed(futures)


def cancel_all(executor: Any, futures: list[Any]) -> None:
    """Cancel the futures that have not started (after an interruption)."""
    if is_dask_client(executor):
        executor.cancel(futures)
    else:
        for future in futures:
            future.cancel()
