"""EO pretraining: phi and h on plentiful labeled EO, cross-entropy, optionally plus the
supervised contrastive loss on two augmented views (Khosla et al. 2020).

Where SupCon reads the embedding (``supcon_on``): ``"head"`` (the default, as Khosla et al.
train) on a projection head, p = g(phi(x)) / ||g(phi(x))|| with g a two-layer MLP that is
discarded afterwards; ``"phi"`` on the encoder's output itself, p = phi(x) / ||phi(x)||, as
Eq. 3 of Hussing, Li, Eaton writes the loss (the embedding the alignment later uses is then
the one SupCon shaped). The default stays ``"head"`` until a validation measurement moves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F

from swdkit._checks import check_choice, check_fields, check_value
from swdkit.device import autocast
from swdkit.train import _loop
from swdkit.train._augment import augment, two_views
from swdkit.train._batches import epoch_batches, labeled_tensors, make_generator, prepare_batch
from swdkit.train._loop import TrainConfig, TrainResult

SUPCON_TARGETS = ("head", "phi")


@dataclass
class PretrainConfig(TrainConfig):
    """EO pretraining. One epoch = one pass over the EO training set.

    Attributes:
        supcon: add ``supcon_weight * SupCon`` on two augmented views of each batch (then the
            cross-entropy is taken on both views too).
        supcon_weight: weight of the SupCon term.
        temperature: SupCon temperature tau.
        base_temperature: SupCon's tau_b (the loss is scaled by tau / tau_b); None = tau, so
            the loss is not rescaled (Eq. 3 of the paper has no tau_b).
        supcon_on: ``"head"``: SupCon on g(phi(x)); ``"phi"``: on phi(x) (module docstring).
        augment: augment the cross-entropy batch also without SupCon (to separate the effect of
            the augmentations from that of the contrastive loss).
        max_shift: largest shift, in pixels, of an augmented view.
    """

    supcon: bool = False
    supcon_weight: float = 1.0
    temperature: float = 0.1
    base_temperature: float | None = None
    supcon_on: str = "head"
    augment: bool = False
    max_shift: int = 2

    def __post_init__(self) -> None:
        super().__post_init__()
        check_fields(self, "number > 0", "temperature")
        check_fields(self, "number >= 0", "supcon_weight")
        check_fields(self, "integer >= 0", "max_shift")
        check_value("base_temperature", self.base_temperature, "number > 0", allow_none=True)
        check_choice("supcon_on", self.supcon_on, SUPCON_TARGETS)


def pretrain_eo(net: Any, eo: Any, cfg: PretrainConfig | None = None, *, val: Any = None,
                probe: Any = None) -> TrainResult:
    """Train the EO encoder phi and the head h on labeled EO.

    Loss per batch: ``CE(h(phi(x)), y)``; with ``cfg.supcon`` each batch is seen as two
    augmented views (90-degree rotations, flips, small shifts; :mod:`swdkit.train`) and the
    loss is ``CE over both views + supcon_weight * SupCon(p(view1), p(view2); y)`` with p the
    normalised g(phi(x)) (``supcon_on="head"``) or phi(x) (``"phi"``), each ``(B, D)``, stacked
    to ``(B, 2, D)`` for :func:`swdkit.losses.supcon_loss` at ``temperature`` and
    ``base_temperature`` (None: the temperature).

    Args:
        net: a :class:`swdkit.models.YNet` (trained in place).
        eo: labeled EO ``(x (N, 3, 32, 32), y (N,))``.
        cfg: settings (default :class:`PretrainConfig`).
        val: labeled EO for ``val_accuracy`` (and ``select="val"``).
        probe: paired samples for ``sw_probe`` and snapshots (optional).
    """
    from swdkit.losses import supcon_loss

    cfg = cfg or PretrainConfig()
    device = _loop.setup_phase(net, cfg, PretrainConfig)
    x, y = labeled_tensors(eo, name="eo", device=device, channels=net.config["eo_channels"],
                           n_classes=net.n_classes)
    gen = make_generator(cfg.seed)
    phi = _loop.maybe_compile(net.eo_encoder, cfg.compile)
    on_head = cfg.supcon_on == "head"
    base_tau = cfg.temperature if cfg.base_temperature is None else cfg.base_temperature

    def step(idx: torch.Tensor) -> dict[str, torch.Tensor]:
        xb, yb = x[idx.to(device)], y[idx.to(device)]
        if cfg.supcon:
            xb, yb = two_views(xb, max_shift=cfg.max_shift, generator=gen), yb.repeat(2)
        elif cfg.augment:
            xb = augment(xb, max_shift=cfg.max_shift, generator=gen)
        with autocast(device):
            z = phi(prepare_batch(xb))
            logits = net.classify(z)
        terms = {"ce": F.cross_entropy(logits.float(), yb)}
        if cfg.supcon:
            p = net.project(z.float()) if on_head else z.float()  # (2B, P) or (2B, D)
            half = len(p) // 2
            terms["supcon"] = supcon_loss(torch.stack([p[:half], p[half:]], dim=1), yb[:half],
                                          temperature=cfg.temperature,
                                          base_temperature=base_tau)
            terms["loss"] = terms["ce"] + cfg.supcon_weight * terms["supcon"]
        else:
            terms["loss"] = terms["ce"]
        return terms

    accuracy, meter = _loop.phase_measures(net, cfg, device, domain="eo", labeled=(x, y),
                                           val=val, probe=probe, fallback_probe=None)
    # Training accuracy over the whole EO set each epoch would cost a full pass; the probe
    # and the validation set measure progress instead.
    accuracy.pop("labeled_accuracy")
    if cfg.select == "labeled":
        raise ValueError("select='labeled' is for the SAR phases; pretrain_eo offers 'last' "
                         "or 'val' (EO labels are plentiful, so a validation set is realistic)")
    params = [*net.eo_encoder.parameters(), *net.head.parameters()]
    if cfg.supcon and on_head:
        params += list(net.projector.parameters())
    def batches() -> list[torch.Tensor]:
        return epoch_batches(len(x), cfg.batch_size, gen, cfg.steps_per_epoch)

    return _loop.run_epochs(net, cfg, params=params, epoch_batches=batches, step=step,
                            accuracy=accuracy, probe=meter, desc="EO pretraining")
