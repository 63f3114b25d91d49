"""Is it what the twin's radar loses? A lossless linear twin of the optics, built in memory.

The twin set's radar (``swdkit data synthetic --twin``) is a 2 x 3 map of the optical RGB, so
one direction of colour is lost on the way. Here the SAR of each patch is ``k`` channels,

    s = A x,   x the normalised EO RGB of the same patch (3, 32, 32), A a fixed k x 3 matrix

(standard normal entries from ``numpy.random.default_rng(1234)``, no noise), each channel then
standardised with the training split's mean and spread. With ``k = 3``, A is invertible (its
condition number is printed): the SAR holds the optical image exactly, and a SAR encoder
psi = phi(A^-1 s) (A^-1 and the standardisation folded into the first convolution) puts every SAR
patch on its own scene's EO embedding, where SW, the exact W2 and the known pairs' cost are all
zero. With ``k = 2`` it is a map of the twin's kind. For each ``k``: SAR-only at 32 labels and
with all labels, and SWD, the exact W2 (``wasserstein``) and ``known_pairs`` at 32 labels, the
default settings (batch norm, the frozen EO teacher), lowrise, on the default synthetic set's
optics, with the share of the gap from SAR-only at 32 labels to SAR-only with all labels and its
95 % seed-bootstrap interval, and the per-seed differences to SWD with the shared verdict rule
(paired t over seeds; as in ``benchmarks/known_pairs.py``):

    python benchmarks/lossless_twin.py --seeds 10

(two processes at once, one per ``--channels``, each with ``OMP_NUM_THREADS=1``, take half the
time on two cores).

The EO pretraining is the default set's (cached in ``build/checkpoints/grid-transfer``).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from known_pairs import mean_se, share_interval  # noqa: E402

METHODS = ("sar_only", "sar_only_full", "swd", "wasserstein", "known_pairs")


def linear_twin(data, channels: int, seed: int = 1234):
    """``data`` with its SAR replaced by the standardised ``A x`` of its EO; and ``A``."""
    matrix = np.random.default_rng(seed).standard_normal((channels, 3)).astype(np.float32)
    raw = {name: np.einsum("kc,nchw->nkhw", matrix, getattr(data, name).eo)
           for name in ("train", "val", "test")}
    mean = raw["train"].mean(axis=(0, 2, 3), keepdims=True)
    std = raw["train"].std(axis=(0, 2, 3), keepdims=True)
    splits = {name: replace(getattr(data, name), sar=((s - mean) / std).astype(np.float32))
              for name, s in raw.items()}
    return replace(data, **splits), matrix


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--channels", type=int, nargs="+", default=[3, 2])
    parser.add_argument("--checkpoint-dir", default="build/checkpoints/grid-transfer")
    args = parser.parse_args()
    os.environ.setdefault("SWDKIT_NO_PROGRESS", "1")
    from swdkit.data import load_lesson_data
    from swdkit.experiments import compare
    from swdkit.methods import run_method

    base = load_lesson_data(None, classes="lowrise")
    for k in args.channels:
        data, matrix = linear_twin(base, k)
        runs = {m: {} for m in METHODS}
        for seed in range(args.seeds):
            for method in METHODS:
                full = method.endswith("_full")
                r = run_method(data, method=method.removesuffix("_full"), seed=seed,
                               n_labeled="full" if full else 32, device="cpu",
                               checkpoint_dir=args.checkpoint_dir)
                runs[method][seed] = (100 * r.test_accuracy, 100 * r.history[-1]["val_accuracy"])
        cond = np.linalg.cond(matrix) if k == matrix.shape[1] else float("nan")
        print(f"### k = {k} SAR channels (A {k} x 3, condition number {cond:.3g}), "
              f"{args.seeds} seeds\n")
        print("| | test (%) | validation (%) | share of the gap, test | share, validation |")
        print("|---|---|---|---|---|")
        seeds = range(args.seeds)
        low, high = runs["sar_only"], runs["sar_only_full"]
        for method in METHODS:
            cell = runs[method]
            row = (f"| {method} | {mean_se(np.array([cell[s][0] for s in seeds]))} | "
                   f"{mean_se(np.array([cell[s][1] for s in seeds]))} |")
            if method in ("sar_only", "sar_only_full"):
                row += " - | - |"
            else:
                for i in (0, 1):
                    arrays = [np.array([c[s][i] for s in seeds]) for c in (low, high, cell)]
                    share, lo, hi = share_interval(*arrays)
                    row += f" {share:.0%} [{lo:.0%}, {hi:.0%}] |"
            print(row)
        print()
        for a, b in (("wasserstein", "swd"), ("known_pairs", "swd"), ("swd", "sar_only")):
            verdict = compare([runs[a][s][0] / 100 for s in seeds],
                              [runs[b][s][0] / 100 for s in seeds], names=(a, b))
            print(f"- test: {verdict.sentence}")
        print()


if __name__ == "__main__":
    main()
