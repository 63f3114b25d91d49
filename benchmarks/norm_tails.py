"""What the radar's bright tail does to batch and instance normalisation (the seed paper's claim b).

The synthetic generator's knob ``scatterer_db`` sets the strength of the rare bright point
scatterers (``none``: no points; 0: the default calibrated to the real So2Sat statistics; +10:
ten times brighter). For each value this script makes the synthetic set (default sizes, seed 0)
under ``--data-root``, then runs SAR-only and SWD transfer (the lesson preset, lowrise, the
paper's input: VV real and imaginary parts) with batch and with instance norm, paired by seed,
and prints SAR test accuracy (mean and standard error over seeds) and the paired difference
instance minus batch. Results are kept in ``--results`` (JSON, one entry per run), so an
interrupted run resumes; ``--figure`` draws accuracy against the knob, one line per
normalisation, one panel per method and label count.

Run: ``.venv/bin/python benchmarks/norm_tails.py`` (about 10 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from pathlib import Path

KNOBS = {"none": None, "0": 0.0, "+10": 10.0}


def run_all(args: argparse.Namespace) -> dict[str, float]:
    """Every (knob, method, n_labeled, norm, seed) run not in the results file yet."""
    from swdkit.data import load_lesson_data
    from swdkit.data.synthetic import make_synthetic, synthetic_matches
    from swdkit.methods import run_method

    path = Path(args.results)
    done: dict[str, float] = json.loads(path.read_text()) if path.is_file() else {}
    for label, knob in KNOBS.items():
        folder = Path(args.data_root) / f"scatterer_db_{label}"
        if not synthetic_matches(folder, scatterer_db=knob):
            make_synthetic(folder, scatterer_db=knob, progress=False)
        data = load_lesson_data(folder, classes="lowrise", sar_input=args.sar_input)
        for method in args.methods:
            for n_labeled in args.n_labeled:
                for norm in ("batch", "instance"):
                    for seed in range(args.seeds):
                        key = f"{label}|{method}|{n_labeled}|{norm}|{seed}"
                        if key in done:
                            continue
                        start = time.perf_counter()
                        result = run_method(
                            data, method=method, seed=seed, norm=norm,
                            n_labeled=None if n_labeled == "full" else int(n_labeled),
                            config={"progress": False}, device="cpu",
                            checkpoint_dir=Path(args.data_root) / "checkpoints")
                        done[key] = result.test_accuracy
                        path.parent.mkdir(parents=True, exist_ok=True)
                        path.write_text(json.dumps(done, indent=1, sort_keys=True))
                        print(f"{key}: {result.test_accuracy:.3f} "
                              f"({time.perf_counter() - start:.0f} s)", flush=True)
    return done


def mean_se(values: list[float]) -> tuple[float, float]:
    """Mean and standard error (n - 1 in the variance)."""
    se = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else float("nan")
    return statistics.mean(values), se


def table(done: dict[str, float], args: argparse.Namespace) -> str:
    """Markdown: per knob, method and label count, accuracy by norm and the paired difference."""
    rows = ["| scatterer_db | method | labels | batch norm | instance norm | instance - batch |",
            "|---|---|---|---|---|---|"]
    for label in KNOBS:
        for method in args.methods:
            for n in args.n_labeled:
                acc = {norm: [done[f"{label}|{method}|{n}|{norm}|{s}"] for s in range(args.seeds)]
                       for norm in ("batch", "instance")}
                diff = [i - b for i, b in zip(acc["instance"], acc["batch"], strict=True)]
                summaries = (mean_se(acc["batch"]), mean_se(acc["instance"]), mean_se(diff))
                cells = [f"{100 * m:.1f} +- {100 * e:.1f}" for m, e in summaries]
                rows.append(f"| {label} | {method} | {n} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def figure(done: dict[str, float], args: argparse.Namespace, out: str) -> None:
    """Accuracy against the knob, one line per norm (mean +- SE), one panel per method x labels."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [(m, n) for m in args.methods for n in args.n_labeled]
    fig, axes = plt.subplots(1, len(panels), figsize=(3.6 * len(panels), 3.4), sharey=True,
                             layout="constrained")
    xs = list(range(len(KNOBS)))
    for ax, (method, n) in zip(axes, panels, strict=True):
        for norm, colour in (("batch", "tab:orange"), ("instance", "tab:blue")):
            stats = [mean_se([done[f"{k}|{method}|{n}|{norm}|{s}"] for s in range(args.seeds)])
                     for k in KNOBS]
            ax.errorbar(xs, [100 * m for m, _ in stats], yerr=[100 * e for _, e in stats],
                        marker="o", capsize=3, color=colour, label=f"{norm} norm")
        ax.axhline(25.0, color="grey", linestyle=":", label="chance (4 classes)")
        ax.set_xticks(xs, [f"{k} dB" if k != "none" else "no points" for k in KNOBS])
        ax.set_xlabel("bright point scatterers (scatterer_db)")
        ax.set_title(f"{method}, {n} labeled SAR")
    axes[0].set_ylabel("SAR test accuracy, % (lowrise)")
    axes[0].legend(fontsize=8)
    fig.suptitle(f"Batch vs instance norm as the radar's bright tail grows ({args.seeds} seeds, "
                 "mean +- SE)")
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", default="build/data/tails")
    parser.add_argument("--results", default="build/experiments/norm_tails.json")
    parser.add_argument("--figure", default="docs/figures/norm_tails.png")
    parser.add_argument("--methods", nargs="+", default=["sar_only", "swd"])
    parser.add_argument("--n-labeled", nargs="+", default=["32", "full"])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--sar-input", default="re_im",
                        help="the SAR representation (the paper's re_im by default: claim b is "
                             "about the paper's input)")
    args = parser.parse_args()
    done = run_all(args)
    print()
    print(table(done, args))
    figure(done, args, args.figure)
    print(f"\nfigure: {args.figure}")


if __name__ == "__main__":
    main()
