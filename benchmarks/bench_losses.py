"""Time swdkit's losses against POT, pytorch-metric-learning and the sorting floor.

Sliced Wasserstein, forward + backward, for N in {256, 1024, 4096}, D in {64, 128, 256},
L in {64, 256} (plus the target size N=1024, D=128, L=128 and one N != M row), three ways on
the same torch tensors and the same projections:

- floor: the two projection matmuls and the two sorts alone (backward through the sum of
  the sorted values), the least any sort-based SW can cost;
- swdkit: ``swdkit.losses.sliced_wasserstein(x, y, projections=P)`` (argument checks included);
- POT: ``ot.sliced_wasserstein_distance(x, y, projections=P, p=2) ** 2``.

SupCon, forward + backward at B=256, V=2, D=128 against pytorch-metric-learning's
``SupConLoss(temperature=t)`` on the ``(B*V, D)`` embeddings, compared like with like:
``supcon_loss(..., temperature=t, base_temperature=t)`` (PML has no t / t_b factor).

The variants of one configuration are timed round-robin, so a busy machine slows them alike;
each figure is a median. ``--clock cpu --threads 1`` times this process's CPU time instead
of the elapsed time, for a machine that other work keeps busy.

Run: ``.venv/bin/python benchmarks/bench_losses.py`` (about 1-3 minutes on 2 idle cores).
Requires POT and pytorch-metric-learning (the ``dev`` extra).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import time

import torch

from swdkit.losses import random_projections, sliced_wasserstein, supcon_loss

SW_SIZES = [(n, d, lp) for n in (256, 1024, 4096) for d in (64, 128, 256) for lp in (64, 256)]
TARGET = (1024, 128, 128)


def time_round_robin(variants: dict, *, min_reps: int, budget_s: float,
                     clock=time.perf_counter) -> dict:
    """Seconds per call of each variant, calls interleaved, after one warm-up each.

    At least ``min_reps`` rounds; more, up to ``4 * min_reps``, while ``budget_s`` lasts.
    Returns ``{name: [seconds of round 0, round 1, ...]}``.
    """
    for fn in variants.values():
        fn()
    times = {name: [] for name in variants}
    start, reps = time.perf_counter(), 0
    while reps < min_reps or (reps < 4 * min_reps and time.perf_counter() - start < budget_s):
        for name, fn in variants.items():
            t0 = clock()
            fn()
            times[name].append(clock() - t0)
        reps += 1
    return times


def median_ms(times: dict, name: str) -> float:
    return statistics.median(times[name]) * 1e3


def paired_ratio(times: dict, slow: str, fast: str) -> float:
    """Median over rounds of slow / fast within each round (robust to drifting load)."""
    return statistics.median(a / b for a, b in zip(times[slow], times[fast], strict=True))


def sw_variants(n: int, m: int, d: int, n_proj: int):
    import ot

    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, d, generator=g).requires_grad_(True)
    y = (torch.randn(m, d, generator=g) + 0.5).requires_grad_(True)
    proj = random_projections(d, n_proj, generator=g)

    def run(loss_fn):
        def call():
            x.grad = y.grad = None
            loss_fn().backward()
        return call

    def floor():
        xs = torch.sort(torch.mm(proj.T, x.T), dim=-1).values
        ys = torch.sort(torch.mm(proj.T, y.T), dim=-1).values
        return xs.sum() + ys.sum()

    return {
        "floor": run(floor),
        "swdkit": run(lambda: sliced_wasserstein(x, y, projections=proj)),
        "POT": run(lambda: ot.sliced_wasserstein_distance(x, y, projections=proj, p=2) ** 2),
    }


def supcon_variants(b: int, v: int, d: int, temperature: float):
    from pytorch_metric_learning.losses import SupConLoss

    g = torch.Generator().manual_seed(0)
    features = torch.randn(b, v, d, generator=g).requires_grad_(True)
    labels = torch.randint(0, 10, (b,), generator=g)
    pml = SupConLoss(temperature=temperature)

    def ours():
        return supcon_loss(features, labels, temperature=temperature,
                           base_temperature=temperature)

    def theirs():
        return pml(torch.cat(torch.unbind(features, dim=1)), labels.repeat(v))

    def run(loss_fn):
        def call():
            features.grad = None
            loss_fn().backward()
        return call

    difference = abs(ours().item() - theirs().item())
    return {"swdkit": run(ours), "PML": run(theirs)}, ours().item(), difference


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-reps", type=int, default=7, help="timed calls per variant, at least")
    parser.add_argument("--budget-s", type=float, default=4.0,
                        help="seconds per configuration before stopping at --min-reps")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads (default: torch's)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="wall: elapsed time; cpu: this process's CPU time, which other "
                             "processes' load hardly disturbs (use with --threads 1)")
    parser.add_argument("--quick", action="store_true", help="only the target SW size and SupCon")
    args = parser.parse_args(argv)
    clock = time.perf_counter if args.clock == "wall" else time.process_time
    if args.threads:
        torch.set_num_threads(args.threads)
    import ot
    import pytorch_metric_learning
    from tqdm.auto import tqdm

    print(f"# {datetime.date.today()}  python {' '.join(sys.argv)}")
    print(f"# torch {torch.__version__}, POT {ot.__version__}, pytorch-metric-learning "
          f"{pytorch_metric_learning.__version__}, {platform.machine()} "
          f"{os.cpu_count()} CPUs, {torch.get_num_threads()} torch threads, load average "
          f"{os.getloadavg()[0]:.1f} at start, {args.clock} clock")
    sizes = [(n, n, d, lp) for n, d, lp in ([TARGET] if args.quick else [*SW_SIZES, TARGET])]
    sizes += [] if args.quick else [(1024, 768, 128, 128)]
    rows = []
    for n, m, d, lp in tqdm(sizes, desc="sliced Wasserstein", mininterval=5):
        t = time_round_robin(sw_variants(n, m, d, lp), min_reps=args.min_reps,
                             budget_s=args.budget_s, clock=clock)
        rows.append((n, m, d, lp, t))
    print("\n| N | M | D | L | floor ms | swdkit ms | POT ms | swdkit / floor | POT / swdkit |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n, m, d, lp, t in rows:
        print(f"| {n} | {m} | {d} | {lp} | {median_ms(t, 'floor'):.2f} | "
              f"{median_ms(t, 'swdkit'):.2f} | {median_ms(t, 'POT'):.2f} | "
              f"{paired_ratio(t, 'swdkit', 'floor'):.2f} | "
              f"{paired_ratio(t, 'POT', 'swdkit'):.2f} |")
    worst, n, m, d, lp = max((paired_ratio(t, "swdkit", "floor"), n, m, d, lp)
                             for n, m, d, lp, t in rows)
    target = next(t for n, m, d, lp, t in rows if (n, d, lp) == TARGET and n == m)
    print(f"\n(times: medians; ratios: medians of the per-round ratios, {len(rows)} sizes)")
    print(f"worst swdkit / floor: {worst:.2f} at N={n}, M={m}, D={d}, L={lp} (target <= 1.15); "
          f"POT / swdkit at N=1024, D=128, L=128: {paired_ratio(target, 'POT', 'swdkit'):.2f} "
          "(target >= 3)")

    variants, value, difference = supcon_variants(256, 2, 128, 0.07)
    t = time_round_robin(variants, min_reps=4 * args.min_reps, budget_s=args.budget_s,
                         clock=clock)
    print("\n| SupCon B=256 V=2 D=128 | swdkit ms | PML ms | PML / swdkit | loss | |difference| |")
    print("|---|---|---|---|---|---|")
    print(f"| forward+backward | {median_ms(t, 'swdkit'):.2f} | {median_ms(t, 'PML'):.2f} | "
          f"{paired_ratio(t, 'PML', 'swdkit'):.2f} | {value:.6f} | {difference:.1e} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
