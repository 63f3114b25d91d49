"""One step beyond the paper: semi-supervised contrastive learning in the SAR phase.

Hussing, Li and Eaton name it as future work: use the unlabeled SAR not only through the marginal
alignment term but also contrastively. This phase adds to the alignment objective of
:func:`swdkit.train.align_domains` (Eq. 2 of the paper) one term on the SAR encoder psi,

    L = CE(EO) + CE(labeled SAR) + alpha * SW(phi(EO), psi(SAR_u))
        + beta * sum_j SW(phi(EO | j), psi(SAR_l | j))
        + gamma * SupCon_semi(g(psi(v1)), g(psi(v2))),

where v1, v2 are two augmented views of the labeled SAR batch and of an unlabeled SAR batch, g
is the network's projection head and SupCon_semi is the supervised contrastive loss (Khosla et
al. 2020) over all those views in which a labeled sample's positives are the views of the same
class and an unlabeled sample's only positive is its own other view (the SimCLR case, Chen et al.
2020). Every other view is a negative. With no labeled sample it is SimCLR on the unlabeled SAR;
with no unlabeled one it is SupCon on the labeled SAR.

SAR views (:func:`swdkit.train.sar_view`): a random symmetry of the square and a small shift,
and a random rotation of the complex phase, (re, im) -> (re cos t - im sin t,
re sin t + im cos t) with one t per image: the absolute phase of a single-look complex return
carries no class information, so this is a label-preserving change that plain image
augmentations do not make.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from swdkit._checks import check_fields
from swdkit.device import autocast
from swdkit.losses import semisup_contrastive_loss
from swdkit.train._align import AlignConfig, align_embeddings
from swdkit.train._augment import sar_view
from swdkit.train._batches import make_generator, prepare_batch
from swdkit.train._loop import TrainResult


@dataclass
class SemisupConfig(AlignConfig):
    """The alignment phase plus the semi-supervised contrastive term.

    Attributes:
        gamma: weight of the contrastive term (0 gives :func:`swdkit.train.align_domains`'s loss).
        temperature: tau of the contrastive term, also its base temperature (the loss is not
            rescaled by tau / tau_b; :func:`swdkit.losses.semisup_contrastive_loss`).
        contrastive_unlabeled: unlabeled SAR samples per step in the contrastive term (their
            two views cost two encoder passes each).
        phase, max_shift: the views (inherited from :class:`swdkit.train.SarPhaseConfig`):
            rotate the complex phase, largest shift in pixels. ``augment=True`` trains the
            cross-entropy on such views of the labeled batch too.
    """

    gamma: float = 1.0
    temperature: float = 0.1
    contrastive_unlabeled: int = 64

    def __post_init__(self) -> None:
        super().__post_init__()
        check_fields(self, "number >= 0", "gamma")
        check_fields(self, "number > 0", "temperature")
        check_fields(self, "integer >= 0", "contrastive_unlabeled")


def align_semisup(net: Any, eo: Any, sar_labeled: Any, sar_unlabeled: Any,
                  cfg: SemisupConfig | None = None, *, val: Any = None,
                  probe: Any = None) -> TrainResult:
    """:func:`swdkit.train.align_domains` plus ``gamma`` times the semi-supervised contrastive term.

    Batches, projections, loss terms and history are those of ``align_domains`` (same seed, same
    draws; the views have a generator of their own), with one more term in the history,
    ``contrastive``, when ``gamma > 0``. With ``gamma = 0`` it trains exactly as ``align_domains``.
    Arguments as for ``align_domains``; ``cfg`` is a :class:`SemisupConfig`.
    """
    cfg = cfg or SemisupConfig()
    if not isinstance(cfg, SemisupConfig):
        raise TypeError(f"cfg must be a SemisupConfig, got {type(cfg).__name__}")
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
