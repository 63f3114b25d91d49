"""The two baselines on labeled SAR (SAR-only training, fine-tuning of the EO-trained network), and
the settings every SAR phase shares (:class:`SarPhaseConfig`).

Both baselines train the SAR encoder psi and the head h with ``CE(h(psi(x)), y)``; they differ in
where psi and h start (see :func:`init_sar_encoder`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F

from swdkit._checks import check_choice, check_fields
from swdkit.device import autocast
from swdkit.train import _loop
from swdkit.train._augment import sar_view
from swdkit.train._batches import (
    SAR_BATCHES,
    LabeledBatches,
    labeled_tensors,
    make_generator,
    prepare_batch,
)
from swdkit.train._loop import TrainConfig, TrainResult

SAR_INITS = ("eo", "random")
CE_REDUCTIONS = ("mean", "sum")


@dataclass
class SarPhaseConfig(TrainConfig):
    """Settings of every SAR phase (SAR-only, fine-tuning, alignment, semi-supervised).

    Attributes:
        ce_reduction: the labeled cross-entropy of a batch of B samples with logits ``(B, K)``:
            ``"mean"``, (1/B) sum_i -log softmax(h(z_i))_{y_i} (the default), or ``"sum"``, the
            sum over i as Eq. 2 of Hussing, Li, Eaton prints it: B times the mean, so against
            the alignment terms the cross-entropy weighs B times more (the alignment phase
            reduces its EO term the same way).
        sar_batches: the labeled SAR batches, ``"uniform"`` (default) or ``"balanced"`` (every
            class equally; :class:`swdkit.train.LabeledBatches`).
        augment: train on an augmented view of each labeled SAR batch (:func:`sar_view`: a
            symmetry of the square, a shift of up to ``max_shift`` pixels and, with ``phase``, a
            rotation of the complex phase; the views the semi-supervised term sees). On by
            default, chosen on the validation cities (experiments/augment.yml: lowrise, batch
            norm, VV intensity in dB, ten seeds, validation accuracy without -> with): SAR-only
            48.9 -> 55.4 % at 32 labels, 54.9 -> 63.7 at 128, 64.2 -> 67.8 at 1,024, 64.5 ->
            66.9 with all; fine-tuning and SWD ahead in every cell too (SWD 49.0 -> 55.3 at
            32 labels, 57.8 -> 58.3 with all). Chosen on the synthetic set, whose scenes
            have no preferred direction; a real radar looks from one side, so on the real
            So2Sat choose again on its validation cities. The paper trains without it
            (:data:`swdkit.methods.PAPER_PROTOCOL`).
        max_shift: largest shift, in pixels, of a SAR view.
        phase: rotate the complex phase in the SAR views (meaningful for the ``"re_im"`` input).
    """

    ce_reduction: str = "mean"
    sar_batches: str = "uniform"
    augment: bool = True
    max_shift: int = 2
    phase: bool = True

    def __post_init__(self) -> None:
        super().__post_init__()
        check_choice("ce_reduction", self.ce_reduction, CE_REDUCTIONS)
        check_choice("sar_batches", self.sar_batches, SAR_BATCHES)
        check_fields(self, "integer >= 0", "max_shift")
        for name in ("augment", "phase"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be True or False, got {getattr(self, name)!r}")

    def cross_entropy(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """CE of logits ``(B, K)`` against labels ``(B,)``, reduced by ``ce_reduction``."""
        return F.cross_entropy(logits.float(), labels, reduction=self.ce_reduction)

    def sar_views(self) -> Callable[[torch.Tensor], torch.Tensor]:
        """``x (B, 2, H, W) -> view`` when ``augment`` (own generator, seed + 3, so the phase's
        other draws stay as they are), else the identity."""
        if not self.augment:
            return lambda x: x
        gen = make_generator(self.seed + 3)
        return lambda x: sar_view(x, max_shift=self.max_shift, phase=self.phase, generator=gen)


@dataclass
class FinetuneConfig(SarPhaseConfig):
    """Fine-tuning (and SAR-only training). One epoch = one pass over the labeled SAR (with only
    a few labels, set ``steps_per_epoch`` to give the phase a comparable number of updates).

    Attributes:
        sar_init: how :func:`finetune` starts the SAR encoder (see its docstring).
    """

    sar_init: str = "eo"

    def __post_init__(self) -> None:
        super().__post_init__()
        check_choice("sar_init", self.sar_init, SAR_INITS)


@dataclass
class SarOnlyConfig(FinetuneConfig):
    """SAR-only training: :class:`FinetuneConfig` with ``sar_init="random"`` by default.

    Attributes:
        sar_init: ``"random"``: psi is trained as the network holds it (built fresh: SAR alone);
            ``"eo"``: psi first takes phi's weights (:func:`init_sar_encoder`), so with an
            EO-pretrained phi and a fresh head it is fine-tuning without the EO head.
    """

    sar_init: str = "random"


def _train_sar(net: Any, sar_labeled: Any, cfg: FinetuneConfig, *, val: Any, probe: Any,
               desc: str) -> TrainResult:
    """Cross-entropy on labeled SAR over psi and h (shared by both baselines)."""
    device = _loop.setup_phase(net, cfg, FinetuneConfig)
    x, y = labeled_tensors(sar_labeled, name="sar_labeled", device=device,
                           channels=net.config["sar_channels"], n_classes=net.n_classes)
    gen = make_generator(cfg.seed)
    psi = _loop.maybe_compile(net.sar_encoder, cfg.compile)
    sampler = LabeledBatches(y, cfg.batch_size, cfg.sar_batches)
    views = cfg.sar_views()

    def step(idx: torch.Tensor) -> dict[str, torch.Tensor]:
        idx = idx.to(device)
        with autocast(device):
            logits = net.classify(psi(prepare_batch(views(x[idx]))))
        ce = cfg.cross_entropy(logits, y[idx])
        return {"ce_sar": ce, "loss": ce}

    accuracy, meter = _loop.phase_measures(net, cfg, device, domain="sar", labeled=(x, y),
                                           val=val, probe=probe, fallback_probe=None)
    params = [*net.sar_encoder.parameters(), *net.head.parameters()]
    def batches() -> list[torch.Tensor]:
        return sampler.epoch(gen, cfg.steps_per_epoch)

    return _loop.run_epochs(net, cfg, params=params, epoch_batches=batches, step=step,
                            accuracy=accuracy, probe=meter, desc=desc)


def train_sar_only(net: Any, sar_labeled: Any, cfg: FinetuneConfig | None = None, *,
                   val: Any = None, probe: Any = None) -> TrainResult:
    """Baseline: train psi and h on the labeled SAR alone, ``CE(h(psi(x)), y)``.

    Pass a freshly built network: its SAR encoder and head are trained as they are. With a
    :class:`SarOnlyConfig` of ``sar_init="eo"``, psi first takes phi's weights (pass a network
    whose phi is EO-pretrained and whose head is fresh); the ``sar_init`` of a plain
    :class:`FinetuneConfig` is fine-tuning's and is not read here. Arguments as for
    :func:`finetune` (default ``cfg``: :class:`SarOnlyConfig`).
    """
    cfg = cfg or SarOnlyConfig()
    if isinstance(cfg, SarOnlyConfig):
        init_sar_encoder(net, cfg.sar_init)
    return _train_sar(net, sar_labeled, cfg, val=val, probe=probe, desc="SAR only")


def init_sar_encoder(net: Any, sar_init: str = "eo") -> list[str]:
    """Start the SAR encoder from the EO-trained network; returns the copied parameter names.

    ``"eo"``: every weight and buffer of phi is copied into psi except the first
    convolution (3 input channels for EO, 2 for SAR), which keeps its fresh initialisation.
    ``"random"``: psi is left as initialised; only the EO-trained head h is reused.
    """
    check_choice("sar_init", sar_init, SAR_INITS)
    if sar_init == "random":
        return []
    eo_state = net.eo_encoder.state_dict()
    copied = {k: v for k, v in eo_state.items() if not k.startswith("features.0.")}
    net.sar_encoder.load_state_dict(copied, strict=False)
    return sorted(copied)


def finetune(net: Any, sar_labeled: Any, cfg: FinetuneConfig | None = None, *,
             val: Any = None, probe: Any = None) -> TrainResult:
    """Baseline: the EO-trained network fine-tuned on the labeled SAR.

    Bridging 3 EO channels to 2 SAR channels: by default (``sar_init="eo"``) the
    SAR encoder psi starts as a copy of the EO encoder phi except its first convolution, which
    keeps a fresh initialisation, and the EO-trained head h is reused; then psi and h are
    trained with ``CE(h(psi(x)), y)``. Why: the first layer's filters respond to colour
    (combinations of red, green, blue reflectance), which has no counterpart in the real and
    imaginary parts of a radar return, while the deeper layers and the head encode spatial
    structure and the class geometry of the embedding, which is what fine-tuning hopes to carry
    over. ``sar_init="random"`` reuses only the head (a measured alternative).

    Args:
        net: a :class:`swdkit.models.YNet` with phi and h trained on EO.
        sar_labeled: the labeled SAR ``(x (N, 2, 32, 32), y (N,))``.
        cfg: settings (default :class:`FinetuneConfig`).
        val: labeled SAR for ``val_accuracy``.
        probe: paired samples for ``sw_probe`` and snapshots.
    """
    cfg = cfg or FinetuneConfig()
    init_sar_encoder(net, cfg.sar_init)
    return _train_sar(net, sar_labeled, cfg, val=val, probe=probe, desc="fine-tuning")
