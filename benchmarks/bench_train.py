"""Training speed of the swdkit encoders and of one alignment epoch; prints a markdown table.

    .venv/bin/python benchmarks/bench_train.py                 # CPU (or --device cuda)
    .venv/bin/python benchmarks/bench_train.py --device cuda --pretrain-samples 352366

Rows:
- ``encoder``: one encoder plus the linear head, cross-entropy, Adam: training samples/s at
  each batch size and norm, for the lesson size (:data:`swdkit.models.LESSON_SIZE`) and the
  GPU size (:data:`swdkit.models.GPU_SIZE`). The median over ``--steps`` timed steps after
  ``--warmup`` untimed ones. On CUDA the step uses channels-last and bfloat16 autocast, as
  swdkit's training loops do.
- ``align_domains``: seconds per epoch of :func:`swdkit.train.align_domains` (lesson size, instance
  norm, default alignment settings) on random tensors shaped like the synthetic lowrise lesson
  set (``--align-samples`` training samples, 4 classes, 32 labeled): the median over epochs
  after the first.
- ``pretrain_eo``: with ``--pretrain-samples N``, the seconds of one EO pretraining epoch over
  N random samples (batch 512, GPU size), median over epochs after the first.

``--study`` instead measures the two design choices of :class:`swdkit.models.Encoder` on the
lesson data (``swdkit.data.load_lesson_data()``, lowrise): a norm layer in the last block or
not, and global average pooling or flattening, with either norm. Each variant (defined here;
the default one has exactly swdkit's architecture, which the script checks) is trained on all
training labels, once on SAR (``train_sar_only``) and once on EO (``pretrain_eo``), 10 epochs
of 25 steps of batch 128 (SAR) or 10 passes (EO), Adam 1e-3, for each ``--seeds``; it prints the
test accuracies.

Random inputs give the same speed as real ones (the cost does not depend on the values).
The numbers are measured, never extrapolated; record them with the device name it prints.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import torch
import torch.nn.functional as F

from swdkit.device import autocast, pick_device
from swdkit.models import GPU_SIZE, LESSON_SIZE, Encoder, count_parameters
from swdkit.train._batches import prepare_batch


def device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"CPU {model}, {torch.get_num_threads()} torch threads"


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def encoder_samples_per_s(size: dict, norm: str, batch: int, device: torch.device, *,
                          steps: int, warmup: int) -> tuple[float, int]:
    """Median training samples/s of one encoder + head; also the parameter count."""
    torch.manual_seed(0)
    enc = Encoder(3, norm=norm, **size).to(device)
    head = torch.nn.Linear(size["embed_dim"], 4).to(device)
    if device.type == "cuda":
        enc = enc.to(memory_format=torch.channels_last)
    opt = torch.optim.Adam([*enc.parameters(), *head.parameters()], lr=1e-3)
    x = prepare_batch(torch.randn(batch, 3, 32, 32, device=device))
    y = torch.randint(0, 4, (batch,), device=device)
    times = []
    for i in range(warmup + steps):
        sync(device)
        t = time.perf_counter()
        with autocast(device):
            loss = F.cross_entropy(head(enc(x)).float(), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sync(device)
        if i >= warmup:
            times.append(time.perf_counter() - t)
    return batch / statistics.median(times), count_parameters(enc)


def align_seconds_per_epoch(n: int, device: torch.device, epochs: int) -> float:
    from swdkit import train
    from swdkit.models import YNet

    g = torch.Generator().manual_seed(0)
    y = torch.arange(n) % 4
    xe, xs = torch.randn(n, 3, 32, 32, generator=g), torch.randn(n, 2, 32, 32, generator=g)
    torch.manual_seed(0)
    net = YNet(n_classes=4, norm="instance", **LESSON_SIZE)
    cfg = train.AlignConfig(epochs=epochs, device=str(device), progress=False)
    hist = train.align_domains(net, (xe, y), (xs[:32], y[:32]), xs, cfg).history
    per_epoch = [b["seconds"] - a["seconds"] for a, b in zip(hist, hist[1:], strict=False)]
    return statistics.median(per_epoch)


def pretrain_seconds_per_epoch(n: int, device: torch.device, epochs: int) -> float:
    from swdkit import train
    from swdkit.models import YNet

    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(n, 3, 32, 32, generator=g), torch.arange(n) % 4
    torch.manual_seed(0)
    net = YNet(n_classes=4, norm="instance", **GPU_SIZE)
    cfg = train.PretrainConfig(epochs=epochs, batch_size=512, device=str(device),
                               progress=False)
    hist = train.pretrain_eo(net, (x, y), cfg).history
    per_epoch = [b["seconds"] - a["seconds"] for a, b in zip(hist, hist[1:], strict=False)]
    return statistics.median(per_epoch)


class StudyEncoder(torch.nn.Module):
    """The lesson encoder with the two choices open: ``last_norm`` and ``pool``."""

    def __init__(self, in_channels: int, norm: str, *, last_norm: bool, pool: str) -> None:
        from swdkit.models import norm_layer

        super().__init__()
        layers, channels = [], in_channels
        for block, out in enumerate((16, 32, 64)):
            block_norm = norm if (last_norm or block < 2) else "none"
            layers += [torch.nn.Conv2d(channels, out, 3, stride=2, padding=1,
                                       bias=block_norm == "none"),
                       norm_layer(block_norm, out), torch.nn.ReLU(inplace=True)]
            channels = out
        self.features, self.pool = torch.nn.Sequential(*layers), pool
        self.embed = torch.nn.Linear(64 if pool == "mean" else 64 * 16, 64)
        self.embed_dim = 64

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = self.features(x)
        return self.embed(f.mean(dim=(2, 3)) if self.pool == "mean" else f.flatten(1))


def _mean_and_runs(values: list[float]) -> str:
    return f"{statistics.mean(values):.3f} ({', '.join(f'{v:.3f}' for v in values)})"


def study(seeds: list[int], device: torch.device) -> None:
    from swdkit import train
    from swdkit.data import load_lesson_data
    from swdkit.models import YNet

    data = load_lesson_data()
    reference = StudyEncoder(3, "instance", last_norm=False, pool="mean")
    assert count_parameters(reference) == count_parameters(Encoder(3, **LESSON_SIZE))
    print(f"lesson data: {len(data.train)} training, {len(data.test)} test samples, "
          f"{data.n_classes} classes; seeds {seeds}")
    print("\n| last block norm | pooling | norm | SAR validation (per seed) | EO validation "
          "(per seed) | SAR test | EO test |\n|---|---|---|---|---|---|---|")
    for last_norm in (True, False):
        for pool in ("mean", "flatten"):
            for norm in ("batch", "instance"):
                sar, eo, sar_val, eo_val = [], [], [], []
                for seed in seeds:
                    torch.manual_seed(seed)
                    net = YNet(n_classes=data.n_classes, norm=norm, **LESSON_SIZE)
                    net.sar_encoder = StudyEncoder(2, norm, last_norm=last_norm, pool=pool)
                    net.eo_encoder = StudyEncoder(3, norm, last_norm=last_norm, pool=pool)
                    cfg = train.FinetuneConfig(epochs=10, steps_per_epoch=25, seed=seed,
                                               device=str(device), progress=False)
                    train.train_sar_only(net, (data.train.sar, data.train.labels), cfg)
                    sar.append(train.evaluate(net, data.test, domain="sar").accuracy)
                    sar_val.append(train.evaluate(net, data.val, domain="sar").accuracy)
                    cfg = train.PretrainConfig(epochs=10, seed=seed, device=str(device),
                                               progress=False)
                    train.pretrain_eo(net, (data.train.eo, data.train.labels), cfg)
                    eo.append(train.evaluate(net, data.test, domain="eo").accuracy)
                    eo_val.append(train.evaluate(net, data.val, domain="eo").accuracy)
                print(f"| {'yes' if last_norm else 'no'} | {pool} | {norm} | "
                      f"{_mean_and_runs(sar_val)} | {_mean_and_runs(eo_val)} | "
                      f"{statistics.mean(sar):.3f} | {statistics.mean(eo):.3f} |", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[128, 512])
    parser.add_argument("--norms", nargs="+", default=["batch", "instance"])
    parser.add_argument("--steps", type=int, default=20, help="timed steps per setting")
    parser.add_argument("--warmup", type=int, default=5, help="untimed steps first")
    parser.add_argument("--sizes", nargs="+", default=["lesson", "gpu"],
                        choices=["lesson", "gpu"])
    parser.add_argument("--align-samples", type=int, default=1600,
                        help="training samples of the align_domains epoch (0 skips it)")
    parser.add_argument("--align-epochs", type=int, default=3)
    parser.add_argument("--pretrain-samples", type=int, default=0,
                        help="EO pretraining epoch over this many samples (0 skips it)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    parser.add_argument("--study", action="store_true",
                        help="measure the encoder's design choices instead (see the docstring)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = pick_device(args.device)
    load = f"; load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    print(f"device: {device} ({device_name(device)}); torch {torch.__version__}{load}")
    if args.study:
        study(args.seeds, device)
        return 0
    print("\n| what | size | params | norm | batch | result |\n|---|---|---|---|---|---|")
    sizes = {"lesson": LESSON_SIZE, "gpu": GPU_SIZE}
    for size_name in args.sizes:
        for norm in args.norms:
            for batch in args.batch_sizes:
                rate, params = encoder_samples_per_s(sizes[size_name], norm, batch, device,
                                                     steps=args.steps, warmup=args.warmup)
                print(f"| encoder training | {size_name} | {params:,} | {norm} | {batch} | "
                      f"{rate:,.0f} samples/s |", flush=True)
    if args.align_samples:
        sec = align_seconds_per_epoch(args.align_samples, device, args.align_epochs)
        print(f"| align_domains epoch ({args.align_samples} SAR, 64 unlabeled + 64 EO + 32 "
              f"labeled per step) | lesson | | instance | | {sec:.2f} s/epoch |", flush=True)
    if args.pretrain_samples:
        sec = pretrain_seconds_per_epoch(args.pretrain_samples, device, 3)
        print(f"| pretrain_eo epoch ({args.pretrain_samples} EO) | gpu | | instance | 512 | "
              f"{sec:.2f} s/epoch |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
