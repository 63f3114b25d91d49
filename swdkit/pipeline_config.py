"""Settings of one transfer experiment, with presets sized for CI, the lessons and the grid.

:class:`MethodConfig` is flat on purpose: its field names are the project's vocabulary
(``epochs``, ``batch_size``, ``lr``, ``alpha``, ``beta``, ``n_projections``...), so a grid
config or a notebook overrides a setting by name: ``{"preset": "lesson", "epochs": 5}``.

Presets (``MethodConfig.preset(name)``):

- ``"ci"``: seconds per run on 2 CPU cores; tests the plumbing, learns little.
- ``"lesson"``: the default; one method in well under a minute on a laptop CPU (see
  benchmarks/README.md for measured times). The alignment settings follow what a throwaway
  prototype found on CPU-sized synthetic data (the project's PROTOTYPE_FINDINGS notes): alpha =
  beta = 10, 16 EO samples per class and 64 unlabeled SAR per step, L = 128 projections, Adam
  at 1e-3. They were not tuned on this project's data.
- ``"paper"``: the paper-style grid on a GPU: the larger network of
  :data:`swdkit.models.GPU_SIZE` and longer training.

Every method of one run takes the same number of SAR-phase steps (``epochs`` times
``steps_per_epoch``, by default one pass of the alignment loop over the unlabeled SAR pool), so
the baselines are not short-changed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class MethodConfig:
    """Everything :func:`swdkit.pipeline.run_method` needs besides the data and the method.

    Attributes:
        width, embed_dim, depth, pool: the encoders (:class:`swdkit.models.Encoder`).
        pretrain_epochs, pretrain_batch_size, pretrain_lr: EO pretraining.
        supcon_weight, temperature, max_shift: the SupCon term when ``supcon=True``.
        epochs: SAR-phase epochs (every method).
        steps_per_epoch: steps per SAR-phase epoch; None = ceil(training SAR / unlabeled_batch).
        batch_size: labeled SAR per step (capped at the number labeled).
        lr: Adam learning rate of the SAR phase.
        alpha, beta, n_projections, eo_per_class, unlabeled_batch: the alignment phase
            (:class:`swdkit.train.AlignConfig`).
        bridge: how fine-tuning starts the SAR encoder (:func:`swdkit.train.finetune`).
        select: model selection in the SAR phase: ``"last"`` (the lessons), ``"labeled"`` or
            ``"val"`` (see :mod:`swdkit.train_loop`).
        probe_size: samples per domain of the validation probe (``sw_probe``, snapshots).
        compile: ``torch.compile`` the encoders.
        progress: tqdm progress bars.
    """

    width: int = 16
    embed_dim: int = 64
    depth: int = 3
    pool: str = "mean"
    pretrain_epochs: int = 10
    pretrain_batch_size: int = 128
    pretrain_lr: float = 1e-3
    supcon_weight: float = 1.0
    temperature: float = 0.1
    max_shift: int = 2
    epochs: int = 10
    steps_per_epoch: int | None = None
    batch_size: int = 128
    lr: float = 1e-3
    alpha: float = 10.0
    beta: float = 10.0
    n_projections: int = 128
    eo_per_class: int = 16
    unlabeled_batch: int = 64
    bridge: str = "copy_except_first"
    select: str = "last"
    probe_size: int = 256
    compile: bool = False
    progress: bool = True

    @classmethod
    def preset(cls, name: str = "lesson", **overrides: Any) -> MethodConfig:
        """A preset (``"ci"``, ``"lesson"``, ``"paper"``) with ``overrides`` applied."""
        if name not in PRESETS:
            raise ValueError(f"preset must be one of {sorted(PRESETS)}, got {name!r}")
        return replace(cls(**PRESETS[name]), **_checked(overrides))

    def to_dict(self) -> dict[str, Any]:
        """Plain values, for results and cache keys."""
        return asdict(self)

    def model_size(self) -> dict[str, int]:
        """The keyword arguments of :class:`swdkit.models.YNet` that set its architecture."""
        return {"width": self.width, "embed_dim": self.embed_dim, "depth": self.depth,
                "pool": self.pool}


def _checked(overrides: dict[str, Any]) -> dict[str, Any]:
    known = {f.name for f in fields(MethodConfig)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ValueError(f"unknown MethodConfig settings {unknown}; valid names are "
                         f"{sorted(known)} (and 'preset')")
    return overrides


PRESETS: dict[str, dict[str, Any]] = {
    "ci": {"width": 8, "embed_dim": 32, "pretrain_epochs": 3, "pretrain_batch_size": 64,
           "epochs": 2, "steps_per_epoch": 5, "n_projections": 32, "probe_size": 64,
           "progress": False},
    "lesson": {},
    "paper": {"width": 64, "embed_dim": 128, "depth": 4, "pretrain_epochs": 30,
              "pretrain_batch_size": 256, "epochs": 30},
}


def resolve_config(config: MethodConfig | str | dict[str, Any] | None) -> MethodConfig:
    """Turn ``run_method``'s ``config`` argument into a :class:`MethodConfig`.

    None -> the lesson preset; a preset name; a dict of overrides, optionally with a
    ``"preset"`` key naming the base (default ``"lesson"``); or a MethodConfig as is.
    """
    if config is None:
        return MethodConfig.preset("lesson")
    if isinstance(config, MethodConfig):
        return config
    if isinstance(config, str):
        return MethodConfig.preset(config)
    if isinstance(config, dict):
        settings = dict(config)
        base = settings.pop("preset", "lesson")
        return MethodConfig.preset(base, **settings)
    raise ValueError(f"config must be None, a preset name {sorted(PRESETS)}, a dict of "
                     f"settings or a MethodConfig; got {type(config).__name__}")
