"""The transfer phase: Y-net training with embedding alignment (Rostami et al. 2019).

Eq. 2 of Hussing, Li, Eaton ("Land Use Prediction using Electro-Optical to SAR Few-Shot
Transfer Learning"), after Rostami, Kolouri, Eaton, Kim, "Deep transfer learning for few-shot
SAR image classification", Remote Sensing 11(11):1374, 2019: cross-entropy on EO and on the
few labeled SAR, plus ``alpha`` times the sliced Wasserstein distance between the EO and the
unlabeled-SAR embeddings and ``beta`` times its class-conditional version on the labeled SAR.
``discrepancy`` replaces SW by max-sliced SW, the exact W_2, MMD or CORAL in both terms, with
the same loop, so alignment losses can be compared. Public through :mod:`swdkit.train`.

Remedies for the alignment collapse (options of :class:`AlignConfig`; the defaults are the
paper's formulation). Trained end to end, the cheapest way for the network to lower
``alpha * SW_2^2`` is to shrink every embedding, EO included: SW scales with the square of the
embedding scale, so in the first epoch the pretrained EO cloud lost most of its spread and the
EO knowledge was wiped and relearned (``TrainResult.history`` records the scale each epoch,
:func:`swdkit.train.collapse_factor` reads it off). ``eo_side="frozen"`` keeps phi and h as a
fixed teacher (only psi moves, onto a target that cannot move), ``"frozen_encoder"`` keeps phi
only; ``scale="eo_spread"`` divides both distances by the (detached) mean per-dimension variance
of the EO batch, so shrinking both clouds together buys nothing (measured: alone it does not
stop the collapse, because the fresh SAR cloud starts a hundred times smaller than the EO one and
the EO cloud still moves onto it); ``warmup_epochs`` ramps alpha and beta linearly from 0 over
that many epochs; ``sar_init="eo"`` starts psi from phi's weights (all but the first
convolution), as fine-tuning does.

The encoders' coupling (``shared_last_layer=True``, off by default). Rostami et al. describe two
encoders "coupled through their last layer"; with the option psi's last layer is phi's
(:meth:`swdkit.models.YNet.share_last_layer`, tied after ``sar_init``), trained with phi when
``eo_side="train"`` and frozen with it otherwise. Off by default, chosen on the validation cities
(experiments/twin_shared_last_layer.yml and shared_last_layer.yml, lowrise, 32 labels, ten seeds):
tied, SWD reached 68.5 % validation accuracy on the real/imaginary twin (separate: 69.2) and
45.8 % on the default set (separate: 49.0).

The known pairs (``known_pairs=True``, the control method ``known_pairs``; not the paper's
method). SW compares the EO and SAR clouds without knowing which SAR patch shows which EO patch's
scene, so it cannot tell a SAR encoder that puts every patch on its own scene's place from one
that puts the patches of one class where another class's EO patches lie. So2Sat's patches are
co-registered pairs; with ``known_pairs`` the marginal term pays the cost of that known pairing
instead, ``C(psi(x_u), sg[phi(e_u)]) = mean_i ||psi(x_u,i) - phi(e_u,i)||^2 / D``
(:func:`swdkit.losses.pairing_cost`; e_u the EO rows of the step's unlabeled SAR rows, sg a stop
of the gradient, phi in evaluation mode so its running statistics stay as they are), with the
same weight, warm-up and scale. Everything else is the same loop, batches and draws. The
difference to SWD at the same labels is what SWD's guess of the correspondence costs.

The default, ``eo_side="frozen"``, was chosen on the validation cities (experiments/remedies.yml
and twin.yml, lowrise, 32 labels, five seeds, batch norm, VV intensity in dB): on the default
synthetic set the frozen teacher and the paper's formulation tie (49.8 % validation accuracy
each; psi started from phi 46.0 %, the warm-up 45.1 %, SW over the EO variance 26.7 %: it
collapses onto chance), and on the twin set, where the SAR carries the EO's class information,
the frozen teacher is tied at the top (65.5 % against 64.4 % for the paper's formulation). It also
keeps the pretrained EO cloud's size exactly, so a falling SW is alignment, not shrinkage.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from swdkit._checks import check_choice, check_fields
from swdkit.device import autocast
from swdkit.train import _batches, _loop
from swdkit.train._align_terms import (
    DISCREPANCIES,
    class_conditional,
    discrepancy,
    pair_targets,
)
from swdkit.train._loop import TrainResult
from swdkit.train._sar import SAR_INITS, SarPhaseConfig, init_sar_encoder

EO_SIDES = ("train", "frozen_encoder", "frozen")
SCALES = ("raw", "eo_spread")

# extra_term(psi, x_labeled, y_labeled, x_unlabeled_pool) -> (name, weight, value)
ExtraTerm = Callable[[Any, torch.Tensor, torch.Tensor, torch.Tensor],
                     tuple[str, float, torch.Tensor]]


@dataclass
class AlignConfig(SarPhaseConfig):
    """The alignment phase. One epoch = one pass over the unlabeled SAR pool.

    Attributes:
        alpha: weight of the marginal term D(phi(EO), psi(unlabeled SAR)).
        beta: weight of the class-conditional term mean_j D(phi(EO|j), psi(labeled SAR|j)).
        n_projections: L, random directions per step for the sliced distances.
        discrepancy: D: ``"swd"`` (SW_2^2), ``"max_sliced"``, ``"wasserstein"`` (exact W_2^2 / D),
            ``"mmd"`` or ``"coral"``. The weights are not rescaled per discrepancy.
        eo_per_class: EO samples of every class per step.
        unlabeled_batch: unlabeled SAR samples per step.
        eo_side, scale, warmup_epochs, sar_init: the remedies of the module docstring. The
            paper's formulation is ``"train"``, ``"raw"``, 0, ``"random"``; the default
            differs in ``eo_side="frozen"`` (module docstring: why).
        known_pairs: the control of the module docstring: the marginal term is the cost of the
            known EO-SAR pairing (EO and unlabeled SAR row i show one scene) instead of D.
        shared_last_layer: psi's last layer tied to phi's for the phase (module docstring).
        ce_reduction, sar_batches, augment, max_shift, phase: as for every SAR phase
            (:class:`swdkit.train.SarPhaseConfig`); ``ce_reduction`` reduces both CE terms,
            ``augment`` views the labeled SAR batch (not the unlabeled one).
    """

    alpha: float = 10.0
    beta: float = 10.0
    n_projections: int = 128
    discrepancy: str = "swd"
    eo_per_class: int = 16
    unlabeled_batch: int = 64
    eo_side: str = "frozen"
    scale: str = "raw"
    warmup_epochs: int = 0
    sar_init: str = "random"
    known_pairs: bool = False
    shared_last_layer: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        check_choice("discrepancy", self.discrepancy, DISCREPANCIES)
        for name in ("known_pairs", "shared_last_layer"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be True or False, got {getattr(self, name)!r}")
        check_fields(self, "number >= 0", "alpha", "beta")
        check_fields(self, "positive integer", "n_projections", "eo_per_class", "unlabeled_batch")
        check_choice("eo_side", self.eo_side, EO_SIDES)
        check_choice("scale", self.scale, SCALES)
        check_choice("sar_init", self.sar_init, SAR_INITS)
        check_fields(self, "integer >= 0", "warmup_epochs")


def align_domains(net: Any, eo: Any, sar_labeled: Any, sar_unlabeled: Any,
              cfg: AlignConfig | None = None, *, val: Any = None,
              probe: Any = None) -> TrainResult:
    """Transfer by embedding alignment: Eq. 2 of Hussing, Li, Eaton (after Rostami et al.).

    Each step draws ``eo_per_class`` EO samples of every class (x_e, y_e), up to ``batch_size``
    labeled SAR (x_l, y_l) and ``unlabeled_batch`` unlabeled SAR x_u, and minimises

        CE(h(phi(x_e)), y_e) + CE(h(psi(x_l)), y_l)
        + alpha * D(phi(x_e), psi(x_u)) + beta * mean_j D(phi(x_e | j), psi(x_l | j))

    over phi, psi and h, with D = SW_2^2 on ``n_projections`` fresh random directions per step
    (or ``cfg.discrepancy``). The paper's Eq. 2 sums over the classes j where this takes the
    mean (as ``swdkit.losses.class_conditional_swd`` does): the paper's beta is this beta
    divided by the number of classes present. The CE terms are batch means (``ce_reduction=
    "sum"``: sums, as Eq. 2 prints them); the labeled batch is uniform or class-balanced
    (``sar_batches``) and, with ``augment``, a random view. Labeled and unlabeled SAR pass psi
    as one batch.
    Loss terms in the history: ``ce_eo``, ``ce_sar``, ``marginal``, ``conditional``
    (unweighted) and ``loss``; with ``known_pairs`` ``marginal`` is the pairing's cost.

    Args:
        net: a :class:`swdkit.models.YNet`, usually with phi and h pretrained on EO.
        eo: labeled EO ``(x, y)``.
        sar_labeled: the few labeled SAR ``(x, y)``.
        sar_unlabeled: unlabeled SAR images ``(M, 2, 32, 32)``.
        cfg: settings (default :class:`AlignConfig`).
        val: labeled SAR for ``val_accuracy``.
        probe: paired samples for ``sw_probe`` and snapshots; with snapshots asked for and no
            probe, EO from ``eo`` and SAR from ``sar_labeled`` are used.
    """
    return align_embeddings(net, eo, sar_labeled, sar_unlabeled, cfg or AlignConfig(), val=val,
                            probe=probe)


def align_embeddings(net: Any, eo: Any, sar_labeled: Any, sar_unlabeled: Any, cfg: AlignConfig,
                     *, val: Any = None, probe: Any = None, extra_term: ExtraTerm | None = None,
                     extra_params: Sequence[torch.nn.Parameter] = (),
                     desc: str | None = None) -> TrainResult:
    """The loop of :func:`align_domains`, open to one more loss term on the SAR encoder.

    Args:
        net, eo, sar_labeled, sar_unlabeled, val, probe: as for :func:`align_domains`.
        cfg: an :class:`AlignConfig` (or a subclass of it).
        extra_term: called once per step as ``extra_term(psi, x_l, y_l, x_u)`` with the SAR
            encoder psi, the step's labeled SAR batch ``x_l (B, C, H, W)``, its labels
            ``y_l (B,)`` and the whole unlabeled SAR pool ``x_u (M, C, H, W)`` (all on the
            training device); it returns ``(name, weight, value)`` and ``weight * value`` is added
            to the step's loss, ``value`` recorded in the history under ``name``. It must draw
            its random numbers from a generator of its own, so the other draws stay those of
            ``align_domains``.
        extra_params: parameters the extra term trains besides phi, psi and h.
        desc: the progress bar's label.
    """
    device = _loop.setup_phase(net, cfg, AlignConfig)
    init_sar_encoder(net, cfg.sar_init)
    if cfg.shared_last_layer:
        net.share_last_layer()
    k = net.n_classes
    xe, ye = _batches.labeled_tensors(eo, name="eo", device=device,
                                      channels=net.config["eo_channels"], n_classes=k)
    xl, yl = _batches.labeled_tensors(sar_labeled, name="sar_labeled", device=device,
                                      channels=net.config["sar_channels"], n_classes=k)
    xu = _batches.image_tensor(sar_unlabeled, name="sar_unlabeled", device=device,
                               channels=net.config["sar_channels"])
    if cfg.known_pairs and len(xe) != len(xu):
        raise ValueError(f"known_pairs needs EO and unlabeled SAR of the same scenes, row by row; "
                         f"got {len(xe)} EO and {len(xu)} SAR images. Pass the training split's "
                         f"eo and sar (data.train.eo, data.train.sar) in their stored order.")
    gen, proj_gen = _batches.make_generator(cfg.seed), _batches.make_generator(cfg.seed + 1)
    sampler = _batches.ClassSampler(ye)
    labeled = _batches.LabeledBatches(yl, cfg.batch_size, cfg.sar_batches)
    views = cfg.sar_views()
    phi = _loop.maybe_compile(net.eo_encoder, cfg.compile)
    psi = _loop.maybe_compile(net.sar_encoder, cfg.compile)
    n_lab = labeled.size
    embed_dim = net.config["embed_dim"]
    frozen_eo = cfg.eo_side != "train"
    steps_done = [0]

    def batches() -> list[tuple[torch.Tensor, torch.Tensor]]:
        unl = _batches.epoch_batches(len(xu), cfg.unlabeled_batch, gen, cfg.steps_per_epoch)
        return [(iu, labeled.draw(gen)) for iu in unl]

    def step(batch: tuple[torch.Tensor, torch.Tensor]) -> dict[str, torch.Tensor]:
        from swdkit import losses
        from swdkit.losses import random_projections

        iu, il = (i.to(device) for i in batch)
        ie = sampler.draw(cfg.eo_per_class, gen)
        x_sar = torch.cat([views(xl[il]), xu[iu]])
        if frozen_eo:  # a fixed teacher: no gradient, batch norm statistics kept
            net.eo_encoder.eval()
        with autocast(device):
            with torch.set_grad_enabled(not frozen_eo):
                z_eo = phi(_batches.prepare_batch(xe[ie]))
            z_sar = psi(_batches.prepare_batch(x_sar))
            logits_eo, logits_lab = net.classify(z_eo), net.classify(z_sar[:n_lab])
        z_eo, z_sar = z_eo.float(), z_sar.float()
        proj = random_projections(embed_dim, cfg.n_projections, generator=proj_gen).to(device)
        with torch.set_grad_enabled(cfg.alpha > 0):
            if cfg.known_pairs:
                targets = pair_targets(net, phi, xe[iu], device)
                marginal = losses.pairing_cost(z_sar[n_lab:], targets)
            else:
                marginal = discrepancy(cfg.discrepancy, z_eo, z_sar[n_lab:], projections=proj)
        with torch.set_grad_enabled(cfg.beta > 0):
            conditional = class_conditional(cfg.discrepancy, z_eo, ye[ie], z_sar[:n_lab],
                                            yl[il], projections=proj)
        terms = {"ce_eo": cfg.cross_entropy(logits_eo, ye[ie]),
                 "ce_sar": cfg.cross_entropy(logits_lab, yl[il]),
                 "marginal": marginal, "conditional": conditional}
        terms["loss"] = terms["ce_eo"] + terms["ce_sar"]
        weight = _ramp(steps_done, cfg, len(xu))
        if cfg.scale == "eo_spread":
            weight = weight / z_eo.detach().var(dim=0, unbiased=False).mean().clamp_min(1e-8)
        if cfg.alpha > 0:
            terms["loss"] = terms["loss"] + cfg.alpha * weight * marginal
        if cfg.beta > 0:
            terms["loss"] = terms["loss"] + cfg.beta * weight * conditional
        if extra_term is not None:
            name, weight, value = extra_term(psi, xl[il], yl[il], xu)
            terms[name] = value
            terms["loss"] = terms["loss"] + weight * value
        return terms

    accuracy, meter = _loop.phase_measures(net, cfg, device, domain="sar", labeled=(xl, yl),
                                           val=val, probe=probe,
                                           fallback_probe=((xe, ye), (xl, yl)))
    eo_params = {id(p) for p in net.eo_encoder.parameters()}  # psi's last layer, when tied
    params = [p for p in net.sar_encoder.parameters() if id(p) not in eo_params]
    params += [*extra_params] + ([] if frozen_eo else list(net.eo_encoder.parameters()))
    params += [] if cfg.eo_side == "frozen" else list(net.head.parameters())
    return _loop.run_epochs(net, cfg, params=params, epoch_batches=batches, step=step,
                            accuracy=accuracy, probe=meter,
                            desc=desc or f"alignment ({cfg.discrepancy})")


def _ramp(steps_done: list[int], cfg: AlignConfig, pool: int) -> float:
    """The warm-up factor of alpha and beta for the next step (and count the step): rises
    linearly from ``1 / ramp`` to 1 over ``warmup_epochs`` epochs of ``ramp`` steps."""
    steps_done[0] += 1
    if cfg.warmup_epochs == 0:
        return 1.0
    per_epoch = cfg.steps_per_epoch or -(-pool // cfg.unlabeled_batch)
    return min(1.0, steps_done[0] / (cfg.warmup_epochs * per_epoch))

