"""Does SWD transfer's outcome depend on where the SAR encoder starts, or on which SAR is labeled?

For each seed (one labeled subset) the SWD phase is run from ``--inits`` starting points of the
SAR encoder psi (the run's own initialisation and fresh ones; the batches differ too), with the
default settings otherwise. For every run it prints the SAR test accuracy and the relative SW
between the whole training pool's EO and SAR embeddings after the phase,

    SW_2^2(phi(EO_train), psi(SAR_train)) / mean_d Var(phi(EO_train))_d   (2048 directions),

then the variance of the seed means (between labeled subsets) beside the mean variance within a
subset (across starting points). If the alignment's failures were bad starts, and the final SW
told good starts from bad ones, restarts chosen by it would help; if the labeled subset decides,
they cannot.

    python benchmarks/alignment_restarts.py --data build/data/twin0 --sar-input re_im

(make the twin first: ``swdkit data synthetic --out build/data/twin0 --twin 0``).
"""

from __future__ import annotations

import argparse
import os

import numpy as np


def relative_pool_sw(net, data) -> float:
    """SW_2^2 between the training pool's EO and SAR embeddings over the EO variance."""
    import torch

    from swdkit.losses import random_projections, sliced_wasserstein
    from swdkit.train import embed_all, embedding_scale

    z_eo = embed_all(net, torch.as_tensor(data.train.eo), "eo")
    z_sar = embed_all(net, torch.as_tensor(data.train.sar), "sar")
    proj = random_projections(z_eo.shape[1], 2048, generator=torch.Generator().manual_seed(0))
    sw = float(sliced_wasserstein(z_eo, z_sar, projections=proj))
    return embedding_scale(z_eo, z_sar, sw)["sw_relative"]


def run_from(data, *, seed: int, init: int, checkpoint_dir: str):
    """One SWD run with the labeled subset of ``seed``; ``init > 0`` restarts psi and the
    phase's draws from ``10000 * init + seed``. Returns (test accuracy, relative pool SW)."""
    import torch

    from swdkit.methods import get_method
    from swdkit.methods._run import start_run
    from swdkit.train import evaluate

    run = start_run(data, n_labeled=32, seed=seed, norm="batch", supcon=False, config=None,
                    device="cpu", checkpoint_dir=checkpoint_dir, snapshots=False,
                    pretrain=True)
    if init:
        torch.manual_seed(10_000 * init + seed)
        for module in run.net.sar_encoder.modules():
            if hasattr(module, "reset_parameters"):
                module.reset_parameters()
        run.common["seed"] = 10_000 * init + seed
    get_method("swd").sar_phase(run, data)
    run.net.eval()
    return evaluate(run.net, data.test, domain="sar").accuracy, relative_pool_sw(run.net, data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="data folder (e.g. the twin set)")
    parser.add_argument("--sar-input", default="re_im", choices=("db_smooth", "re_im"))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--inits", type=int, default=4)
    parser.add_argument("--checkpoints", default="build/checkpoints/restarts")
    args = parser.parse_args()
    os.environ.setdefault("SWDKIT_NO_PROGRESS", "1")
    import torch

    from swdkit.data import load_lesson_data

    torch.set_num_threads(max(1, (os.cpu_count() or 1)))
    data = load_lesson_data(args.data, classes="lowrise", sar_input=args.sar_input)
    checkpoints = os.path.join(args.checkpoints, os.path.basename(os.path.normpath(args.data))
                               + "-" + args.sar_input)
    acc = np.zeros((args.seeds, args.inits))
    print(f"SWD transfer, 32 labels, lowrise, {args.data} read as {args.sar_input}")
    print("| seed | " + " | ".join(f"start {k}: test % (rel. SW)" for k in range(args.inits))
          + " |")
    print("|---" * (args.inits + 1) + "|")
    for seed in range(args.seeds):
        cells = []
        for init in range(args.inits):
            a, sw = run_from(data, seed=seed, init=init, checkpoint_dir=checkpoints)
            acc[seed, init] = 100 * a
            cells.append(f"{100 * a:.1f} ({sw:.3f})")
        print(f"| {seed} | " + " | ".join(cells) + " |", flush=True)
    between = acc.mean(axis=1).var(ddof=1)
    within = acc.var(axis=1, ddof=1).mean()
    print(f"\nvariance of the test accuracy between labeled subsets (of the seed means): "
          f"{between:.1f} points^2; within a subset, across starts: {within:.1f} points^2")


if __name__ == "__main__":
    main()
