"""The one registry of transfer methods: what each does in the SAR phase.

:func:`swdkit.methods.run_method`, the experiment grid and the command line all read
:data:`METHODS`; adding a method means adding one :class:`Method` here. Every method runs
after the same start (:func:`swdkit.methods.start_run`: labeled subset, initial weights, cached
EO pretraining) and is evaluated the same way, so runs with one seed pair up across methods.
A method without a network (``features``, the classical floor) gives a ``fit`` instead of a
``sar_phase``: ``run_method`` hands it the same labeled subset and evaluates its predictions on
the same splits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from swdkit import train
from swdkit.methods._config import MethodConfig, phase_config
from swdkit.methods._features import fit_features_method
from swdkit.methods._pretrained import build_net


@dataclass(frozen=True)
class Method:
    """One transfer method.

    Attributes:
        name: the method's name in configs, grids and results.
        summary: one line for listings and help texts.
        pretrain: starts from the EO-pretrained network (False: a fresh network, unless its
            SAR encoder is to start from phi: :meth:`needs_pretraining`).
        sar_phase: ``sar_phase(run, data) -> TrainResult`` trains ``run.net`` on the SAR side
            (``run`` a :class:`swdkit.methods.RunStart`, ``data`` a
            :class:`swdkit.data.LessonData`); None for a method without a network.
        fit: for a method without a network (and then no ``sar_phase``, no ``pretrain``):
            ``fit(sar (n, 2, 32, 32), labels (n,), data) -> model`` trained on the labeled SAR,
            with ``model.predict(sar (m, 2, 32, 32)) -> (m,)`` labels and ``model.settings``
            (a dict, the run's ``config``).
        sar_init_field: the :class:`MethodConfig` field (``"random"`` or ``"eo"``) that says
            how the method starts the SAR encoder psi (None for a method without a network).
    """

    name: str
    summary: str
    pretrain: bool
    sar_phase: Callable[[Any, Any], Any] | None
    fit: Callable[[Any, Any, Any], Any] | None = None
    sar_init_field: str | None = None

    def __post_init__(self) -> None:
        if (self.sar_phase is None) == (self.fit is None):
            raise ValueError(f"method {self.name!r} needs exactly one of sar_phase (a network "
                             f"method) and fit (a method without a network)")
        if self.fit is not None and self.pretrain:
            raise ValueError(f"method {self.name!r} has no network to pretrain; set "
                             f"pretrain=False")
        if (self.sar_init_field is None) != (self.fit is not None):
            raise ValueError(f"method {self.name!r}: a network method names its sar_init_field "
                             f"(a MethodConfig field), a method without a network none")

    def needs_pretraining(self, cfg: MethodConfig) -> bool:
        """Whether a run with ``cfg`` starts from the EO-pretrained network: the method's
        ``pretrain``, or its SAR encoder starts from phi (``sar_init_field`` is ``"eo"``)."""
        return self.pretrain or (self.sar_init_field is not None
                                 and getattr(cfg, self.sar_init_field) == "eo")


def _monitoring(data: Any) -> dict[str, Any]:
    # The validation split only watches (val_accuracy, sw_probe, snapshots); select="last".
    return {"val": data.val, "probe": data.val}


def _sar_only(run: Any, data: Any) -> Any:
    cfg = phase_config(train.SarOnlyConfig, run.cfg, **run.common)
    if cfg.sar_init == "eo":  # psi from the EO-pretrained phi, the head as a fresh net holds it
        fresh = build_net(data.n_classes, norm=run.norm, seed=run.seed, config=run.cfg,
                          sar_channels=run.net.config["sar_channels"])
        run.net.head.load_state_dict(fresh.head.state_dict())
    return train.train_sar_only(run.net, run.sar_labeled, cfg, **_monitoring(data))


def _finetune(run: Any, data: Any) -> Any:
    cfg = phase_config(train.FinetuneConfig, run.cfg, **run.common)
    return train.finetune(run.net, run.sar_labeled, cfg, **_monitoring(data))


def _aligned(discrepancy: str, known_pairs: bool = False) -> Callable[[Any, Any], Any]:
    def sar_phase(run: Any, data: Any) -> Any:
        cfg = phase_config(train.AlignConfig, run.cfg, discrepancy=discrepancy,
                           known_pairs=known_pairs, **run.common)
        return train.align_domains(run.net, (data.train.eo, data.train.labels),
                                   run.sar_labeled, data.train.sar, cfg, **_monitoring(data))
    return sar_phase


def _semisup(run: Any, data: Any) -> Any:
    cfg = phase_config(train.SemisupConfig, run.cfg, **run.common)
    return train.align_semisup(run.net, (data.train.eo, data.train.labels), run.sar_labeled,
                               data.train.sar, cfg, **_monitoring(data))


_ALL = (
    Method("sar_only", "SAR encoder and head trained on the labeled SAR alone", False, _sar_only,
           sar_init_field="sar_only_init"),
    Method("finetune", "EO pretraining, then fine-tuning on the labeled SAR", True, _finetune,
           sar_init_field="sar_init"),
    Method("swd", "Y-net alignment with sliced Wasserstein (Eq. 2 of the paper)", True,
           _aligned("swd"), sar_init_field="align_sar_init"),
    Method("mmd", "the same alignment with Gaussian-kernel MMD", True, _aligned("mmd"),
           sar_init_field="align_sar_init"),
    Method("coral", "the same alignment with CORAL", True, _aligned("coral"),
           sar_init_field="align_sar_init"),
    Method("max_sliced", "the same alignment with max-sliced Wasserstein", True,
           _aligned("max_sliced"), sar_init_field="align_sar_init"),
    Method("wasserstein", "the same alignment with the exact Wasserstein-2 on each batch (the "
           "matching SW approximates by slicing)", True, _aligned("wasserstein"),
           sar_init_field="align_sar_init"),
    Method("semisup", "swd plus a semi-supervised contrastive term on the SAR encoder", True,
           _semisup, sar_init_field="align_sar_init"),
    Method("known_pairs", "control: swd with the EO-SAR pairs known (the marginal SW replaced by "
           "the pairing's cost)", True, _aligned("swd", known_pairs=True),
           sar_init_field="align_sar_init"),
    Method("features", "linear discriminant on classical SAR texture statistics (no network)",
           False, None, fit=fit_features_method),
)
REGISTRY: dict[str, Method] = {m.name: m for m in _ALL}
METHODS: tuple[str, ...] = tuple(REGISTRY)
# The methods that train a network (their results carry ``net``); the rest use ``fit``.
NETWORK_METHODS: tuple[str, ...] = tuple(m.name for m in _ALL if m.fit is None)
# How each network method starts its SAR encoder: method -> MethodConfig field ("random"/"eo").
SAR_INIT_FIELDS: dict[str, str] = {m.name: m.sar_init_field for m in _ALL if m.sar_init_field}


def get_method(name: Any) -> Method:
    """The registered :class:`Method` called ``name``; ``ValueError`` listing them if none."""
    if not isinstance(name, str) or name not in REGISTRY:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {name!r}")
    return REGISTRY[name]
