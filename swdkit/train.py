"""The training phases of few-shot EO-to-SAR transfer, each a short function with a config.

- :func:`pretrain_eo`: phi and h on plentiful labeled EO, cross-entropy, optionally plus the
  supervised contrastive loss on two augmented views (Khosla et al. 2020).
- :func:`align_swd`: the transfer phase of Rostami et al. (2019), Eq. 2 of Hussing, Li, Eaton:
  ``CE(EO) + CE(labeled SAR) + alpha * SW(phi(EO), psi(unlabeled SAR))
  + beta * mean_j SW(phi(EO | j), psi(labeled SAR | j))`` (the paper sums over j);
  ``discrepancy`` swaps SW for max-sliced SW, MMD or CORAL with the same loop.
- :func:`finetune` and :func:`train_sar_only`: the two baselines.
- :func:`evaluate` (from :mod:`swdkit.evaluate`): accuracy, per-class accuracy, confusion.

Inputs: labeled sets are pairs ``(x, y)`` of numpy arrays or tensors (``x`` float
``(N, C, 32, 32)``, ``y`` int ``(N,)``), unlabeled sets are ``x`` alone; each phase moves them to
the device once and draws batches by index (:mod:`swdkit.batches`). ``val`` (optional) is a
labeled set of the phase's target domain; ``probe`` (optional) a :class:`~swdkit.evaluate.Probe`
or a :class:`swdkit.data.Split` of paired samples, embedded after every epoch. Every phase
returns a :class:`~swdkit.train_loop.TrainResult`; model selection is described in
:mod:`swdkit.train_loop` (the lessons use ``select="last"``). The same seed gives the same
result on the CPU; on CUDA the phases use channels-last and bfloat16 autocast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F

from swdkit.align import DISCREPANCIES, AlignConfig, align_swd
from swdkit.augment import augment, two_views
from swdkit.batches import epoch_batches, labeled_tensors, make_generator, prepare_batch
from swdkit.evaluate import Evaluation, Probe, Snapshot, autocast, evaluate, make_probe
from swdkit.train_loop import (
    TrainConfig,
    TrainResult,
    check_fields,
    maybe_compile,
    phase_measures,
    run_epochs,
    setup_phase,
)

__all__ = ["DISCREPANCIES", "AlignConfig", "Evaluation", "FinetuneConfig", "PretrainConfig",
           "Probe", "Snapshot", "TrainConfig", "TrainResult", "align_swd", "bridge_eo_to_sar",
           "evaluate", "finetune", "make_probe", "pretrain_eo", "train_sar_only"]

BRIDGES = ("copy_except_first", "fresh_encoder")


@dataclass
class PretrainConfig(TrainConfig):
    """EO pretraining. One epoch = one pass over the EO training set.

    Attributes:
        supcon: add ``supcon_weight * SupCon`` on two augmented views of each batch (then the
            cross-entropy is taken on both views too).
        supcon_weight: weight of the SupCon term.
        temperature: SupCon temperature tau.
        augment: augment the cross-entropy batch also without SupCon (to separate the effect of
            the augmentations from that of the contrastive loss).
        max_shift: largest shift, in pixels, of an augmented view.
    """

    supcon: bool = False
    supcon_weight: float = 1.0
    temperature: float = 0.1
    augment: bool = False
    max_shift: int = 2

    def __post_init__(self) -> None:
        super().__post_init__()
        check_fields(self, "number > 0", "temperature")
        check_fields(self, "number >= 0", "supcon_weight")
        check_fields(self, "integer >= 0", "max_shift")


@dataclass
class FinetuneConfig(TrainConfig):
    """SAR-only training and fine-tuning. One epoch = one pass over the labeled SAR (with only
    a few labels, set ``steps_per_epoch`` to give the phase a comparable number of updates).

    Attributes:
        bridge: how :func:`finetune` starts the SAR encoder (see its docstring).
    """

    bridge: str = "copy_except_first"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.bridge not in BRIDGES:
            raise ValueError(f"bridge must be one of {BRIDGES}, got {self.bridge!r}")


def pretrain_eo(net: Any, eo: Any, cfg: PretrainConfig | None = None, *, val: Any = None,
                probe: Any = None) -> TrainResult:
    """Train the EO encoder phi and the head h on labeled EO.

    Loss per batch: ``CE(h(phi(x)), y)``; with ``cfg.supcon`` each batch is seen as two
    augmented views (90-degree rotations, flips, small shifts; :mod:`swdkit.augment`) and the
    loss is ``CE over both views + supcon_weight * SupCon(g(phi(view1)), g(phi(view2)); y)``.

    Args:
        net: a :class:`swdkit.models.YNet` (trained in place).
        eo: labeled EO ``(x (N, 3, 32, 32), y (N,))``.
        cfg: settings (default :class:`PretrainConfig`).
        val: labeled EO for ``val_accuracy`` (and ``select="val"``).
        probe: paired samples for ``sw_probe`` and snapshots (optional).
    """
    from swdkit.losses import supcon_loss

    cfg = cfg or PretrainConfig()
    device = setup_phase(net, cfg, PretrainConfig)
    x, y = labeled_tensors(eo, name="eo", device=device, channels=net.config["eo_channels"],
                           n_classes=net.n_classes)
    gen = make_generator(cfg.seed)
    phi = maybe_compile(net.eo_encoder, cfg.compile)

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
            p = net.project(z.float())
            half = len(p) // 2
            terms["supcon"] = supcon_loss(torch.stack([p[:half], p[half:]], dim=1), yb[:half],
                                          temperature=cfg.temperature)
            terms["loss"] = terms["ce"] + cfg.supcon_weight * terms["supcon"]
        else:
            terms["loss"] = terms["ce"]
        return terms

    accuracy, meter = phase_measures(net, cfg, device, domain="eo", labeled=(x, y),
                                     val=val, probe=probe, fallback_probe=None)
    # Training accuracy over the whole EO set each epoch would cost a full pass; the probe
    # and the validation set measure progress instead.
    accuracy.pop("labeled_accuracy")
    if cfg.select == "labeled":
        raise ValueError("select='labeled' is for the SAR phases; pretrain_eo offers 'last' "
                         "or 'val' (EO labels are plentiful, so a validation set is realistic)")
    params = [*net.eo_encoder.parameters(), *net.head.parameters()]
    if cfg.supcon:
        params += list(net.projector.parameters())
    return run_epochs(net, cfg, params=params,
                      epoch_batches=lambda: epoch_batches(len(x), cfg.batch_size, gen,
                                                          cfg.steps_per_epoch),
                      step=step, accuracy=accuracy, probe=meter, desc="EO pretraining")


def _train_sar(net: Any, sar_labeled: Any, cfg: FinetuneConfig, *, val: Any, probe: Any,
               desc: str) -> TrainResult:
    """Cross-entropy on labeled SAR over psi and h (shared by both baselines)."""
    device = setup_phase(net, cfg, FinetuneConfig)
    x, y = labeled_tensors(sar_labeled, name="sar_labeled", device=device,
                           channels=net.config["sar_channels"], n_classes=net.n_classes)
    gen = make_generator(cfg.seed)
    psi = maybe_compile(net.sar_encoder, cfg.compile)

    def step(idx: torch.Tensor) -> dict[str, torch.Tensor]:
        idx = idx.to(device)
        with autocast(device):
            logits = net.classify(psi(prepare_batch(x[idx])))
        ce = F.cross_entropy(logits.float(), y[idx])
        return {"ce_sar": ce, "loss": ce}

    accuracy, meter = phase_measures(net, cfg, device, domain="sar", labeled=(x, y),
                                     val=val, probe=probe, fallback_probe=None)
    params = [*net.sar_encoder.parameters(), *net.head.parameters()]
    return run_epochs(net, cfg, params=params,
                      epoch_batches=lambda: epoch_batches(len(x), cfg.batch_size, gen,
                                                          cfg.steps_per_epoch),
                      step=step, accuracy=accuracy, probe=meter, desc=desc)


def train_sar_only(net: Any, sar_labeled: Any, cfg: FinetuneConfig | None = None, *,
                   val: Any = None, probe: Any = None) -> TrainResult:
    """Baseline: train psi and h on the labeled SAR alone, ``CE(h(psi(x)), y)``.

    Pass a freshly built network: its SAR encoder and head are trained as they are.
    Arguments as for :func:`finetune`.
    """
    return _train_sar(net, sar_labeled, cfg or FinetuneConfig(), val=val, probe=probe,
                      desc="SAR only")


def bridge_eo_to_sar(net: Any, bridge: str = "copy_except_first") -> list[str]:
    """Start the SAR encoder from the EO-trained network; returns the copied parameter names.

    ``"copy_except_first"``: every weight and buffer of phi is copied into psi except the first
    convolution (3 input channels for EO, 2 for SAR), which keeps its fresh initialisation.
    ``"fresh_encoder"``: psi is left as initialised; only the EO-trained head h is reused.
    """
    if bridge not in BRIDGES:
        raise ValueError(f"bridge must be one of {BRIDGES}, got {bridge!r}")
    if bridge == "fresh_encoder":
        return []
    eo_state = net.eo_encoder.state_dict()
    copied = {k: v for k, v in eo_state.items() if not k.startswith("features.0.")}
    net.sar_encoder.load_state_dict(copied, strict=False)
    return sorted(copied)


def finetune(net: Any, sar_labeled: Any, cfg: FinetuneConfig | None = None, *,
             val: Any = None, probe: Any = None) -> TrainResult:
    """Baseline: the EO-trained network fine-tuned on the labeled SAR.

    Bridging 3 EO channels to 2 SAR channels: by default (``bridge="copy_except_first"``) the
    SAR encoder psi starts as a copy of the EO encoder phi except its first convolution, which
    keeps a fresh initialisation, and the EO-trained head h is reused; then psi and h are
    trained with ``CE(h(psi(x)), y)``. Why: the first layer's filters respond to colour
    (combinations of red, green, blue reflectance), which has no counterpart in the real and
    imaginary parts of a radar return, while the deeper layers and the head encode spatial
    structure and the class geometry of the embedding, which is what fine-tuning hopes to carry
    over. ``bridge="fresh_encoder"`` reuses only the head (a measured alternative).

    Args:
        net: a :class:`swdkit.models.YNet` with phi and h trained on EO.
        sar_labeled: the labeled SAR ``(x (N, 2, 32, 32), y (N,))``.
        cfg: settings (default :class:`FinetuneConfig`).
        val: labeled SAR for ``val_accuracy``.
        probe: paired samples for ``sw_probe`` and snapshots.
    """
    cfg = cfg or FinetuneConfig()
    bridge_eo_to_sar(net, cfg.bridge)
    return _train_sar(net, sar_labeled, cfg, val=val, probe=probe, desc="fine-tuning")
