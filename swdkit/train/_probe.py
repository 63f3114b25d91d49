"""Probes and snapshots: fixed samples embedded after every epoch of a training phase.

A :class:`Probe` is a fixed set of EO and SAR samples; during training the same probe is
embedded after every epoch, giving the sliced Wasserstein distance between the two clouds
(``sw_probe`` in the history, measured with the same projections every epoch so the values are
comparable) and, on request, a :class:`Snapshot` of both clouds for the visual lessons.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from swdkit.train._batches import labeled_tensors, make_generator
from swdkit.train._evaluate import embed_all


@dataclass
class Probe:
    """Fixed samples embedded after every epoch: EO ``(n, 3, 32, 32)``, SAR ``(m, 2, 32, 32)``
    with their labels (int64), as tensors on the training device."""

    eo: torch.Tensor
    eo_labels: torch.Tensor
    sar: torch.Tensor
    sar_labels: torch.Tensor


@dataclass
class Snapshot:
    """Both embedding clouds of the probe after one epoch (epoch 0 = before training).

    Attributes:
        epoch: the epoch just finished.
        eo: float32 ``(n, D)`` EO embeddings phi(x); ``eo_labels`` int64 ``(n,)``.
        sar: float32 ``(m, D)`` SAR embeddings psi(x); ``sar_labels`` int64 ``(m,)``.
        sw: SW_2^2 between the two clouds (same projections every epoch).
        sar_accuracy: accuracy of h(psi(x)) on the probe SAR samples.
    """

    epoch: int
    eo: np.ndarray
    sar: np.ndarray
    eo_labels: np.ndarray
    sar_labels: np.ndarray
    sw: float
    sar_accuracy: float


def _stratified(y: torch.Tensor, size: int, generator: torch.Generator) -> torch.Tensor:
    """About ``size`` indices of ``y``, the same share of each class, in a random order."""
    if size >= len(y):
        return torch.arange(len(y))
    y = y.cpu()
    classes = torch.unique(y)
    per = max(1, size // len(classes))
    picks = []
    for c in classes.tolist():
        members = torch.nonzero(y == c).flatten()
        picks.append(members[torch.randperm(len(members), generator=generator)[:per]])
    chosen = torch.cat(picks)
    return chosen[torch.randperm(len(chosen), generator=generator)]


def make_probe(eo: Any, sar: Any, *, size: int, seed: int, device: torch.device,
               n_classes: int | None = None) -> Probe:
    """Pick a class-stratified probe of about ``size`` samples from each labeled set.

    Args:
        eo, sar: labeled sets ``(x, y)`` (or one :class:`swdkit.data.Split` for both).
        size: samples per domain (fewer if the set is smaller).
        seed: fixes the choice.
        device: where the probe lives.
        n_classes: checks the labels, if given.
    """
    gen = make_generator(seed)
    xe, ye = labeled_tensors(eo, name="probe eo", device=torch.device("cpu"), channels=None,
                             n_classes=n_classes, domain="eo")
    xs, ys = labeled_tensors(sar, name="probe sar", device=torch.device("cpu"), channels=None,
                             n_classes=n_classes, domain="sar")
    ie, is_ = _stratified(ye, size, gen), _stratified(ys, size, gen)
    return Probe(eo=xe[ie].to(device), eo_labels=ye[ie].to(device), sar=xs[is_].to(device),
                 sar_labels=ys[is_].to(device))


class ProbeMeter:
    """Embeds a :class:`Probe` and measures SW and SAR accuracy with fixed projections.

    Args:
        probe: the fixed samples.
        n_projections: L for the SW measurement.
        seed: fixes the projections (drawn once).
    """

    def __init__(self, probe: Probe, *, n_projections: int, seed: int, embed_dim: int) -> None:
        from swdkit.losses import random_projections

        self.probe = probe
        gen = make_generator(seed)
        self.projections = random_projections(embed_dim, n_projections,
                                              generator=gen).to(probe.eo.device)

    @torch.no_grad()
    def measure(self, net: Any, epoch: int, *, keep: bool) -> tuple[dict[str, float],
                                                                     Snapshot | None]:
        """``(values, Snapshot or None)`` after ``epoch``: ``sw_probe``, ``sar_accuracy`` and
        the embedding scale of both domains (:func:`embedding_scale`)."""
        from swdkit.losses import sliced_wasserstein

        p = self.probe
        z_eo = embed_all(net, p.eo, "eo")
        z_sar = embed_all(net, p.sar, "sar")
        sw = float(sliced_wasserstein(z_eo, z_sar, projections=self.projections))
        acc = float((net.classify(z_sar).argmax(1) == p.sar_labels).float().mean())
        values = {"sw_probe": sw, "sar_accuracy": acc, **embedding_scale(z_eo, z_sar, sw)}
        snap = None
        if keep:
            snap = Snapshot(epoch=epoch, eo=z_eo.cpu().numpy(), sar=z_sar.cpu().numpy(),
                            eo_labels=p.eo_labels.cpu().numpy(),
                            sar_labels=p.sar_labels.cpu().numpy(), sw=sw, sar_accuracy=acc)
        return values, snap


def embedding_scale(z_eo: torch.Tensor, z_sar: torch.Tensor, sw: float) -> dict[str, float]:
    """How large the two embedding clouds are, and SW relative to that size.

    SW_2^2 grows with the square of the embeddings' scale: shrinking both clouds by a factor
    ``s`` divides it by ``s^2`` without aligning anything. So next to SW this records, for
    ``z_eo (n, D)`` and ``z_sar (m, D)``: the mean Euclidean norm of each cloud (``eo_norm``,
    ``sar_norm``), the mean over dimensions of each cloud's standard deviation (``eo_spread``,
    ``sar_spread``), and ``sw_relative = SW_2^2 / mean_d Var(z_eo[:, d])``, SW in units of the EO
    cloud's own variance: it falls only when the clouds move onto each other, not when they
    shrink together.
    """
    eo_var = z_eo.float().var(dim=0, unbiased=False)
    return {"eo_norm": float(z_eo.float().norm(dim=1).mean()),
            "sar_norm": float(z_sar.float().norm(dim=1).mean()),
            "eo_spread": float(eo_var.sqrt().mean()),
            "sar_spread": float(z_sar.float().std(dim=0, unbiased=False).mean()),
            "sw_relative": sw / max(float(eo_var.mean()), 1e-12)}
