"""Settings of one transfer experiment, the presets, and the phase configs built from them.

:class:`MethodConfig` is flat on purpose: its field names are the project's vocabulary
(``epochs``, ``batch_size``, ``lr``, ``alpha``, ``beta``, ``n_projections``...), so a grid
config or a notebook overrides a setting by name: ``{"preset": "lesson", "epochs": 5}``.

One source of truth: every default of :class:`MethodConfig` is read from the phase config that
uses it (:class:`swdkit.train.PretrainConfig`, :class:`~swdkit.train.FinetuneConfig`,
:class:`~swdkit.train.AlignConfig`, :class:`~swdkit.train.SemisupConfig`) or from
:data:`swdkit.models.LESSON_SIZE`, and :data:`PHASE_FIELDS` is the one table that turns a
``MethodConfig`` into those phase configs (:func:`phase_config`).

Presets (``MethodConfig.preset(name)``):

- ``"ci"``: seconds per run on 2 CPU cores; tests the plumbing, learns little.
- ``"lesson"``: the defaults; one method in well under a minute on a laptop CPU (see
  benchmarks/README.md for measured times). The alignment settings follow what a throwaway
  prototype found on CPU-sized synthetic data (the project's PROTOTYPE_FINDINGS notes): alpha =
  beta = 10, 16 EO samples per class and 64 unlabeled SAR per step, L = 128 projections, Adam
  at 1e-3. They were not tuned on this project's data. The SAR phase trains on augmented
  views of the labeled SAR (``sar_augment``, chosen on the validation cities: the docstring of
  :class:`swdkit.train.SarPhaseConfig` has the measurement).
- ``"paper_lesson"``: the lesson network with the paper's protocol choices
  (:data:`PAPER_PROTOCOL`: SupCon on phi, summed cross-entropy, the EO side trained in the
  alignment, uniform SAR batches, psi started at random, no SAR augmentation).
- ``"paper"``: the paper-style grid on a GPU: the same protocol choices, the larger network of
  :data:`swdkit.models.GPU_SIZE` and longer training.

The README's protocol table lists every setting where swdkit's default departs from the paper.

Every method of one run takes the same number of SAR-phase steps (``epochs`` times
``steps_per_epoch``, by default one pass of the alignment loop over the unlabeled SAR pool), so
the baselines are not short-changed.
"""

from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass, fields, replace
from typing import Any

from swdkit._checks import check_choice, check_fields, check_value
from swdkit.models import GPU_SIZE, LESSON_SIZE, POOLS
from swdkit.train import (
    AlignConfig,
    FinetuneConfig,
    PretrainConfig,
    SarOnlyConfig,
    SemisupConfig,
    TrainConfig,
)

# The fields of a phase config that come from a MethodConfig: phase field -> MethodConfig field.
# A phase's other fields are either set per run (seed, device, steps_per_epoch, snapshot_every,
# supcon, discrepancy) or keep the phase's own default.
_SHARED = {"compile": "compile", "progress": "progress"}
_SAR_PHASE = {"epochs": "epochs", "batch_size": "batch_size", "lr": "lr", "select": "select",
              "probe_size": "probe_size", "ce_reduction": "ce_reduction",
              "sar_batches": "sar_batches", "augment": "sar_augment", "max_shift": "max_shift",
              "phase": "phase", **_SHARED}
_ALIGN = {**_SAR_PHASE, "alpha": "alpha", "beta": "beta", "n_projections": "n_projections",
          "eo_per_class": "eo_per_class", "unlabeled_batch": "unlabeled_batch",
          "eo_side": "eo_side", "scale": "align_scale", "warmup_epochs": "warmup_epochs",
          "sar_init": "align_sar_init", "shared_last_layer": "align_shared_last_layer"}
PHASE_FIELDS: dict[type[TrainConfig], dict[str, str]] = {
    PretrainConfig: {"epochs": "pretrain_epochs", "batch_size": "pretrain_batch_size",
                     "lr": "pretrain_lr", "supcon_weight": "supcon_weight",
                     "temperature": "temperature", "base_temperature": "base_temperature",
                     "supcon_on": "supcon_on", "max_shift": "max_shift", **_SHARED},
    SarOnlyConfig: {**_SAR_PHASE, "sar_init": "sar_only_init"},
    FinetuneConfig: {**_SAR_PHASE, "sar_init": "sar_init"},
    AlignConfig: _ALIGN,
    SemisupConfig: {**_ALIGN, "gamma": "gamma", "temperature": "contrastive_temperature",
                    "contrastive_unlabeled": "contrastive_unlabeled"},
}


def _default(config: type, name: str) -> Any:
    """The default of field ``name`` of the dataclass ``config`` (written there, once)."""
    for f in fields(config):
        if f.name == name and f.default is not MISSING:
            return f.default
    raise LookupError(f"{config.__name__} has no field {name!r} with a plain default")


@dataclass(frozen=True)
class MethodConfig:
    """Everything :func:`swdkit.methods.run_method` needs besides the data and the method.

    Attributes:
        width, embed_dim, depth, pool: the encoders (:class:`swdkit.models.Encoder`).
        pretrain_epochs, pretrain_batch_size, pretrain_lr: EO pretraining.
        supcon_weight, temperature, max_shift: the SupCon term when ``supcon=True`` (and the
            largest shift of every augmented view, EO and SAR).
        base_temperature: SupCon's tau_b in pretraining; None = ``temperature`` (no rescaling).
        supcon_on: SupCon on the projection head (``"head"``) or on phi's output (``"phi"``,
            the paper's Eq. 3); :class:`swdkit.train.PretrainConfig`.
        epochs: SAR-phase epochs (every method).
        steps_per_epoch: steps per SAR-phase epoch; None = ceil(training SAR / unlabeled_batch).
        batch_size: labeled SAR per step (capped at the number labeled).
        lr: Adam learning rate of the SAR phase.
        alpha, beta, n_projections, eo_per_class, unlabeled_batch: the alignment phase
            (:class:`swdkit.train.AlignConfig`).
        eo_side, align_scale, warmup_epochs, align_sar_init: the alignment's remedies for the
            collapse (``eo_side``, ``scale``, ``warmup_epochs`` and ``sar_init`` of
            :class:`swdkit.train.AlignConfig`).
        align_shared_last_layer: psi's last layer tied to phi's in the alignment
            (``shared_last_layer`` of :class:`swdkit.train.AlignConfig`).
        sar_init: how fine-tuning starts the SAR encoder (:func:`swdkit.train.finetune`).
        sar_only_init: how SAR-only training starts it (:class:`swdkit.train.SarOnlyConfig`;
            ``"eo"`` pretrains the EO side and keeps a fresh head). Every network method's own
            field: :data:`swdkit.methods.SAR_INIT_FIELDS`.
        ce_reduction, sar_batches, sar_augment: every SAR phase's labeled cross-entropy
            (``"mean"``/``"sum"``), labeled batches (``"uniform"``/``"balanced"``) and SAR views
            of the labeled batch (``augment`` of :class:`swdkit.train.SarPhaseConfig`).
        gamma, contrastive_temperature, contrastive_unlabeled, phase: the semi-supervised
            contrastive term of ``"semisup"`` (:class:`swdkit.train.SemisupConfig`); ``phase``
            also rotates the complex phase in the views of ``sar_augment``. ``phase=None`` (the
            default) rotates it only for the complex ``"re_im"`` input of a radar (decided per
            run from the data's ``sar_input`` and ``arbitrary_phase``; a rotation of the two dB
            channels of ``"db_smooth"`` would mix a level with its smoothed copy, and on the
            twin set the angle of the two channels is signal, not a radar's phase).
        select: model selection in the SAR phase: ``"last"`` (the lessons), ``"labeled"`` or
            ``"val"`` (see :class:`swdkit.train.TrainConfig`).
        probe_size: samples per domain of the validation probe (``sw_probe``, snapshots).
        compile: ``torch.compile`` the encoders.
        progress: tqdm progress bars.
    """

    width: int = LESSON_SIZE["width"]
    embed_dim: int = LESSON_SIZE["embed_dim"]
    depth: int = LESSON_SIZE["depth"]
    pool: str = LESSON_SIZE["pool"]
    pretrain_epochs: int = _default(PretrainConfig, "epochs")
    pretrain_batch_size: int = _default(PretrainConfig, "batch_size")
    pretrain_lr: float = _default(PretrainConfig, "lr")
    supcon_weight: float = _default(PretrainConfig, "supcon_weight")
    temperature: float = _default(PretrainConfig, "temperature")
    base_temperature: float | None = _default(PretrainConfig, "base_temperature")
    supcon_on: str = _default(PretrainConfig, "supcon_on")
    max_shift: int = _default(PretrainConfig, "max_shift")
    epochs: int = _default(AlignConfig, "epochs")
    steps_per_epoch: int | None = None
    batch_size: int = _default(AlignConfig, "batch_size")
    lr: float = _default(AlignConfig, "lr")
    alpha: float = _default(AlignConfig, "alpha")
    beta: float = _default(AlignConfig, "beta")
    n_projections: int = _default(AlignConfig, "n_projections")
    eo_per_class: int = _default(AlignConfig, "eo_per_class")
    unlabeled_batch: int = _default(AlignConfig, "unlabeled_batch")
    eo_side: str = _default(AlignConfig, "eo_side")
    align_scale: str = _default(AlignConfig, "scale")
    warmup_epochs: int = _default(AlignConfig, "warmup_epochs")
    align_sar_init: str = _default(AlignConfig, "sar_init")
    align_shared_last_layer: bool = _default(AlignConfig, "shared_last_layer")
    sar_init: str = _default(FinetuneConfig, "sar_init")
    sar_only_init: str = _default(SarOnlyConfig, "sar_init")
    ce_reduction: str = _default(AlignConfig, "ce_reduction")
    sar_batches: str = _default(AlignConfig, "sar_batches")
    sar_augment: bool = _default(AlignConfig, "augment")
    gamma: float = _default(SemisupConfig, "gamma")
    contrastive_temperature: float = _default(SemisupConfig, "temperature")
    contrastive_unlabeled: int = _default(SemisupConfig, "contrastive_unlabeled")
    # None: decided per run from the data (rotate only a radar's phase, on the "re_im" input)
    phase: bool | None = None
    select: str = _default(AlignConfig, "select")
    probe_size: int = _default(AlignConfig, "probe_size")
    compile: bool = _default(AlignConfig, "compile")
    progress: bool = _default(AlignConfig, "progress")

    def __post_init__(self) -> None:
        """Check every field (wrong type: ``TypeError``; out of range: ``ValueError``)."""
        check_fields(self, "positive integer", "width", "embed_dim")
        check_value("depth", self.depth, "positive integer", minimum=3,
                    hint="three stride-2 blocks take 32x32 to 4x4")
        check_choice("pool", self.pool, POOLS)
        check_value("steps_per_epoch", self.steps_per_epoch, "positive integer", allow_none=True,
                    hint="None takes one pass over the unlabeled SAR per epoch")
        for name in ("compile", "progress", "phase", "sar_augment"):
            if not isinstance(getattr(self, name), bool) and not (name == "phase"
                                                                  and self.phase is None):
                allowed = "True, False or None" if name == "phase" else "True or False"
                raise TypeError(f"{name} must be {allowed}, got "
                                f"{type(getattr(self, name)).__name__} {getattr(self, name)!r}")
        _check_phase_fields(self)

    @classmethod
    def preset(cls, name: str = "lesson", **overrides: Any) -> MethodConfig:
        """A preset (``"ci"``, ``"lesson"``, ``"paper_lesson"``, ``"paper"``) with ``overrides``
        applied."""
        if not isinstance(name, str) or name not in PRESETS:
            raise ValueError(f"preset must be one of {sorted(PRESETS)}, got {name!r}")
        return replace(cls(**PRESETS[name]), **_checked(overrides))

    def to_dict(self) -> dict[str, Any]:
        """Plain values, for results and cache keys."""
        return asdict(self)

    def model_size(self) -> dict[str, Any]:
        """The keyword arguments of :class:`swdkit.models.YNet` that set its architecture."""
        return {name: getattr(self, name) for name in LESSON_SIZE}


def _check_phase_fields(cfg: MethodConfig) -> None:
    """Check each field that reaches a phase config with that config's own checks.

    Each is checked alone (the phase's other fields at their defaults), so the error names the
    :class:`MethodConfig` field: ``pretrain_epochs must be a positive integer, got 0``.
    """
    for cls, table in PHASE_FIELDS.items():
        for phase_name, own in table.items():
            if own == "phase" and cfg.phase is None:
                continue  # decided per run from the data (MethodConfig's docstring)
            try:
                cls(**{phase_name: getattr(cfg, own)})
            except (TypeError, ValueError) as err:
                message = str(err)
                if message.startswith(phase_name):
                    message = own + message[len(phase_name):]
                raise type(err)(message) from None


def _checked(overrides: dict[str, Any]) -> dict[str, Any]:
    known = {f.name for f in fields(MethodConfig)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ValueError(f"unknown MethodConfig settings {unknown}; valid names are "
                         f"{sorted(known)} (and 'preset')")
    return overrides


# The paper's protocol where swdkit's default departs from it (the README's protocol table; the
# input representation and the norm are set with the data and run_method, not here).
PAPER_PROTOCOL: dict[str, Any] = {
    "supcon_on": "phi", "base_temperature": None, "ce_reduction": "sum", "eo_side": "train",
    "align_scale": "raw", "warmup_epochs": 0, "sar_batches": "uniform",
    "align_sar_init": "random", "sar_augment": False,
}
PRESETS: dict[str, dict[str, Any]] = {
    "ci": {"width": 8, "embed_dim": 32, "pretrain_epochs": 3, "pretrain_batch_size": 64,
           "epochs": 2, "steps_per_epoch": 5, "n_projections": 32, "probe_size": 64,
           "progress": False},
    "lesson": {},
    "paper_lesson": dict(PAPER_PROTOCOL),
    "paper": {**GPU_SIZE, "pretrain_epochs": 30, "pretrain_batch_size": 256, "epochs": 30,
              **PAPER_PROTOCOL},
}


def resolve_config(config: MethodConfig | str | dict[str, Any] | None = None,
                   **overrides: Any) -> MethodConfig:
    """Turn ``run_method``'s ``config`` argument into a :class:`MethodConfig`.

    ``config``: None -> the lesson preset; a preset name; a dict of settings, optionally with a
    ``"preset"`` key naming the base (default ``"lesson"``); or a MethodConfig as is.
    ``overrides`` are applied on top, except those that are None: a notebook passes its
    parameters straight through and a parameter left at None keeps the preset's value.
    """
    if config is None:
        cfg = MethodConfig.preset("lesson")
    elif isinstance(config, MethodConfig):
        cfg = config
    elif isinstance(config, str):
        cfg = MethodConfig.preset(config)
    elif isinstance(config, dict):
        settings = dict(config)
        cfg = MethodConfig.preset(settings.pop("preset", "lesson"), **settings)
    else:
        raise TypeError(f"config must be None, a preset name {sorted(PRESETS)}, a dict of "
                        f"settings or a MethodConfig; got {type(config).__name__}")
    given = {k: v for k, v in overrides.items() if v is not None}
    return replace(cfg, **_checked(given)) if given else cfg


def phase_config(cls: type[TrainConfig], cfg: MethodConfig, **per_run: Any) -> TrainConfig:
    """The phase config ``cls`` holding ``cfg``'s settings (:data:`PHASE_FIELDS`) and ``per_run``.

    Example: ``phase_config(AlignConfig, cfg, seed=0, device="cpu", discrepancy="swd")``.
    """
    if cls not in PHASE_FIELDS:
        raise ValueError(f"cls must be one of {[c.__name__ for c in PHASE_FIELDS]}, got "
                         f"{getattr(cls, '__name__', cls)!r}")
    values = {phase: getattr(cfg, own) for phase, own in PHASE_FIELDS[cls].items()
              if not (own == "phase" and cfg.phase is None)}  # None: the phase's default
    return cls(**values, **per_run)
