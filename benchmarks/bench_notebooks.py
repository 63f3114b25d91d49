"""Time lesson notebooks through the runner, and the times they measure inside themselves.

Runs the notebooks matching ``--only`` (default ``05_*``: the UMAP lesson, whose alignment
explorer must answer a slider move quickly) with a parameter file (default
``notebooks/params/ci.yml``, the test suite's), ``--repeats`` times, through
``swdkit.notebooks.run_notebooks``, into one temporary folder: the first repeat trains the EO
networks, the later ones load them from its checkpoint cache, as a lesson does after notebook 02.
Per notebook it prints the median, smallest and largest over the repeats of

- the notebook's wall time as the runner measured it (kernel start included), and
- every number the notebook records under a name ending in ``seconds`` (for 05: one slider move
  of the explorer, ``explorer_callback_seconds``, itself a median over the epochs; drawing one
  picture; drawing all of them up front; fitting UMAP; the whole notebook).

The tests check what the notebooks do and that they record these times; how fast they are is
measured here (house rule: no test compares a measured time with a limit).

The synthetic data set is made first, outside the timings, where the notebooks read it
(``$SWDKIT_DATA_DIR``, else ``~/.cache/swdkit/synthetic``), unless it is already there.

Run: ``OMP_WAIT_POLICY=PASSIVE .venv/bin/python benchmarks/bench_notebooks.py`` (73 s with
the defaults on the project machine, 2 CPU cores, data set already made).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from swdkit.data import default_data_dir, ensure_synthetic
from swdkit.notebooks import load_param_file, run_notebooks

ROOT = Path(__file__).resolve().parents[1]
WALL = "runner wall time (kernel start included)"


def timed_metrics(metrics: dict) -> dict[str, float]:
    """The top-level numbers a notebook recorded under a name ending in ``seconds``."""
    return {name: float(value) for name, value in metrics.items()
            if name.endswith("seconds") and isinstance(value, (int, float))
            and not isinstance(value, bool)}


def fmt_seconds(value: float) -> str:
    if value < 1.0:
        return f"{value * 1e3:.3g} ms"
    return f"{value:.2f} s" if value < 10.0 else f"{value:.1f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="05_*",
                        help="notebooks to run: a glob or part of the file name (default 05_*)")
    parser.add_argument("--params", default=str(ROOT / "notebooks" / "params" / "ci.yml"),
                        help="parameter file (default: notebooks/params/ci.yml)")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each notebook (default 5)")
    parser.add_argument("--notebooks", default=str(ROOT / "notebooks"),
                        help="folder of the notebooks (default: the project's)")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats {args.repeats}: give 1 or more")

    load_start = os.getloadavg()[0]
    data_dir = default_data_dir()
    start = time.perf_counter()
    _, made = ensure_synthetic(data_dir, progress=False)
    made_note = (f"made in {time.perf_counter() - start:.0f} s before the timings" if made
                 else "already there")
    params = load_param_file(args.params)
    series: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-notebooks-") as out:
        for repeat in range(args.repeats):
            print(f"repeat {repeat + 1} of {args.repeats}", file=sys.stderr)
            runs = run_notebooks(args.notebooks, params=params, out=out, only=args.only,
                                 log=lambda line: print(line, file=sys.stderr))
            failed = [r for r in runs if r.status != "ok"]
            if failed:
                for r in failed:
                    print(f"{r.name} failed: {r.error}", file=sys.stderr)
                return 1
            for r in runs:
                per = series.setdefault(r.name, {})
                per.setdefault(WALL, []).append(r.seconds)
                for name, value in timed_metrics(r.metrics).items():
                    per.setdefault(name, []).append(value)

    print(f"# {datetime.date.today()}  OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '')} "
          f"python {' '.join(sys.argv)}")
    print(f"# {platform.machine()} {os.cpu_count()} CPUs, load average {load_start:.1f} at the "
          f"start, {os.getloadavg()[0]:.1f} at the end; params {args.params}; data set "
          f"{data_dir} ({made_note})")
    print()
    print("| notebook | measurement | median | min | max | repeats |")
    print("|---|---|---|---|---|---|")
    for notebook, per in series.items():
        for name, values in per.items():
            print(f"| {notebook} | {name} | {fmt_seconds(statistics.median(values))} | "
                  f"{fmt_seconds(min(values))} | {fmt_seconds(max(values))} | {len(values)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
