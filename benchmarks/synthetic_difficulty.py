"""Benchmark: how hard is the synthetic So2Sat set? EO versus SAR with one fixed classifier.

The synthetic set is meant to behave like So2Sat where it matters for the lessons: a classifier
trained on all the labelled optical (EO) training data must clearly beat the same classifier
trained on all the labelled radar (SAR) data, neither should be near 100 %, and classes the
LCZ definitions make alike (compact against open low-rise, say) should be confused. This
script measures exactly that and prints it.

Setup. The default synthetic set (:func:`swdkit.data.synthetic.generate_split`, ``--seed``) is
rendered in memory: training from the training cities, evaluation on the *testing* split
(other cities). Inputs are the paper's: EO = Sentinel-2 B4, B3, B2 (RGB), SAR = Sentinel-1
unfiltered VV real and imaginary; each channel is standardised with mean and standard deviation
fitted on the training split. The classifier is a FIXED REFERENCE CNN defined here (four 3x3
convolutions 32-32-64-64 with batch norm and ReLU, the first and third of stride 2, global
average pooling, one linear layer; Adam, learning rate 1e-3, batch 128, ``--epochs`` epochs,
no augmentation).
It is deliberately independent of ``swdkit.models`` so the measured difficulty does not move
when the lesson networks change; it is not tuned for either modality. ``--norm instance``
swaps batch norm for instance norm (per-image statistics), for comparison only.

For each class configuration (``lowrise``: LCZ 3, 6, 7, 8; ``urban``: LCZ 1-10; ``all``: 17
classes) it prints the test accuracy of EO and SAR, chance level, and the most confused class
pairs, where the confusion of a pair ``(a, b)`` is ``(C[a, b] + C[b, a]) / (n_a + n_b)``: the
share of the two classes' test samples predicted as the other one. Times are wall-clock and
CPU (all threads); on a shared machine the wall time depends on the load, which is printed.

    .venv/bin/python benchmarks/synthetic_difficulty.py [--n-train 400] [--n-test 100]
        [--epochs 6] [--seed 0] [--sets lowrise urban all] [--norm batch] [--json OUT.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from swdkit.data.synthetic import (  # noqa: E402
    CLASS_TABLE,
    DEFAULT_N_TEST,
    DEFAULT_N_TRAIN,
    generate_split,
)

# The paper's class configurations, as in ../shared/SO2SAT.md (So2Sat label indices).
CLASS_SETS = {"lowrise": [2, 5, 6, 7], "urban": list(range(10)), "all": list(range(17))}
SHORT = [c["name"].split(" ", 1)[0] for c in CLASS_TABLE]  # "LCZ1" ... "LCZG"


def reference_cnn(in_channels: int, n_classes: int, norm: str = "batch") -> nn.Module:
    """The fixed reference classifier (about 67k parameters); ``norm``: batch or instance."""
    def block(c_in: int, c_out: int, stride: int) -> list[nn.Module]:
        layer = (nn.BatchNorm2d(c_out) if norm == "batch"
                 else nn.InstanceNorm2d(c_out, affine=True))
        return [nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False), layer,
                nn.ReLU(inplace=True)]

    return nn.Sequential(*block(in_channels, 32, 2), *block(32, 32, 1), *block(32, 64, 2),
                         *block(64, 64, 1), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(64, n_classes))


def standardise(train: np.ndarray, test: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-channel standardisation of ``(N, C, H, W)`` arrays with training statistics."""
    mean = train.mean(axis=(0, 2, 3), keepdims=True, dtype=np.float64)
    std = train.std(axis=(0, 2, 3), keepdims=True, dtype=np.float64)
    return (torch.from_numpy(((train - mean) / std).astype(np.float32)),
            torch.from_numpy(((test - mean) / std).astype(np.float32)))


def train_and_test(x_train: torch.Tensor, y_train: torch.Tensor, x_test: torch.Tensor,
                   n_classes: int, *, epochs: int, seed: int, norm: str) -> np.ndarray:
    """Train the reference CNN and return test predictions (int64 ``(N_test,)``)."""
    torch.manual_seed(seed)
    model = reference_cnn(x_train.shape[1], n_classes, norm)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(seed)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        model.train()
        order = torch.randperm(x_train.shape[0], generator=gen)
        for start in range(0, order.numel(), 128):
            idx = order[start:start + 128]
            opt.zero_grad(set_to_none=True)
            loss_fn(model(x_train[idx]), y_train[idx]).backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        return torch.cat([model(x_test[i:i + 512]).argmax(1)
                          for i in range(0, x_test.shape[0], 512)]).numpy()


def confusion(y_true: np.ndarray, y_pred: np.ndarray, k: int) -> np.ndarray:
    c = np.zeros((k, k), dtype=np.int64)
    np.add.at(c, (y_true, y_pred), 1)
    return c


def confused_pairs(c: np.ndarray, names: list[str], top: int = 3) -> list[tuple[str, float]]:
    """The ``top`` class pairs with the largest symmetric confusion share."""
    n = c.sum(axis=1)
    pairs = []
    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            share = (c[a, b] + c[b, a]) / max(n[a] + n[b], 1)
            pairs.append((f"{names[a]}<->{names[b]}", float(share)))
    return sorted(pairs, key=lambda p: -p[1])[:top]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n-train", type=int, default=DEFAULT_N_TRAIN, help="per class")
    ap.add_argument("--n-test", type=int, default=DEFAULT_N_TEST, help="per class")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sets", nargs="+", default=list(CLASS_SETS), choices=list(CLASS_SETS))
    ap.add_argument("--norm", default="batch", choices=["batch", "instance"],
                    help="normalisation layers of the reference CNN (default batch)")
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = ap.parse_args(argv)
    torch.set_num_threads(max(1, len(os.sched_getaffinity(0))))

    t0, cpu0 = time.perf_counter(), time.process_time()
    train = generate_split("training", args.n_train, seed=args.seed)
    test = generate_split("testing", args.n_test, seed=args.seed)
    print(f"reference CNN with {args.norm} norm, {args.epochs} epochs")
    print(f"rendered {train['label'].shape[0]} training and {test['label'].shape[0]} testing "
          f"samples in {time.perf_counter() - t0:.1f} s (seed {args.seed})")
    inputs = {
        "EO (RGB)": (train["sen2"][..., [2, 1, 0]], test["sen2"][..., [2, 1, 0]]),
        "SAR (VV re, im)": (train["sen1"][..., 2:4], test["sen1"][..., 2:4]),
    }
    y_all_train, y_all_test = train["label"].argmax(1), test["label"].argmax(1)

    results = []
    for set_name in args.sets:
        classes = CLASS_SETS[set_name]
        lut = np.full(17, -1)
        lut[classes] = np.arange(len(classes))
        keep_tr, keep_te = lut[y_all_train] >= 0, lut[y_all_test] >= 0
        y_tr, y_te = lut[y_all_train[keep_tr]], lut[y_all_test[keep_te]]
        names = [SHORT[c] for c in classes]
        row = {"classes": set_name, "k": len(classes), "chance": 1 / len(classes)}
        for label, (a_tr, a_te) in inputs.items():
            t, cpu = time.perf_counter(), time.process_time()
            x_tr, x_te = standardise(a_tr[keep_tr].transpose(0, 3, 1, 2),
                                     a_te[keep_te].transpose(0, 3, 1, 2))
            pred = train_and_test(x_tr, torch.from_numpy(y_tr), x_te, len(classes),
                                  epochs=args.epochs, seed=args.seed, norm=args.norm)
            c = confusion(y_te, pred, len(classes))
            row[label] = {"accuracy": float(np.trace(c) / c.sum()),
                          "pairs": confused_pairs(c, names), "confusion": c.tolist(),
                          "seconds": time.perf_counter() - t,
                          "cpu_seconds": time.process_time() - cpu}
        results.append(row)
        _print_row(row, names)

    print("\nclass set | K  | chance | EO acc | SAR acc")
    for row in results:
        print(f"{row['classes']:9s} | {row['k']:2d} | {row['chance']:6.1%} | "
              f"{row['EO (RGB)']['accuracy']:6.1%} | {row['SAR (VV re, im)']['accuracy']:6.1%}")
    print(f"total {time.perf_counter() - t0:.0f} s wall, {time.process_time() - cpu0:.0f} s CPU "
          f"(all threads), load average at the end {os.getloadavg()[0]:.1f}")
    if args.json:
        args.json.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()},
                                         "results": results}, indent=2))
    return 0


def _print_row(row: dict, names: list[str]) -> None:
    print(f"\n== {row['classes']} ({row['k']} classes, chance {row['chance']:.1%})")
    for label in ("EO (RGB)", "SAR (VV re, im)"):
        r = row[label]
        pairs = ", ".join(f"{p} {s:.0%}" for p, s in r["pairs"])
        print(f"{label:16s} accuracy {r['accuracy']:.1%} ({r['seconds']:.0f} s, "
              f"{r['cpu_seconds']:.0f} s CPU); most confused: {pairs}")
        if row["k"] <= 4:
            print("  confusion (rows true, columns predicted): " + " ".join(names))
            for name, line in zip(names, r["confusion"], strict=True):
                print(f"  {name:6s} " + " ".join(f"{v:4d}" for v in line))


if __name__ == "__main__":
    raise SystemExit(main())
