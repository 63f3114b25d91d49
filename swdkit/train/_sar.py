"""The two baselines on labeled SAR: SAR-only training and fine-tuning of the EO-trained network.

Both train the SAR encoder psi and the head h with ``CE(h(psi(x)), y)``; they differ in where psi
and h start (see :func:`init_sar_encoder`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F

from swdkit.device import autocast
from swdkit.train import _loop
from swdkit.train._batches import epoch_batches, labeled_tensors, make_generator, prepare_batch
from swdkit.train._loop import TrainConfig, TrainResult

SAR_INITS = ("eo", "random")


@dataclass
class FinetuneConfig(TrainConfig):
    """SAR-only training and fine-tuning. One epoch = one pass over the labeled SAR (with only
    a few labels, set ``steps_per_epoch`` to give the phase a comparable number of updates).

    Attributes:
        sar_init: how :func:`finetune` starts the SAR encoder (see its docstring).
    """

    sar_init: str = "eo"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.sar_init not in SAR_INITS:
            raise ValueError(f"sar_init must be one of {SAR_INITS}, got {self.sar_init!r}")


def _train_sar(net: Any, sar_labeled: Any, cfg: FinetuneConfig, *, val: Any, probe: Any,
               desc: str) -> TrainResult:
    """Cross-entropy on labeled SAR over psi and h (shared by both baselines)."""
    device = _loop.setup_phase(net, cfg, FinetuneConfig)
    x, y = labeled_tensors(sar_labeled, name="sar_labeled", device=device,
                           channels=net.config["sar_channels"], n_classes=net.n_classes)
    gen = make_generator(cfg.seed)
    psi = _loop.maybe_compile(net.sar_encoder, cfg.compile)

    def step(idx: torch.Tensor) -> dict[str, torch.Tensor]:
        idx = idx.to(device)
        with autocast(device):
            logits = net.classify(psi(prepare_batch(x[idx])))
        ce = F.cross_entropy(logits.float(), y[idx])
        return {"ce_sar": ce, "loss": ce}

    accuracy, meter = _loop.phase_measures(net, cfg, device, domain="sar", labeled=(x, y),
                                           val=val, probe=probe, fallback_probe=None)
    params = [*net.sar_encoder.parameters(), *net.head.parameters()]
    def batches() -> list[torch.Tensor]:
        return epoch_batches(len(x), cfg.batch_size, gen, cfg.steps_per_epoch)

    return _loop.run_epochs(net, cfg, params=params, epoch_batches=batches, step=step,
                            accuracy=accuracy, probe=meter, desc=desc)


def train_sar_only(net: Any, sar_labeled: Any, cfg: FinetuneConfig | None = None, *,
                   val: Any = None, probe: Any = None) -> TrainResult:
    """Baseline: train psi and h on the labeled SAR alone, ``CE(h(psi(x)), y)``.

    Pass a freshly built network: its SAR encoder and head are trained as they are.
    Arguments as for :func:`finetune`.
    """
    return _train_sar(net, sar_labeled, cfg or FinetuneConfig(), val=val, probe=probe,
                      desc="SAR only")


def init_sar_encoder(net: Any, sar_init: str = "eo") -> list[str]:
    """Start the SAR encoder from the EO-trained network; returns the copied parameter names.

    ``"eo"``: every weight and buffer of phi is copied into psi except the first
    convolution (3 input channels for EO, 2 for SAR), which keeps its fresh initialisation.
    ``"random"``: psi is left as initialised; only the EO-trained head h is reused.
    """
    if sar_init not in SAR_INITS:
        raise ValueError(f"sar_init must be one of {SAR_INITS}, got {sar_init!r}")
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
