"""One few-shot transfer experiment end to end, and the cached EO pretraining it starts from.

:func:`run_method` is the unit the lessons (notebooks 04-05) and the experiment grid build on:
choose the labeled SAR, pretrain (or load) the EO side, run one method's SAR phase, evaluate on
the test split. Methods:

- ``"sar_only"``: a fresh network's SAR encoder and head on the labeled SAR alone;
- ``"finetune"``: EO pretraining, then :func:`swdkit.train.finetune` on the labeled SAR;
- ``"swd"``: EO pretraining, then :func:`swdkit.train.align_swd` (Eq. 2 of Hussing, Li, Eaton);
- ``"mmd"``, ``"coral"``, ``"max_sliced"``: the same alignment loop with another discrepancy.

Pairing: the labeled subset is ``few_shot_indices(train.labels, n_labeled, seed=seed)`` and the
network is initialised from ``torch.manual_seed(seed)``, so every method run with one seed sees
the same labeled samples and starts from the same weights. All training SAR is the unlabeled
pool (the labeled samples included, as in the paper's setting). The validation split serves only
as the probe (``sw_probe``, snapshots) and for ``val_accuracy`` in the history; the lessons
report the last epoch (``select="last"``).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from swdkit import train
from swdkit.device import pick_device
from swdkit.models import NORMS, YNet, save_checkpoint
from swdkit.pipeline_config import PRESETS, MethodConfig, resolve_config

METHODS = ("sar_only", "finetune", "swd", "mmd", "coral", "max_sliced")
_ALIGN = {"swd": "swd", "mmd": "mmd", "coral": "coral", "max_sliced": "max_sliced"}
_EO_PARTS = ("eo_encoder.", "head.", "projector.")

__all__ = ["METHODS", "PRESETS", "MethodConfig", "MethodResult", "PretrainedEO", "build_net",
           "load_or_pretrain_eo", "resolve_config", "run_method"]


@dataclass
class PretrainedEO:
    """What :func:`load_or_pretrain_eo` did.

    Attributes:
        history: the pretraining history (per epoch), also when loaded from the cache.
        eo_val_accuracy: EO accuracy on the validation split after pretraining.
        seconds: time spent here (loading, or pretraining).
        cached: True when the weights came from ``path``.
        path: the checkpoint file, or None without a ``checkpoint_dir``.
    """

    history: list[dict[str, float]]
    eo_val_accuracy: float
    seconds: float
    cached: bool
    path: Path | None


@dataclass
class MethodResult:
    """The outcome of one :func:`run_method` call (accuracies are fractions in [0, 1]).

    Attributes:
        method, n_labeled, seed, norm, supcon: the run's settings (``n_labeled`` None = all).
        test_accuracy: SAR test accuracy.
        per_class_accuracy: SAR test accuracy per class, ``(K,)`` list.
        confusion: SAR test confusion matrix ``(K, K)`` (rows true, columns predicted).
        eo_test_accuracy: EO test accuracy of the final network (None for ``sar_only``).
        history: the SAR phase's per-epoch history.
        pretrain: the EO pretraining record (None for ``sar_only``).
        snapshots: per-epoch :class:`swdkit.train.Snapshot` s of the validation probe (empty
            unless asked for).
        seconds: wall time of the whole run (pretraining or cache loading included).
        labeled_indices: int64 ``(n,)`` indices into the training split.
        config: the :class:`MethodConfig` used, as a dict.
        net: the trained network (on the CPU).
    """

    method: str
    n_labeled: int | None
    seed: int
    norm: str
    supcon: bool
    test_accuracy: float
    per_class_accuracy: list[float]
    confusion: list[list[int]]
    eo_test_accuracy: float | None
    history: list[dict[str, float]]
    pretrain: PretrainedEO | None
    snapshots: list[train.Snapshot] = field(default_factory=list)
    seconds: float = 0.0
    labeled_indices: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    config: dict[str, Any] = field(default_factory=dict)
    net: YNet | None = None

    def summary(self) -> dict[str, Any]:
        """The headline numbers as plain values."""
        return {"method": self.method, "n_labeled": self.n_labeled, "seed": self.seed,
                "norm": self.norm, "supcon": self.supcon,
                "test_accuracy": self.test_accuracy, "eo_test_accuracy": self.eo_test_accuracy,
                "seconds": self.seconds}


def build_net(n_classes: int, *, norm: str, seed: int, config: MethodConfig) -> YNet:
    """A fresh :class:`YNet` whose initial weights depend only on ``seed`` and the config."""
    if norm not in NORMS:
        raise ValueError(f"norm must be one of {NORMS}, got {norm!r}")
    torch.manual_seed(seed)
    return YNet(n_classes=n_classes, norm=norm, **config.model_size())


def _fingerprint(data: Any) -> str:
    """A short hash of the training split (labels, a strided sample of the images, names)."""
    tr = data.train
    step = max(1, len(tr) // 64)
    h = hashlib.sha1()
    h.update(np.ascontiguousarray(tr.labels).tobytes())
    h.update(np.ascontiguousarray(tr.eo[::step]).tobytes())
    h.update(json.dumps([list(tr.eo.shape), list(data.class_names)]).encode())
    return h.hexdigest()


def _pretrain_config(cfg: MethodConfig, *, supcon: bool, seed: int,
                     device: torch.device) -> train.PretrainConfig:
    return train.PretrainConfig(epochs=cfg.pretrain_epochs, batch_size=cfg.pretrain_batch_size,
                                lr=cfg.pretrain_lr, seed=seed, device=str(device),
                                supcon=supcon, supcon_weight=cfg.supcon_weight,
                                temperature=cfg.temperature, max_shift=cfg.max_shift,
                                compile=cfg.compile, progress=cfg.progress)


def load_or_pretrain_eo(data: Any, *, norm: str = "instance", supcon: bool = False,
                        seed: int = 0, config: MethodConfig | str | dict | None = None,
                        device: str | torch.device = "auto",
                        checkpoint_dir: str | os.PathLike | None = None,
                        net: YNet | None = None) -> tuple[YNet, PretrainedEO]:
    """The EO side (phi, h and the SupCon head) pretrained on ``data.train``'s EO, cached.

    The cache file ``checkpoint_dir/eo_<norm>_<ce|supcon>_seed<seed>_<key>.pt`` is keyed by the
    network size, every pretraining setting, the seed and a fingerprint of the training data;
    a matching file is loaded (``weights_only=True``) instead of training. Only the EO parts are
    taken from it, so the SAR encoder keeps the initialisation of ``net``.

    Args:
        data: a :class:`swdkit.data.LessonData`.
        norm, supcon, seed: the pretraining variant.
        config: a :class:`MethodConfig`, preset name or dict (see :func:`resolve_config`).
        device: where to train.
        checkpoint_dir: the cache folder (None: always train, save nothing).
        net: the network to fill (default: :func:`build_net` with ``seed``).

    Returns:
        ``(net, PretrainedEO)``.
    """
    start = time.perf_counter()
    cfg = resolve_config(config)
    dev = pick_device(device)
    if net is None:
        net = build_net(data.n_classes, norm=norm, seed=seed, config=cfg)
    pre = _pretrain_config(cfg, supcon=bool(supcon), seed=seed, device=dev)
    path = None
    if checkpoint_dir is not None:
        ignored = {"device", "progress"}
        if not supcon:  # settings the plain cross-entropy run does not use
            ignored |= {"supcon_weight", "temperature", "max_shift"}
        settings = {k: v for k, v in pre.to_dict().items() if k not in ignored}
        key = hashlib.sha1(json.dumps({"net": net.config, "pretrain": settings,
                                       "data": _fingerprint(data)},
                                      sort_keys=True).encode()).hexdigest()[:16]
        kind = "supcon" if supcon else "ce"
        path = Path(checkpoint_dir) / f"eo_{net.config['norm']}_{kind}_seed{seed}_{key}.pt"
        if path.is_file():
            payload = torch.load(path, map_location="cpu", weights_only=True)
            eo_state = {k: v for k, v in payload["state_dict"].items() if k.startswith(_EO_PARTS)}
            net.load_state_dict(eo_state, strict=False)
            net.to(dev)
            return net, PretrainedEO(history=payload["history"],
                                     eo_val_accuracy=payload["eo_val_accuracy"],
                                     seconds=time.perf_counter() - start, cached=True, path=path)
    result = train.pretrain_eo(net, (data.train.eo, data.train.labels), pre, val=data.val)
    eo_val = train.evaluate(net, data.val, domain="eo").accuracy
    if path is not None:
        save_checkpoint(path, net, history=result.history, eo_val_accuracy=eo_val)
    return net, PretrainedEO(history=result.history, eo_val_accuracy=eo_val,
                             seconds=time.perf_counter() - start, cached=False, path=path)


def _check_run(data: Any, method: str, n_labeled: Any, seed: Any) -> None:
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    for name in ("train", "val", "test", "n_classes"):
        if not hasattr(data, name):
            raise ValueError(f"data must be a swdkit.data.LessonData (from "
                             f"swdkit.data.load_lesson_data()); it has no {name!r}")


def run_method(data: Any, *, method: str, n_labeled: int | None, seed: int,
               norm: str = "instance", supcon: bool = False,
               config: MethodConfig | str | dict | None = None, device: str = "auto",
               checkpoint_dir: str | os.PathLike | None = None,
               snapshots: bool = False) -> MethodResult:
    """Run one method on one labeled subset and report SAR test accuracy.

    Args:
        data: a :class:`swdkit.data.LessonData`.
        method: one of :data:`METHODS`.
        n_labeled: labeled SAR samples (stratified by class); None or ``"full"`` = all.
        seed: chooses the labeled subset, the initial weights and every random draw.
        norm: ``"instance"`` or ``"batch"`` (or ``"none"``) in both encoders.
        supcon: pretrain the EO encoder with SupCon as well (ignored by ``sar_only``).
        config: a :class:`MethodConfig`, a preset name (``"ci"``, ``"lesson"``, ``"paper"``)
            or a dict of settings with an optional ``"preset"`` key; None = ``"lesson"``.
        device: ``"auto"``, ``"cpu"``, ``"cuda"``...
        checkpoint_dir: cache of EO pretraining (None: pretrain every time).
        snapshots: keep per-epoch embedding snapshots of the validation probe.
    """
    start = time.perf_counter()
    _check_run(data, method, n_labeled, seed)
    run = start_run(data, n_labeled=n_labeled, seed=seed, norm=norm, supcon=supcon,
                    config=config, device=device, checkpoint_dir=checkpoint_dir,
                    snapshots=snapshots, pretrain=method != "sar_only")
    cfg, net = run.cfg, run.net
    kw = {"val": data.val, "probe": data.val}
    if method == "sar_only":
        phase = train.train_sar_only(net, run.sar_labeled, train.FinetuneConfig(**run.common),
                                     **kw)
    elif method == "finetune":
        phase = train.finetune(net, run.sar_labeled,
                               train.FinetuneConfig(bridge=cfg.bridge, **run.common), **kw)
    else:
        align = train.AlignConfig(discrepancy=_ALIGN[method], **align_settings(cfg),
                                  **run.common)
        phase = train.align_swd(net, (data.train.eo, data.train.labels), run.sar_labeled,
                                data.train.sar, align, **kw)
    return finish_run(run, data, method=method, phase=phase, start=start)


@dataclass
class RunStart:
    """What every method's run shares before its SAR phase (see :func:`start_run`).

    Attributes:
        cfg: the resolved :class:`MethodConfig`.
        seed: the run's seed.
        n_labeled: labeled SAR samples asked for (None = all).
        norm, supcon: the network variant.
        labeled: indices of the labeled SAR subset in the training split.
        sar_labeled: ``(x (n, 2, 32, 32), y (n,))`` the labeled SAR.
        net: the network, EO-pretrained unless the run is SAR-only.
        pretrained: the EO pretraining record (None for SAR-only).
        common: the settings every SAR phase's config takes (epochs, steps, batch, lr, seed,
            device, selection, snapshots, probe size, compile, progress).
    """

    cfg: MethodConfig
    seed: int
    n_labeled: int | None
    norm: str
    supcon: bool
    labeled: np.ndarray
    sar_labeled: tuple[np.ndarray, np.ndarray]
    net: Any
    pretrained: PretrainedEO | None
    common: dict[str, Any]


def start_run(data: Any, *, n_labeled: int | str | None, seed: int, norm: str, supcon: bool,
              config: Any, device: str, checkpoint_dir: Any, snapshots: bool,
              pretrain: bool = True) -> RunStart:
    """The labeled subset, the network (EO-pretrained when ``pretrain``) and the phase settings.

    Arguments as for :func:`run_method`. Two methods started with the same arguments get the
    same labeled subset, initial weights and EO pretraining, so their results pair up.
    """
    from swdkit.data import few_shot_indices

    cfg = resolve_config(config)
    dev = pick_device(device)
    seed = int(seed)
    labeled = few_shot_indices(data.train.labels, n_labeled, seed=seed)
    if len(labeled) == 0:
        raise ValueError("n_labeled must be at least 1 for a SAR phase, got 0")
    net = build_net(data.n_classes, norm=norm, seed=seed, config=cfg)
    pretrained = None
    if pretrain:
        net, pretrained = load_or_pretrain_eo(data, norm=norm, supcon=supcon, seed=seed,
                                              config=cfg, device=dev,
                                              checkpoint_dir=checkpoint_dir, net=net)
    steps = cfg.steps_per_epoch or math.ceil(len(data.train) / cfg.unlabeled_batch)
    common = {"epochs": cfg.epochs, "steps_per_epoch": steps, "batch_size": cfg.batch_size,
              "lr": cfg.lr, "seed": seed, "device": str(dev), "select": cfg.select,
              "snapshot_every": 1 if snapshots else 0, "probe_size": cfg.probe_size,
              "compile": cfg.compile, "progress": cfg.progress}
    return RunStart(cfg=cfg, seed=seed,
                    n_labeled=None if n_labeled in (None, "full") else int(n_labeled),
                    norm=norm, supcon=bool(supcon) and pretrain, labeled=labeled,
                    sar_labeled=(data.train.sar[labeled], data.train.labels[labeled]), net=net,
                    pretrained=pretrained, common=common)


def align_settings(cfg: MethodConfig) -> dict[str, Any]:
    """The alignment settings of ``cfg`` (alpha, beta, projections, batch make-up)."""
    return {"alpha": cfg.alpha, "beta": cfg.beta, "n_projections": cfg.n_projections,
            "eo_per_class": cfg.eo_per_class, "unlabeled_batch": cfg.unlabeled_batch}


def finish_run(run: RunStart, data: Any, *, method: str, phase: Any, start: float,
               extra_config: dict[str, Any] | None = None) -> MethodResult:
    """Evaluate ``run.net`` on the test split and gather the :class:`MethodResult`.

    ``phase`` is the SAR phase's :class:`~swdkit.train.TrainResult`; ``start`` the
    ``time.perf_counter()`` at which the run began; ``extra_config`` settings of the method's
    own, recorded with the config.
    """
    net = run.net
    sar_test = train.evaluate(net, data.test, domain="sar")
    eo_test = None if run.pretrained is None else train.evaluate(net, data.test,
                                                                 domain="eo").accuracy
    return MethodResult(
        method=method, n_labeled=run.n_labeled, seed=run.seed, norm=run.norm,
        supcon=run.supcon, test_accuracy=sar_test.accuracy,
        per_class_accuracy=sar_test.per_class_accuracy.tolist(),
        confusion=sar_test.confusion.tolist(), eo_test_accuracy=eo_test,
        history=phase.history, pretrain=run.pretrained, snapshots=phase.snapshots,
        seconds=time.perf_counter() - start, labeled_indices=run.labeled,
        config={**run.cfg.to_dict(), **(extra_config or {})}, net=net.cpu())
