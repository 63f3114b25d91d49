"""Training data as device tensors, and batches drawn from them by index.

The lesson data fit in memory, so every training function moves its arrays to the device once and
draws batches by indexing: no DataLoader, no worker processes, no copy per step. Indices are drawn
on the CPU from an explicit ``torch.Generator``, so a seed fixes every batch on every device.

Accepted inputs (the same for every training function):

- a *labeled* set is a pair ``(x, y)``: ``x`` float ``(N, C, 32, 32)``, ``y`` integer ``(N,)``,
  each a numpy array or a torch tensor; :func:`swdkit.train.evaluate` also takes a
  :class:`swdkit.data.Split` together with ``domain="eo"`` or ``"sar"``;
- an *unlabeled* set is ``x`` alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from swdkit._checks import check_choice

_PATCH = 32


def _to_tensor(value: Any, name: str, device: torch.device) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value.detach().to(device)
    if isinstance(value, np.ndarray):
        return torch.from_numpy(np.ascontiguousarray(value)).to(device)
    raise TypeError(f"{name} must be a numpy array or a torch tensor, got "
                    f"{type(value).__name__}; convert it with np.asarray(...) first")


def image_tensor(x: Any, *, name: str, device: torch.device,
                 channels: int | None = None) -> torch.Tensor:
    """``x`` as a float32 tensor ``(N, C, 32, 32)`` on ``device``, checked."""
    t = _to_tensor(x, name, device)
    if t.ndim != 4 or t.shape[-2:] != (_PATCH, _PATCH) or len(t) == 0:
        raise ValueError(f"{name} must have shape (N, C, {_PATCH}, {_PATCH}) with N >= 1, got "
                         f"{tuple(t.shape)}")
    if channels is not None and t.shape[1] != channels:
        raise ValueError(f"{name} must have {channels} channels (shape (N, {channels}, "
                         f"{_PATCH}, {_PATCH})), got {tuple(t.shape)}")
    if not t.is_floating_point():
        raise ValueError(f"{name} must hold floating-point values, got dtype {t.dtype}; "
                         "convert with .astype(np.float32) (or .float() for a tensor)")
    return t.float()


def label_tensor(y: Any, *, name: str, device: torch.device, n: int,
                 n_classes: int | None = None) -> torch.Tensor:
    """``y`` as an int64 tensor ``(n,)`` on ``device``, checked against ``n_classes``."""
    t = _to_tensor(y, name, device)
    if t.ndim != 1 or len(t) != n:
        raise ValueError(f"{name} must be a 1-D array of {n} labels (one per image), got shape "
                         f"{tuple(t.shape)}")
    if t.is_floating_point() or t.dtype == torch.bool:
        raise ValueError(f"{name} must hold integer class labels, got dtype {t.dtype}; "
                         "convert with .astype(np.int64) (or .long() for a tensor)")
    t = t.long()
    if n_classes is not None and (int(t.min()) < 0 or int(t.max()) >= n_classes):
        raise ValueError(f"{name} must lie in 0..{n_classes - 1} (the network has {n_classes} "
                         f"classes), got values from {int(t.min())} to {int(t.max())}")
    return t


def labeled_tensors(data: Any, *, name: str, device: torch.device, channels: int | None = None,
                    n_classes: int | None = None,
                    domain: str | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """A labeled set (see the module docstring) as ``(x (N, C, 32, 32), y (N,))`` tensors.

    Args:
        data: ``(x, y)``, or with ``domain`` given an object with ``eo``/``sar`` and ``labels``
            (a :class:`swdkit.data.Split`).
        name: the argument's name, for error messages.
        device: where the tensors go.
        channels: the expected C, if known.
        n_classes: labels must lie in ``0..n_classes - 1``, if given.
        domain: ``"eo"`` or ``"sar"``: which images of a Split to take.
    """
    if domain is not None and hasattr(data, "labels") and hasattr(data, domain):
        x, y = getattr(data, domain), data.labels
    elif isinstance(data, (tuple, list)) and len(data) == 2:
        x, y = data
    else:
        raise TypeError(f"{name} must be a pair (x, y) of images (N, C, 32, 32) and labels "
                        f"(N,)" + (" or a swdkit.data.Split" if domain else "")
                        + f"; got {type(data).__name__}")
    xt = image_tensor(x, name=f"{name}[0] (images)", device=device, channels=channels)
    yt = label_tensor(y, name=f"{name}[1] (labels)", device=device, n=len(xt),
                      n_classes=n_classes)
    return xt, yt


def prepare_batch(x: torch.Tensor) -> torch.Tensor:
    """Channels-last memory layout on CUDA (faster convolutions there); unchanged elsewhere."""
    if x.device.type == "cuda":
        return x.contiguous(memory_format=torch.channels_last)
    return x


def make_generator(seed: int) -> torch.Generator:
    """A CPU generator seeded with ``seed``: the only source of batch randomness."""
    return torch.Generator().manual_seed(int(seed))


def epoch_batches(n: int, batch_size: int, generator: torch.Generator,
                  steps: int | None = None) -> list[torch.Tensor]:
    """Index batches for one epoch: a random permutation of ``0..n-1`` cut into batches.

    With ``steps`` given, exactly that many batches are returned, continuing with fresh
    permutations when one runs out (so a tiny labeled set still gives ``steps`` updates).
    The last batch of a permutation may be smaller than ``batch_size``; a batch never repeats a
    sample.
    """
    size = min(batch_size, n)
    wanted = steps if steps is not None else -(-n // size)
    out: list[torch.Tensor] = []
    while len(out) < wanted:
        perm = torch.randperm(n, generator=generator)
        out += list(perm.split(size))
    return out[:wanted]


class ClassSampler:
    """Class-balanced index batches: ``per_class`` indices of every class, each step.

    Used for the EO batch of the alignment phase, so that every class appears in the
    class-conditional term. A class with fewer samples than ``per_class`` is sampled with
    replacement; otherwise without replacement within a step.

    Args:
        labels: int64 ``(N,)`` (any device).
        classes: the classes to sample (default: those present in ``labels``).
    """

    def __init__(self, labels: torch.Tensor, classes: Sequence[int] | None = None) -> None:
        cpu = labels.detach().cpu()
        present = torch.unique(cpu).tolist()
        self.classes = list(present if classes is None else classes)
        self.members = {c: torch.nonzero(cpu == c).flatten() for c in self.classes}
        empty = [c for c, m in self.members.items() if len(m) == 0]
        if empty:
            raise ValueError(f"classes {empty} have no sample to draw from; pass classes=None "
                             "(the classes present in labels) or add samples of those classes")
        self.device = labels.device

    def draw(self, per_class: int, generator: torch.Generator) -> torch.Tensor:
        """``per_class * n_classes`` indices, class by class; on the labels' device."""
        chosen = []
        for c in self.classes:
            members = self.members[c]
            if len(members) >= per_class:
                pick = torch.randperm(len(members), generator=generator)[:per_class]
            else:
                pick = torch.randint(len(members), (per_class,), generator=generator)
            chosen.append(members[pick])
        return torch.cat(chosen).to(self.device)


SAR_BATCHES = ("uniform", "balanced")


class LabeledBatches:
    """Index batches of a labeled set, drawn ``"uniform"`` or class-``"balanced"``.

    With N labeled samples of K classes and B = min(batch_size, N):

    - ``"uniform"``: B indices without replacement, every sample equally likely, so a class
      appears in proportion to its count (an epoch is :func:`epoch_batches`, one pass);
    - ``"balanced"``: m = max(1, B // K) indices of every class (:class:`ClassSampler`: without
      replacement, or with it for a class of fewer than m samples), so every batch holds m K
      samples and every class equally, as the EO batches of the alignment phase do.

    Args:
        labels: int64 ``(N,)``.
        batch_size: B before the cap at N.
        how: ``"uniform"`` or ``"balanced"``.

    Attributes:
        size: samples per batch (B, or m K).
    """

    def __init__(self, labels: torch.Tensor, batch_size: int, how: str = "uniform") -> None:
        self.how = check_choice("sar_batches", how, SAR_BATCHES)
        self.n = len(labels)
        self.size = min(batch_size, self.n)
        if how == "balanced":
            self.sampler = ClassSampler(labels)
            self.per_class = max(1, self.size // len(self.sampler.classes))
            self.size = self.per_class * len(self.sampler.classes)

    def draw(self, generator: torch.Generator) -> torch.Tensor:
        """One batch of ``size`` indices (on the CPU for ``"uniform"``)."""
        if self.how == "uniform":
            return torch.randperm(self.n, generator=generator)[:self.size]
        return self.sampler.draw(self.per_class, generator)

    def epoch(self, generator: torch.Generator, steps: int | None = None) -> list[torch.Tensor]:
        """The batches of one epoch: ``steps`` of them, or one pass (ceil(N / size))."""
        if self.how == "uniform":
            return epoch_batches(self.n, self.size, generator, steps)
        return [self.draw(generator) for _ in range(steps or -(-self.n // self.size))]
