"""``swdkit grid`` and ``swdkit report``: run an experiment grid, and report on its results.

    swdkit grid --config experiments/reduced.yml [--results PATH] [--executor local|dask]
                [--scheduler ADDRESS] [--workers N] [--threads N] [--device DEV]
    swdkit report build/experiments/reduced.jsonl --out build/experiments/reduced

``grid`` runs every run of the config that is not yet in the results file (default: the config's
``results``, else ``build/experiments/<name>.jsonl``); run it again after an interruption and it
does only what is left. ``--executor dask`` sends the runs to a Dask cluster: ``--scheduler``
names a running scheduler, otherwise a local cluster of ``--workers`` processes starts on
127.0.0.1. ``report`` writes ``report.md``, ``summary.json`` and the paper's figures.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import warnings
from pathlib import Path

from swdkit.experiments._parse import load_grid


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``grid`` and ``report`` commands."""
    grid = subparsers.add_parser(
        "grid", help="run an experiment grid (resumable)",
        description="Run every run of a grid config that is not yet in the results file.")
    grid.add_argument("--config", required=True, help="grid config (YAML), e.g. "
                      "experiments/reduced.yml")
    grid.add_argument("--results", default=None, help="results file (JSON lines); default: the "
                      "config's 'results', else build/experiments/<name>.jsonl")
    grid.add_argument("--executor", choices=("local", "dask"), default="local",
                      help="local processes (default) or a Dask cluster")
    grid.add_argument("--scheduler", default=None, help="Dask scheduler address "
                      "(tcp://host:8786); without it a local Dask cluster starts")
    grid.add_argument("--workers", type=int, default=1, help="local worker processes (or local "
                      "Dask workers); 1 runs in this process (default)")
    grid.add_argument("--threads", type=int, default=None, help="torch threads per run "
                      "(default: the cores shared out among the workers)")
    grid.add_argument("--device", default=None, help="override the config's device")
    grid.add_argument("--no-progress", action="store_true", help="no progress bar")
    grid.set_defaults(func=grid_command)

    report = subparsers.add_parser(
        "report", help="tables and figures from a results file",
        description="Write report.md, summary.json and the paper's figures from a results file.")
    report.add_argument("results", help="results file written by `swdkit grid`")
    report.add_argument("--out", required=True, help="output folder")
    report.set_defaults(func=report_command)


def grid_command(args: argparse.Namespace) -> int:
    """Run the grid; exit status 0 when every run is in the store, 1 when some failed or a dead
    worker stopped the grid (it says so once; the same command resumes)."""
    import os

    from swdkit.experiments._executors import dask_client
    from swdkit.experiments._runner import run_grid

    if args.workers < 1:
        raise ValueError(f"--workers {args.workers}: give 1 or more worker processes")
    if args.scheduler and args.executor != "dask":
        raise ValueError("--scheduler is for --executor dask; add --executor dask")
    spec = load_grid(args.config)
    threads = args.threads
    client = None
    if args.executor == "dask":
        client = dask_client(args.scheduler, workers=args.workers)
        if threads is None and args.scheduler is None:
            threads = max(1, (os.cpu_count() or 1) // args.workers)
    try:
        outcome = run_grid(spec, args.results, executor=client, workers=args.workers,
                           torch_threads=threads, device=args.device,
                           progress=not args.no_progress)
    finally:
        if client is not None:
            cluster = getattr(client, "cluster", None)
            client.close()
            if cluster is not None and args.scheduler is None:
                cluster.close()
    stopped = "; stopped early (a worker died)" if outcome.stopped else ""
    print(f"grid {spec.name}: {outcome.total} runs, {outcome.skipped} already done, "
          f"{outcome.done} run now, {len(outcome.failed)} failed{stopped}; results in "
          f"{outcome.results}")
    for problem in outcome.problems:
        print(f"  skipped {outcome.results} {problem}", file=sys.stderr)
    if outcome.failed:
        print("  failed runs are not stored; run the same command again to retry them",
              file=sys.stderr)
    return 1 if outcome.failed or outcome.stopped else 0


def report_command(args: argparse.Namespace) -> int:
    """Write the report of a results file."""
    from swdkit.experiments._report import write_report
    from swdkit.experiments._store import read_store
    from swdkit.experiments._summary import NonFiniteWarning

    path = Path(args.results)
    if not path.is_file():
        raise FileNotFoundError(f"results file {path} does not exist; make it with "
                                "`swdkit grid --config FILE`")
    contents = read_store(path)
    for problem in contents.problems:
        print(f"skipped {path} {problem}", file=sys.stderr)
    for note in contents.notes:
        print(f"warning: {path} {note}", file=sys.stderr)
    command = "swdkit report " + shlex.join([str(path), "--out", str(args.out)])
    with warnings.catch_warnings():  # the notes above name the same runs by their lines
        warnings.simplefilter("ignore", NonFiniteWarning)
        report = write_report(contents.records, args.out, source=str(path),
                              problems=contents.problems, command=command)
    print(f"report: {report} ({len(contents.records)} runs)")
    return 0
