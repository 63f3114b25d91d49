"""What SWD's guess of the correspondence costs: SWD beside the control with the pairs known.

Reads grid stores with SAR-only at few and all labels, SWD transfer and ``known_pairs`` (SWD with
the marginal SW replaced by the cost of the known EO-SAR pairing) at the same labels, default
settings (``config: {}``), batch norm, lowrise, and prints per data reading and label count:

- mean ± standard error over seeds of the SAR test and validation accuracy of each;
- the share of the gap from SAR-only at few labels to SAR-only with all labels that SWD and
  ``known_pairs`` close, (mean(method) - mean(low)) / (mean(high) - mean(low)), with a 95 % interval
  from resampling the seeds (all three runs of a seed kept together, 10,000 draws);
- the per-seed differences ``known_pairs - swd`` and ``swd - sar_only`` with the shared verdict rule
  (:func:`swdkit.experiments.compare`: paired t over seeds).

    python benchmarks/known_pairs.py experiments/results/twin_known_pairs.jsonl
    python benchmarks/known_pairs.py experiments/results/known_pairs.jsonl

A store may hold other transfer runs at the same labels (another method, or SWD with settings of
its own, shown as ``swd {setting: value}``): each gets a row and is compared with SWD at default
settings, e.g. ``experiments/results/shared_last_layer.jsonl``.

With ``--confusion`` it prints instead, per data reading and label count, the test confusion
matrix of each method at default settings, summed over the seeds and normalised by row: row i,
column j is the share (%) of the test patches of class i that the method calls class j. Where
SWD places patches of one class where another class's EO patches lie, its row loses to that
column what the known pairs keep:

    python benchmarks/known_pairs.py --confusion experiments/results/twin_known_pairs.jsonl
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict

import numpy as np

from swdkit.experiments import compare


def runs(path: str):
    """The batch-norm lowrise runs of a store: ``(data key, n_labeled, label, settings,
    results)``, the label the method followed by its settings when they are not the defaults."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            s, r = record["settings"], record["results"]
            if s["norm"] != "batch" or s["classes"] != "lowrise":
                continue
            label = s["method"] + (" " + json.dumps(s["config"], sort_keys=True)
                                   if s["config"] else "")
            yield json.dumps(s["data"], sort_keys=True), s["n_labeled"], label, s, r


def load(path: str) -> dict[tuple[str, object, str], dict[int, tuple[float, float]]]:
    """``(data, n_labeled, label) -> {seed: (test %, validation %)}`` of :func:`runs`."""
    cells: dict[tuple[str, object, str], dict[int, tuple[float, float]]] = defaultdict(dict)
    for data, n, label, s, r in runs(path):
        cells[(data, n, label)][s["seed"]] = (100 * r["test_accuracy"], 100 * r["val_accuracy"])
    return cells


def confusions(path: str) -> dict[tuple[str, object, str], tuple[np.ndarray, int]]:
    """``(data, n_labeled, method) -> (test confusion summed over seeds, seeds)`` (rows: true
    class) of :func:`runs` at default settings."""
    cells: dict[tuple[str, object, str], tuple[np.ndarray, int]] = {}
    for data, n, label, s, r in runs(path):
        if s["config"]:
            continue
        matrix, seeds = cells.get((data, n, label), (0.0, 0))
        cells[(data, n, label)] = (matrix + np.asarray(r["confusion"], dtype=float), seeds + 1)
    return cells


def print_confusions(path: str) -> None:
    """The row-normalised summed confusion of each method at few labels (module docstring)."""
    print(f"## {path}: test confusion, summed over seeds, % of each true class\n")
    for (data, n, method), (matrix, seeds) in sorted(
            confusions(path).items(), key=lambda kv: (kv[0][0], str(kv[0][1]), kv[0][2])):
        if n == "full":
            continue
        shares = 100 * matrix / matrix.sum(axis=1, keepdims=True)
        k = len(shares)
        print(f"### data {data}, {n} labels, {method} ({seeds} seeds)\n")
        print("| true \\ called | " + " | ".join(str(j) for j in range(k)) + " |")
        print("|---" * (k + 1) + "|")
        for i, row in enumerate(shares):
            print(f"| {i} | " + " | ".join(f"{v:.0f}" for v in row) + " |")
        print()


def share_interval(low: np.ndarray, high: np.ndarray, value: np.ndarray,
                   draws: int = 10_000) -> tuple[float, float, float]:
    """Share of the gap and its 95 % seed-bootstrap interval (seeds resampled together)."""
    def share(idx: np.ndarray) -> float:
        gap = high[idx].mean() - low[idx].mean()
        return float((value[idx].mean() - low[idx].mean()) / gap) if gap > 0 else float("nan")

    rng = np.random.default_rng(0)
    n = len(low)
    boot = np.array([share(rng.integers(0, n, n)) for _ in range(draws)])
    lo, hi = np.nanpercentile(boot, [2.5, 97.5])
    return share(np.arange(n)), float(lo), float(hi)


def mean_se(x: np.ndarray) -> str:
    return f"{x.mean():.1f} ± {x.std(ddof=1) / np.sqrt(len(x)):.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", help="grid stores (JSON lines)")
    parser.add_argument("--confusion", action="store_true",
                        help="print the summed test confusion of each method instead")
    args = parser.parse_args()
    for path in args.results:
        if args.confusion:
            print_confusions(path)
            continue
        cells = load(path)
        print(f"## {path}\n")
        pairs = {(d, n) for d, n, m in cells if m == "swd" and n != "full"}
        for data, n in sorted(pairs, key=lambda dn: (dn[0], str(dn[1]).isdigit(), dn[1])):
            low, high = cells[(data, n, "sar_only")], cells[(data, "full", "sar_only")]
            names = sorted((m for d, k, m in cells if (d, k) == (data, n) and m != "sar_only"),
                           key=lambda m: (m != "swd", m))
            methods = {m: cells[(data, n, m)] for m in names}
            base = sorted(set(low).intersection(high, methods["swd"]))
            print(f"### data {data}, {n} labels\n")
            print("| | seeds | test (%) | validation (%) | share of the gap, test | share, "
                  "validation |")
            print("|---|---|---|---|---|---|")
            runs = {"SAR-only, few labels": low, "SAR-only, all labels": high, **methods}
            for name, cell in runs.items():
                seeds = [s for s in base if s in cell]  # a variant may have fewer seeds
                test = np.array([cell[s][0] for s in seeds])
                val = np.array([cell[s][1] for s in seeds])
                row = f"| {name} | {len(seeds)} | {mean_se(test)} | {mean_se(val)} |"
                if name in methods:
                    for k in (0, 1):
                        arrays = [np.array([c[s][k] for s in seeds]) for c in (low, high, cell)]
                        share, lo, hi = share_interval(*arrays)
                        row += f" {share:.0%} [{lo:.0%}, {hi:.0%}] |"
                else:
                    row += " - | - |"
                print(row)
            print()
            for a, b in [(m, "swd") for m in names[1:]] + [("swd", "sar_only")]:
                cb = low if b == "sar_only" else methods[b]
                seeds = [s for s in base if s in methods[a]]
                verdict = compare([methods[a][s][0] / 100 for s in seeds],
                                  [cb[s][0] / 100 for s in seeds], names=(a, b))
                print(f"- test: {verdict.sentence}")
            print()


if __name__ == "__main__":
    main()
