"""The one registry of transfer methods: what each does in the SAR phase.

:func:`swdkit.methods.run_method`, the experiment grid and the command line all read
:data:`METHODS`; adding a method means adding one :class:`Method` here. Every method runs
after the same start (:func:`swdkit.methods.start_run`: labeled subset, initial weights, cached
EO pretraining) and is evaluated the same way, so runs with one seed pair up across methods.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from swdkit import train
from swdkit.methods._config import phase_config


@dataclass(frozen=True)
class Method:
    """One transfer method.

    Attributes:
        name: the method's name in configs, grids and results.
        summary: one line for listings and help texts.
        pretrain: starts from the EO-pretrained network (False: a fresh network).
        sar_phase: ``sar_phase(run, data) -> TrainResult`` trains ``run.net`` on the SAR side
            (``run`` a :class:`swdkit.methods.RunStart`, ``data`` a
            :class:`swdkit.data.LessonData`).
    """

    name: str
    summary: str
    pretrain: bool
    sar_phase: Callable[[Any, Any], Any]


def _monitoring(data: Any) -> dict[str, Any]:
    # The validation split only watches (val_accuracy, sw_probe, snapshots); select="last".
    return {"val": data.val, "probe": data.val}


def _sar_only(run: Any, data: Any) -> Any:
    cfg = phase_config(train.FinetuneConfig, run.cfg, **run.common)
    return train.train_sar_only(run.net, run.sar_labeled, cfg, **_monitoring(data))


def _finetune(run: Any, data: Any) -> Any:
    cfg = phase_config(train.FinetuneConfig, run.cfg, **run.common)
    return train.finetune(run.net, run.sar_labeled, cfg, **_monitoring(data))


def _aligned(discrepancy: str) -> Callable[[Any, Any], Any]:
    def sar_phase(run: Any, data: Any) -> Any:
        cfg = phase_config(train.AlignConfig, run.cfg, discrepancy=discrepancy, **run.common)
        return train.align_domains(run.net, (data.train.eo, data.train.labels),
                                   run.sar_labeled, data.train.sar, cfg, **_monitoring(data))
    return sar_phase


def _semisup(run: Any, data: Any) -> Any:
    cfg = phase_config(train.SemisupConfig, run.cfg, **run.common)
    return train.align_semisup(run.net, (data.train.eo, data.train.labels), run.sar_labeled,
                               data.train.sar, cfg, **_monitoring(data))


_ALL = (
    Method("sar_only", "SAR encoder and head trained on the labeled SAR alone", False, _sar_only),
    Method("finetune", "EO pretraining, then fine-tuning on the labeled SAR", True, _finetune),
    Method("swd", "Y-net alignment with sliced Wasserstein (Eq. 2 of the paper)", True,
           _aligned("swd")),
    Method("mmd", "the same alignment with Gaussian-kernel MMD", True, _aligned("mmd")),
    Method("coral", "the same alignment with CORAL", True, _aligned("coral")),
    Method("max_sliced", "the same alignment with max-sliced Wasserstein", True,
           _aligned("max_sliced")),
    Method("semisup", "swd plus a semi-supervised contrastive term on the SAR encoder", True,
           _semisup),
)
REGISTRY: dict[str, Method] = {m.name: m for m in _ALL}
METHODS: tuple[str, ...] = tuple(REGISTRY)


def get_method(name: Any) -> Method:
    """The registered :class:`Method` called ``name``; ``ValueError`` listing them if none."""
    if not isinstance(name, str) or name not in REGISTRY:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {name!r}")
    return REGISTRY[name]
