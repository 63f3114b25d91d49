"""One step beyond the paper: semi-supervised contrastive learning in the SAR phase.

Hussing, Li and Eaton name it as future work: use the unlabeled SAR not only through the marginal
alignment term but also contrastively. This module adds to the alignment objective of
:func:`swdkit.train.align_swd` (Eq. 2 of the paper) one term on the SAR encoder psi,

    L = CE(EO) + CE(labeled SAR) + alpha * SW(phi(EO), psi(SAR_u))
        + beta * sum_j SW(phi(EO | j), psi(SAR_l | j))
        + gamma * SupCon_semi(g(psi(v1)), g(psi(v2))),

where v1, v2 are two augmented views of the labeled SAR batch and of an unlabeled SAR batch, g
is the network's projection head and SupCon_semi is the supervised contrastive loss (Khosla et
al. 2020) over all those views in which a labeled sample's positives are the views of the same
class and an unlabeled sample's only positive is its own other view (the SimCLR case, Chen et al.
2020). Every other view is a negative. With no labeled sample it is SimCLR on the unlabeled SAR;
with no unlabeled one it is SupCon on the labeled SAR.

SAR views: a random symmetry of the square and a small shift (:mod:`swdkit.augment`), and a random
rotation of the complex phase, (re, im) -> (re cos t - im sin t, re sin t + im cos t) with one t
per image: the absolute phase of a single-look complex return carries no class information, so
this is a label-preserving change that plain image augmentations do not make.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch

from swdkit.align import AlignConfig, align_embeddings
from swdkit.augment import augment
from swdkit.batches import make_generator, prepare_batch
from swdkit.evaluate import autocast
from swdkit.train_loop import TrainResult, check_fields


def random_phase(x: torch.Tensor, *, generator: torch.Generator | None = None,
                 angles: torch.Tensor | None = None) -> torch.Tensor:
    """Rotate the complex value (channel 0 real, channel 1 imaginary) of each image by one angle.

    Args:
        x: ``(B, 2, H, W)`` SAR images (real, imaginary).
        generator: draws the angles, uniform in [0, 2 pi) (CPU generator, reproducible).
        angles: ``(B,)`` angles in radians instead of drawing them.

    Returns:
        ``(B, 2, H, W)``; the amplitude ``sqrt(re^2 + im^2)`` of every pixel is unchanged.
    """
    if x.ndim != 4 or x.shape[1] != 2:
        raise ValueError(f"x must be SAR images (B, 2, H, W) (real, imaginary); got "
                         f"{tuple(x.shape)}")
    if angles is None:
        angles = torch.rand(x.shape[0], generator=generator) * (2 * math.pi)
    angles = angles.to(device=x.device, dtype=x.dtype).view(-1, 1, 1)
    cos, sin = torch.cos(angles), torch.sin(angles)
    re, im = x[:, 0], x[:, 1]
    return torch.stack([re * cos - im * sin, re * sin + im * cos], dim=1)


def sar_view(x: torch.Tensor, *, max_shift: int = 2, phase: bool = True,
             generator: torch.Generator | None = None) -> torch.Tensor:
    """One random view of SAR images: symmetry, shift and (optionally) a phase rotation."""
    out = augment(x, max_shift=max_shift, generator=generator)
    return random_phase(out, generator=generator) if phase else out


def semisup_contrastive_loss(labeled: torch.Tensor, labels: torch.Tensor,
                             unlabeled: torch.Tensor, *, temperature: float = 0.1
                             ) -> torch.Tensor:
    """SupCon over labeled and unlabeled views together (module docstring).

    Each unlabeled sample gets a label of its own (``labels.max() + 1 + i``), so its only
    positives are its other views, then :func:`swdkit.losses.supcon_loss` runs on all samples.

    Args:
        labeled: ``(B, V, D)`` projections of V views of the labeled samples (B may be 0).
        labels: ``(B,)`` their classes.
        unlabeled: ``(U, V, D)`` projections of V views of unlabeled samples (U may be 0).
        temperature: tau (also the base temperature, so the loss is not rescaled).

    Returns:
        Scalar tensor.
    """
    from swdkit.losses import supcon_loss

    if labeled.ndim != 3 or unlabeled.ndim != 3 or labeled.shape[1:] != unlabeled.shape[1:]:
        raise ValueError(f"labeled (B, V, D) and unlabeled (U, V, D) must agree in V and D; got "
                         f"{tuple(labeled.shape)} and {tuple(unlabeled.shape)}")
    start = int(labels.max()) + 1 if len(labels) else 0
    own = torch.arange(start, start + len(unlabeled), device=labels.device, dtype=labels.dtype)
    return supcon_loss(torch.cat([labeled, unlabeled]), torch.cat([labels, own]),
                       temperature=temperature, base_temperature=temperature)


@dataclass
class SemisupConfig(AlignConfig):
    """The alignment phase plus the semi-supervised contrastive term.

    Attributes:
        gamma: weight of the contrastive term (0 gives :func:`swdkit.train.align_swd`'s loss).
        temperature: tau of the contrastive term.
        contrastive_unlabeled: unlabeled SAR samples per step in the contrastive term (their
            two views cost two encoder passes each).
        phase: rotate the complex phase in the views.
        max_shift: largest shift, in pixels, of a view.
    """

    gamma: float = 1.0
    temperature: float = 0.1
    contrastive_unlabeled: int = 64
    phase: bool = True
    max_shift: int = 2

    def __post_init__(self) -> None:
        super().__post_init__()
        check_fields(self, "number >= 0", "gamma")
        check_fields(self, "number > 0", "temperature")
        check_fields(self, "integer >= 0", "contrastive_unlabeled", "max_shift")


def align_semisup(net: Any, eo: Any, sar_labeled: Any, sar_unlabeled: Any,
                  cfg: SemisupConfig | None = None, *, val: Any = None,
                  probe: Any = None) -> TrainResult:
    """:func:`swdkit.train.align_swd` plus ``gamma`` times the semi-supervised contrastive term.

    Batches, projections, loss terms and history are those of ``align_swd`` (same seed, same
    draws; the views have a generator of their own), with one more term in the history,
    ``contrastive``, when ``gamma > 0``. With ``gamma = 0`` it trains exactly as ``align_swd``.
    Arguments as for ``align_swd``; ``cfg`` is a :class:`SemisupConfig`.
    """
    cfg = cfg or SemisupConfig()
    if not isinstance(cfg, SemisupConfig):
        raise ValueError(f"cfg must be a SemisupConfig, got {type(cfg).__name__}")
    if cfg.gamma == 0:  # the paper's phase exactly: no extra pass at all
        return align_embeddings(net, eo, sar_labeled, sar_unlabeled, cfg, val=val, probe=probe,
                                extra_params=list(net.projector.parameters()),
                                desc="alignment + semi-sup. contrastive")
    view_gen = make_generator(cfg.seed + 2)

    def views(x: torch.Tensor) -> torch.Tensor:
        return sar_view(x, max_shift=cfg.max_shift, phase=cfg.phase, generator=view_gen)

    def contrastive(psi: Any, x_lab: torch.Tensor, y_lab: torch.Tensor,
                    x_pool: torch.Tensor) -> tuple[str, float, torch.Tensor]:
        n_con = min(cfg.contrastive_unlabeled, len(x_pool))
        ic = torch.randperm(len(x_pool), generator=view_gen)[:n_con].to(x_pool.device)
        x_con = torch.cat([x_lab, x_pool[ic]])
        with autocast(x_pool.device):
            z_views = psi(prepare_batch(torch.cat([views(x_con), views(x_con)])))
        p = torch.stack(net.project(z_views.float()).chunk(2), dim=1)  # (n, 2, P)
        n_lab = len(x_lab)
        loss = semisup_contrastive_loss(p[:n_lab], y_lab, p[n_lab:], temperature=cfg.temperature)
        return "contrastive", cfg.gamma, loss

    return align_embeddings(net, eo, sar_labeled, sar_unlabeled, cfg, val=val, probe=probe,
                            extra_term=contrastive,
                            extra_params=list(net.projector.parameters()),
                            desc="alignment + semi-sup. contrastive")


SEMISUP_SETTINGS = ("gamma", "contrastive_temperature", "contrastive_unlabeled", "phase")


def run_semisup(data: Any, *, n_labeled: int | None, seed: int, norm: str = "instance",
                supcon: bool = False, config: Any = None, device: str = "auto",
                checkpoint_dir: Any = None, snapshots: bool = False) -> Any:
    """The ``"semisup"`` method, run exactly as :func:`swdkit.pipeline.run_method` runs ``"swd"``.

    Same labeled subset, initial weights, cached EO pretraining, SAR-phase length and evaluation
    as ``run_method(method="swd")`` with the same seed and config, so the two pair up; the SAR
    phase is :func:`align_semisup`.

    Args:
        data, n_labeled, seed, norm, supcon, device, checkpoint_dir, snapshots: as for
            ``run_method``.
        config: as for ``run_method`` (a preset name, a dict or a ``MethodConfig``); a dict may
            also hold this method's own settings: ``gamma`` (default 1.0),
            ``contrastive_temperature`` (0.1), ``contrastive_unlabeled`` (64), ``phase`` (True).

    Returns:
        A :class:`swdkit.pipeline.MethodResult` with ``method="semisup"``.
    """
    import time

    from swdkit import pipeline

    start = time.perf_counter()
    own = {}
    if isinstance(config, dict):
        config = dict(config)
        own = {k: config.pop(k) for k in SEMISUP_SETTINGS if k in config}
    run = pipeline.start_run(data, n_labeled=n_labeled, seed=seed, norm=norm, supcon=supcon,
                             config=config, device=device, checkpoint_dir=checkpoint_dir,
                             snapshots=snapshots)
    phase_cfg = SemisupConfig(
        **run.common, **pipeline.align_settings(run.cfg), max_shift=run.cfg.max_shift,
        gamma=float(own.get("gamma", 1.0)),
        temperature=float(own.get("contrastive_temperature", 0.1)),
        contrastive_unlabeled=int(own.get("contrastive_unlabeled", 64)),
        phase=bool(own.get("phase", True)))
    phase = align_semisup(run.net, (data.train.eo, data.train.labels), run.sar_labeled,
                          data.train.sar, phase_cfg, val=data.val, probe=data.val)
    return pipeline.finish_run(run, data, method="semisup", phase=phase, start=start,
                               extra_config=own)
