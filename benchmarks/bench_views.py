"""Time the views of notebook 05: UMAP frames, the alignment explorer and the SWD playground.

Rows of the printed markdown table, each a median over repeats (with the fastest and slowest):

- ``frames``: :func:`swdkit.views.embed_snapshots` (``fit="chained"``, seed 0) on a made-up run
  of ``--epochs`` + 1 snapshots, each ``--points`` EO and as many SAR points in D = 16: a fit
  (memory cache cleared, disk cache emptied), the same call again (memory cache hit), and after
  :func:`swdkit.views.clear_memory_cache` (disk cache hit). One untimed fit first pays numba's
  compilation, which every new process pays once.
- ``explorer``: :class:`swdkit.views.AlignmentExplorer` over those frames: drawing every
  picture up front (prerender), and from :meth:`~swdkit.views.AlignmentExplorer.measure_callback`
  a slider move (the whole callback: cached picture, status line, output update) and drawing one
  picture from scratch (what a move would cost without the picture cache).
- ``playground``: :class:`swdkit.views.SWDPlayground` with its defaults (150 points, 30 steps):
  a step-slider move to a picture not drawn yet, a move back to one drawn before, and a change
  of L (a new flow of 30 steps computed, then drawn).

The made-up run: three classes with fixed EO centres; each class's SAR points start around
another class's centre and move onto their own in a straight line over the epochs.

Run: ``OMP_WAIT_POLICY=PASSIVE .venv/bin/python benchmarks/bench_views.py`` (about a minute or
two on 2 idle cores).
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
from collections.abc import Callable
from pathlib import Path

import numpy as np

N_CLASSES = 3
DIM = 16


def made_up_run(n_epochs: int, n_points: int, seed: int = 0) -> list:
    """``n_epochs + 1`` snapshots whose SAR cloud settles onto the EO cloud (module docstring)."""
    from swdkit.train import Snapshot
    from swdkit.views import eo_centroids, nearest_centroid

    rng = np.random.default_rng(seed)
    labels = np.arange(n_points) % N_CLASSES
    centres = 6.0 * rng.normal(size=(N_CLASSES, DIM))
    eo = centres[labels] + rng.normal(size=(n_points, DIM))
    start = centres[(labels + 1) % N_CLASSES] + rng.normal(size=(n_points, DIM))
    end = centres[labels] + rng.normal(size=(n_points, DIM))
    snaps = []
    for t in range(n_epochs + 1):
        sar = start + (end - start) * t / n_epochs
        hits = nearest_centroid(sar, eo_centroids(eo, labels, N_CLASSES)) == labels
        snaps.append(Snapshot(t, eo.astype(np.float32), sar.astype(np.float32), labels, labels,
                              float(np.sum((eo.mean(0) - sar.mean(0)) ** 2)), float(hits.mean())))
    return snaps


def timed(call: Callable[[], object], repeats: int, before: Callable[[], object] = lambda: None
          ) -> list[float]:
    """Seconds of ``repeats`` calls of ``call``, each after an untimed ``before()``."""
    seconds = []
    for _ in range(repeats):
        before()
        t0 = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - t0)
    return seconds


def frame_rows(snaps: list, repeats: int, fit_repeats: int, cache: Path) -> tuple[list, object]:
    from swdkit.views import clear_memory_cache, embed_snapshots

    def fresh() -> None:
        clear_memory_cache()
        for path in cache.glob("frames-*.npz"):
            path.unlink()

    def fit() -> object:
        return embed_snapshots(snaps, cache_dir=cache, progress=False)

    fresh()
    embed_snapshots(made_up_run(1, 30, seed=1), progress=False)  # numba compiles here
    setting = f"{len(snaps)} frames of {2 * len(snaps[0].eo)} points"
    rows = [("frames", f"fit, {setting}", timed(fit, fit_repeats, before=fresh))]
    frames = fit()
    rows.append(("frames", "again: memory cache hit", timed(fit, repeats)))
    rows.append(("frames", "again: disk cache hit", timed(fit, repeats,
                                                            before=clear_memory_cache)))
    return rows, frames


def explorer_rows(snaps: list, repeats: int, cache: Path) -> list:
    from swdkit.views import COLOR_BY, AlignmentExplorer

    prerender, moves, draws = [], [], []
    for _ in range(repeats):
        explorer = AlignmentExplorer(snaps, cache_dir=cache, progress=False)
        prerender.append(explorer.prerender_seconds)
        timing = explorer.measure_callback()
        moves.append(timing["callback_seconds"])
        draws.append(timing["draw_seconds"])
    n = len(COLOR_BY) * len(snaps)
    return [("explorer", f"prerender all {n} pictures", prerender),
            ("explorer", "slider move (median of the moves)", moves),
            ("explorer", "one picture drawn from scratch (median)", draws)]


def moved(slider: object, value: object) -> float:
    """Seconds from setting a widget's value to the end of the callback it triggers."""
    t0 = time.perf_counter()
    slider.value = value
    return time.perf_counter() - t0


def playground_rows(repeats: int) -> list:
    from swdkit.views import SWDPlayground

    first, again, new_l = [], [], []
    for r in range(repeats):
        playground = SWDPlayground(seed=r)
        steps, projections = playground.step_slider, playground.projections_slider
        first += [moved(steps, step) for step in (1, 2, 3)]
        steps.value = 0
        again += [moved(steps, step) for step in (1, 2, 3)]
        new_l += [moved(projections, n) for n in (4, 8)]
    return [("playground", "step move, new picture", first),
            ("playground", "step move, picture drawn before", again),
            ("playground", "new L: flow of 30 steps + picture", new_l)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5, help="epochs of the made-up run "
                        "(frames: one more)")
    parser.add_argument("--points", type=int, default=150, help="EO (and SAR) points per frame")
    parser.add_argument("--repeats", type=int, default=7, help="repeats of the cheap rows")
    parser.add_argument("--fit-repeats", type=int, default=3, help="repeats of the UMAP fit")
    args = parser.parse_args(argv)
    import matplotlib
    import umap

    print(f"# {datetime.date.today()}  python {' '.join(sys.argv)}")
    print(f"# matplotlib {matplotlib.__version__}, umap-learn {umap.__version__}, "
          f"{platform.machine()} {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f} at start")
    snaps = made_up_run(args.epochs, args.points)
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder)
        rows, _ = frame_rows(snaps, args.repeats, args.fit_repeats, cache)
        rows += explorer_rows(snaps, args.repeats, cache)
    rows += playground_rows(args.repeats)
    print("\n| view | what | median ms | fastest ms | slowest ms | timed |")
    print("|---|---|---|---|---|---|")
    for view, what, seconds in rows:
        ms = [1e3 * s for s in seconds]
        print(f"| {view} | {what} | {statistics.median(ms):.3g} | {min(ms):.3g} | "
              f"{max(ms):.3g} | {len(ms)} |")
    print(f"\n(load average {os.getloadavg()[0]:.1f} at the end)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
