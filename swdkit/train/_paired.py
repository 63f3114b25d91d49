"""A control for the alignment: the same phase with the EO-SAR pairing known.

Sliced Wasserstein alignment (:func:`swdkit.train.align_domains`) pulls the cloud of SAR
embeddings onto the cloud of EO embeddings without knowing which SAR patch shows the scene of
which EO patch; it has to guess the correspondence from the shapes of the two clouds and the few
labels. So2Sat's patches are co-registered pairs, so the correspondence is in fact known. This
phase keeps every part of the alignment objective and replaces only the marginal term's unknown
coupling by the known one:

    CE(h(phi(x_e)), y_e) + CE(h(psi(x_l)), y_l)
    + alpha * C(psi(s_p), sg[phi(e_p)]) + beta * mean_j SW(phi(x_e | j), psi(x_l | j)),

where (e_p, s_p) are ``unlabeled_batch`` pairs drawn from the training pool, sg[.] stops the
gradient (the EO embedding of a pair is a target) and C is :func:`swdkit.losses.paired_cost`,
mean_p ||psi(s_p) - phi(e_p)||^2 / D, the per-direction average cost of the pairing, which bounds
SW_2^2 from above and is zero only when every SAR embedding sits on its own scene's EO embedding.
It is cross-modal distillation (Gupta, Hoffman, Malik, "Cross modal distillation for
supervision transfer", CVPR 2016) inside the paper's objective.

What it is for: the gap between this phase and SWD transfer at the same labels is what knowing
the correspondence is worth, i.e. how much of SWD's shortfall comes from matching clouds rather
than scenes. It is a control, not the paper's method: it needs EO and SAR of the same scenes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import torch

from swdkit.device import autocast
from swdkit.losses import paired_cost
from swdkit.train._align import AlignConfig, align_embeddings
from swdkit.train._batches import image_tensor, make_generator, prepare_batch
from swdkit.train._loop import TrainResult


def align_paired(net: Any, eo: Any, sar_labeled: Any, sar_unlabeled: Any,
                 cfg: AlignConfig | None = None, *, val: Any = None,
                 probe: Any = None) -> TrainResult:
    """:func:`swdkit.train.align_domains` with the marginal SW replaced by the pairing's cost.

    Batches, projections and every other term are those of ``align_domains`` (the marginal SW
    of the step's batch is still computed, without gradient, and recorded as ``marginal``, so
    the two phases' SW can be compared); the pairs have a generator of their own (``seed + 4``)
    and their term is recorded as ``paired``. ``cfg.alpha`` weighs the paired term;
    ``warmup_epochs`` and ``scale`` act on the conditional term only.

    Args:
        net: a :class:`swdkit.models.YNet`, usually with phi and h pretrained on EO.
        eo: labeled EO ``(x (N, 3, 32, 32), y (N,))``; ``x[i]`` shows the scene of
            ``sar_unlabeled[i]``.
        sar_labeled: the few labeled SAR ``(x, y)``.
        sar_unlabeled: SAR images ``(N, 2, 32, 32)``, row i paired with EO row i.
        cfg: an :class:`AlignConfig` (default: its defaults).
        val, probe: as for ``align_domains``.

    Raises:
        ValueError: the EO and SAR pools differ in length (they cannot be pairs), or what
            ``align_domains`` rejects.
    """
    cfg = cfg or AlignConfig()
    if not isinstance(cfg, AlignConfig):
        raise TypeError(f"cfg must be an AlignConfig, got {type(cfg).__name__}")
    n_eo, n_sar = len(eo[0]), len(sar_unlabeled)
    if n_eo != n_sar:
        raise ValueError(f"the paired phase needs EO and SAR of the same scenes, row by row; got "
                         f"{n_eo} EO and {n_sar} SAR images. Pass the training split's eo and "
                         f"sar (data.train.eo, data.train.sar) in their stored order.")
    pair_gen = make_generator(cfg.seed + 4)
    teacher: dict[str, torch.Tensor] = {}

    def paired(psi: Any, x_lab: torch.Tensor, y_lab: torch.Tensor,
               x_pool: torch.Tensor) -> tuple[str, float, torch.Tensor]:
        if "eo" not in teacher:  # moved once, onto the device the phase trains on
            teacher["eo"] = image_tensor(eo[0], name="eo", device=x_pool.device,
                                         channels=net.config["eo_channels"])
        n = min(cfg.unlabeled_batch, len(x_pool))
        ip = torch.randperm(len(x_pool), generator=pair_gen)[:n].to(x_pool.device)
        with autocast(x_pool.device):
            with torch.no_grad():
                target = net.eo_encoder(prepare_batch(teacher["eo"][ip]))
            z_sar = psi(prepare_batch(x_pool[ip]))
        return "paired", cfg.alpha, paired_cost(z_sar.float(), target.float())

    return align_embeddings(net, eo, sar_labeled, sar_unlabeled, replace(cfg, alpha=0.0),
                            val=val, probe=probe, extra_term=paired,
                            desc="alignment (known pairs)")
