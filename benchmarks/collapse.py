"""The alignment collapse, measured: what one SWD phase does to the size of the embeddings.

For one labeled subset (lowrise, 32 labels, seed 0, the lesson preset) this pretrains the EO side
(or loads it from ``--checkpoint-dir``) and runs the SAR phase of SWD transfer once per alignment
variant, printing, from the validation probe that every phase measures, the EO embeddings' mean
per-dimension spread before the phase, after epoch 1 and after the last epoch (their ratio after
epoch 1 is ``swdkit.train.collapse_factor``), raw SW_2^2 and SW relative to the EO cloud's
variance before and after, and the SAR validation accuracy. Variants: the paper's formulation
(phi, psi and h all trained, raw SW), a frozen EO teacher, SW divided by the EO batch's
variance, and a 3-epoch warm-up of alpha and beta.

Run: ``.venv/bin/python benchmarks/collapse.py [--norm batch] [--sar-input db_smooth]``
(about a minute on 2 cores).
"""

from __future__ import annotations

import argparse
import time

VARIANTS = {
    "paper's formulation": {"eo_side": "train", "align_scale": "raw", "warmup_epochs": 0},
    "frozen EO teacher": {"eo_side": "frozen", "align_scale": "raw", "warmup_epochs": 0},
    "SW / EO variance": {"eo_side": "train", "align_scale": "eo_spread", "warmup_epochs": 0},
    "3-epoch warm-up": {"eo_side": "train", "align_scale": "raw", "warmup_epochs": 3},
}


def main() -> None:
    from swdkit import train
    from swdkit.data import DEFAULT_SAR_INPUT, load_lesson_data
    from swdkit.methods import phase_config, resolve_config, start_run
    from swdkit.models import DEFAULT_NORM

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--norm", default=DEFAULT_NORM)
    parser.add_argument("--sar-input", default=DEFAULT_SAR_INPUT)
    parser.add_argument("--n-labeled", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--checkpoint-dir", default="build/checkpoints/collapse")
    args = parser.parse_args()
    data = load_lesson_data(classes="lowrise", sar_input=args.sar_input)
    print(f"lowrise, {args.n_labeled} labels, seed {args.seed}, {args.norm} norm, "
          f"{args.sar_input} input, the lesson preset\n")
    print("| variant | EO spread before | after epoch 1 | after the last | SW before | SW after | "
          "SW / EO var. before | after | SAR validation accuracy | seconds |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, options in VARIANTS.items():
        start = time.perf_counter()
        cfg = resolve_config("lesson", progress=False, **options)
        run = start_run(data, n_labeled=args.n_labeled, seed=args.seed, norm=args.norm,
                        supcon=False, config=cfg, device="cpu",
                        checkpoint_dir=args.checkpoint_dir, snapshots=False)
        phase = phase_config(train.AlignConfig, run.cfg, **run.common)
        result = train.align_domains(run.net, (data.train.eo, data.train.labels),
                                     run.sar_labeled, data.train.sar, phase, val=data.val,
                                     probe=data.val)
        before, first, last = result.initial, result.history[0], result.history[-1]
        print(f"| {name} | {before['eo_spread']:.3f} | {first['eo_spread']:.3f} "
              f"(x{train.collapse_factor(before, result.history):.2f}) | "
              f"{last['eo_spread']:.3f} | {before['sw_probe']:.3g} | {last['sw_probe']:.3g} | "
              f"{before['sw_relative']:.3g} | {last['sw_relative']:.3g} | "
              f"{100 * last['val_accuracy']:.1f} % | {time.perf_counter() - start:.0f} |")


if __name__ == "__main__":
    main()
