"""One few-shot transfer experiment end to end.

:func:`run_method` is the unit the lessons (notebooks 04-05) and the experiment grid build on:
choose the labeled SAR, pretrain (or load) the EO side, run one method's SAR phase (the
registry, :data:`swdkit.methods.METHODS`), evaluate on the test split.

Pairing: the labeled subset is ``few_shot_indices(train.labels, n_labeled, seed=seed)`` and the
network is initialised from ``torch.manual_seed(seed)``, so every method run with one seed sees
the same labeled samples and starts from the same weights. All training SAR is the unlabeled
pool (the labeled samples included, as in the paper's setting). The validation split serves only
as the probe (``sw_probe``, snapshots) and for ``val_accuracy`` in the history; the lessons
report the last epoch (``select="last"``).

A method without a network (the registry's ``fit``, e.g. ``features``) gets the same labeled
subset, is fitted on it alone and evaluated on the same splits (:func:`run_fitted`).
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Any

import numpy as np

from swdkit._checks import check_choice, check_value
from swdkit.device import pick_device
from swdkit.methods._config import MethodConfig, resolve_config
from swdkit.methods._pretrained import PretrainedEO, build_net, load_or_pretrain_eo
from swdkit.methods._registry import get_method
from swdkit.models import DEFAULT_NORM, YNet
from swdkit.train import Evaluation, Snapshot, evaluate
from swdkit.train._evaluate import accuracy_by_group


@dataclass
class MethodResult:
    """The outcome of one :func:`run_method` call (accuracies are fractions in [0, 1]).

    Attributes:
        method, n_labeled, seed, norm, supcon: the run's settings (``n_labeled`` None = all).
        test_accuracy: SAR test accuracy.
        per_class_accuracy: SAR test accuracy per class, ``(K,)`` list.
        confusion: SAR test confusion matrix ``(K, K)`` (rows true, columns predicted).
        eo_test_accuracy: EO test accuracy of the final network (None for ``sar_only`` and
            methods without a network).
        history: the SAR phase's per-epoch history (one entry for a method without a network:
            ``labeled_accuracy``, ``val_accuracy``, ``seconds`` of the fit).
        pretrain: the EO pretraining record (None for ``sar_only`` and ``features``).
        snapshots: per-epoch :class:`swdkit.train.Snapshot` s of the validation probe (empty
            unless asked for).
        seconds: wall time of the whole run (pretraining or cache loading included).
        labeled_indices: int64 ``(n,)`` indices into the training split.
        config: the :class:`MethodConfig` used, as a dict (a method without a network: its
            model's ``settings``).
        net: the trained network (on the CPU); None for a method without a network.
        initial_probe: the validation probe's measurements before the SAR phase (SW, SAR
            accuracy, embedding scale; :func:`swdkit.train.collapse_factor` compares them with
            ``history``).
        f1_per_class: SAR test F1 of each class, ``(K,)`` list (NaN for a class neither present
            nor predicted); ``macro_f1`` their mean; ``kappa`` Cohen's kappa (all from
            ``confusion``, :mod:`swdkit.train._evaluate`).
        city_accuracy, city_n: SAR test accuracy and sample count per test city (``{city id:
            value}``), None when the test split has no ``city``.
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
    snapshots: list[Snapshot] = field(default_factory=list)
    seconds: float = 0.0
    labeled_indices: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    config: dict[str, Any] = field(default_factory=dict)
    net: YNet | None = None
    initial_probe: dict[str, float] = field(default_factory=dict)
    f1_per_class: list[float] = field(default_factory=list)
    macro_f1: float | None = None
    kappa: float | None = None
    city_accuracy: dict[int, float] | None = None
    city_n: dict[int, int] | None = None


def _test_scores(evaluation: Evaluation) -> dict[str, Any]:
    """The :class:`MethodResult` fields read from the SAR test :class:`Evaluation`."""
    return {"test_accuracy": evaluation.accuracy,
            "per_class_accuracy": np.asarray(evaluation.per_class_accuracy).tolist(),
            "confusion": np.asarray(evaluation.confusion).tolist(),
            "f1_per_class": evaluation.f1.tolist(), "macro_f1": evaluation.macro_f1,
            "kappa": evaluation.kappa, "city_accuracy": evaluation.city_accuracy,
            "city_n": evaluation.city_n}


def _check_data(data: Any) -> None:
    for name in ("train", "val", "test", "n_classes"):
        if not hasattr(data, name):
            raise TypeError(f"data must be a swdkit.data.LessonData (from "
                            f"swdkit.data.load_lesson_data()); it has no {name!r}")


def run_method(data: Any, *, method: str, n_labeled: int | None, seed: int,
               norm: str = DEFAULT_NORM, supcon: bool = False,
               config: MethodConfig | str | dict | None = None, device: str = "auto",
               checkpoint_dir: str | os.PathLike | None = None,
               snapshots: bool = False) -> MethodResult:
    """Run one method on one labeled subset and report SAR test accuracy.

    Args:
        data: a :class:`swdkit.data.LessonData`.
        method: one of :data:`swdkit.methods.METHODS` (the registry).
        n_labeled: labeled SAR samples (stratified by class); None or ``"full"`` = all.
        seed: chooses the labeled subset, the initial weights and every random draw.
        norm: ``"batch"`` (the default, :data:`swdkit.models.DEFAULT_NORM`), ``"instance"`` (the
            paper's) or ``"none"``, in both encoders.
        supcon: pretrain the EO encoder with SupCon as well (ignored by ``sar_only`` unless
            its ``sar_only_init`` is ``"eo"``).
        config: a :class:`MethodConfig`, a preset name (``"ci"``, ``"lesson"``, ``"paper"``)
            or a dict of settings with an optional ``"preset"`` key; None = ``"lesson"``.
        device: ``"auto"``, ``"cpu"``, ``"cuda"``...
        checkpoint_dir: cache of EO pretraining (None: pretrain every time).
        snapshots: keep per-epoch embedding snapshots of the validation probe.

    A method without a network ignores ``supcon``, ``device``, ``checkpoint_dir`` and
    ``snapshots``; ``norm`` is only recorded and ``config`` only checked.
    """
    start = time.perf_counter()
    chosen = get_method(method)
    if chosen.fit is not None:
        return run_fitted(data, method=method, n_labeled=n_labeled, seed=seed, norm=norm,
                          config=config, start=start)
    cfg = resolve_config(config)
    run = start_run(data, n_labeled=n_labeled, seed=seed, norm=norm, supcon=supcon,
                    config=cfg, device=device, checkpoint_dir=checkpoint_dir,
                    snapshots=snapshots, pretrain=chosen.needs_pretraining(cfg))
    phase = chosen.sar_phase(run, data)
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
        common: the per-run settings of every SAR phase's config (``steps_per_epoch``, ``seed``,
            ``device``, ``snapshot_every``); the rest comes from ``cfg`` through
            :func:`swdkit.methods.phase_config`.
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


def _labeled_subset(data: Any, *, n_labeled: int | str | None, seed: Any,
                    config: Any) -> tuple[int, MethodConfig, np.ndarray]:
    """The checked seed, the resolved config and the labeled indices every method shares."""
    from swdkit.data import few_shot_indices

    _check_data(data)
    seed = check_value("seed", seed, "integer >= 0")
    cfg = resolve_config(config)
    labeled = few_shot_indices(data.train.labels, n_labeled, seed=seed)
    if len(labeled) == 0:
        raise ValueError("n_labeled must be at least 1 for a SAR phase, got 0")
    return seed, cfg, labeled


def start_run(data: Any, *, n_labeled: int | str | None, seed: int, norm: str, supcon: bool,
              config: Any, device: str, checkpoint_dir: Any, snapshots: bool,
              pretrain: bool = True) -> RunStart:
    """The labeled subset, the network (EO-pretrained when ``pretrain``) and the phase settings.

    Arguments as for :func:`run_method`. Two methods started with the same arguments get the
    same labeled subset, initial weights and EO pretraining, so their results pair up.
    """
    seed, cfg, labeled = _labeled_subset(data, n_labeled=n_labeled, seed=seed, config=config)
    if cfg.phase is None:  # rotate the phase of SAR views only when it is a radar's phase
        complex_input = getattr(data, "sar_input", "re_im") == "re_im"
        cfg = replace(cfg, phase=complex_input and data.train.sar.shape[1] == 2
                      and getattr(data, "arbitrary_phase", True))
    dev = pick_device(device)
    net = build_net(data.n_classes, norm=norm, seed=seed, config=cfg,
                    sar_channels=data.train.sar.shape[1])
    pretrained = None
    if pretrain:
        net, pretrained = load_or_pretrain_eo(data, norm=norm, supcon=supcon, seed=seed,
                                              config=cfg, device=dev,
                                              checkpoint_dir=checkpoint_dir, net=net)
    steps = cfg.steps_per_epoch
    if steps is None:
        steps = math.ceil(len(data.train) / cfg.unlabeled_batch)
    per_run = {"steps_per_epoch": steps, "seed": seed, "device": str(dev),
               "snapshot_every": 1 if snapshots else 0}
    return RunStart(cfg=cfg, seed=seed,
                    n_labeled=None if n_labeled in (None, "full") else int(n_labeled),
                    norm=norm, supcon=bool(supcon) and pretrain, labeled=labeled,
                    sar_labeled=(data.train.sar[labeled], data.train.labels[labeled]), net=net,
                    pretrained=pretrained, common=per_run)


def finish_run(run: RunStart, data: Any, *, method: str, phase: Any,
               start: float) -> MethodResult:
    """Evaluate ``run.net`` on the test split and gather the :class:`MethodResult`.

    ``phase`` is the SAR phase's :class:`~swdkit.train.TrainResult`; ``start`` the
    ``time.perf_counter()`` at which the run began.
    """
    net = run.net
    sar_test = evaluate(net, data.test, domain="sar")
    eo_test = None if run.pretrained is None else evaluate(net, data.test,
                                                                 domain="eo").accuracy
    return MethodResult(
        method=method, n_labeled=run.n_labeled, seed=run.seed, norm=run.norm,
        supcon=run.supcon, **_test_scores(sar_test), eo_test_accuracy=eo_test,
        history=phase.history, pretrain=run.pretrained, snapshots=phase.snapshots,
        seconds=time.perf_counter() - start, labeled_indices=run.labeled,
        config=run.cfg.to_dict(), net=net.cpu(), initial_probe=dict(phase.initial))


def _scores(model: Any, split: Any, n_classes: int) -> Evaluation:
    """Accuracy, per-class accuracy (NaN for an absent class), ``(K, K)`` confusion and the
    accuracy per city (when ``split`` has a ``city``) of a fitted model."""
    y = np.asarray(split.labels, dtype=np.int64)
    pred = np.asarray(model.predict(split.sar), dtype=np.int64)
    conf = np.bincount(y * n_classes + pred, minlength=n_classes**2).reshape(n_classes,
                                                                             n_classes)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_class = np.diag(conf) / conf.sum(axis=1)
    city = getattr(split, "city", None)
    by_city, city_n = (None, None) if city is None else accuracy_by_group(y, pred, city)
    return Evaluation(accuracy=float(np.trace(conf) / max(conf.sum(), 1)),
                      per_class_accuracy=per_class, confusion=conf, n=len(y),
                      city_accuracy=by_city, city_n=city_n)


def run_fitted(data: Any, *, method: str, n_labeled: int | str | None, seed: int,
               norm: str = DEFAULT_NORM, config: Any = None,
               start: float | None = None) -> MethodResult:
    """Run a method without a network (the registry's ``fit``) as :func:`run_method` would.

    The labeled subset is the one every method gets for ``seed``; the model is fitted on it
    alone and scored on ``data.test`` (the result's accuracies) and ``data.val`` (the history's
    ``val_accuracy``). Arguments as for :func:`run_method`; ``start`` is the
    ``time.perf_counter()`` at which the run began (None: now).
    """
    from swdkit.models import NORMS

    start = time.perf_counter() if start is None else start
    chosen = get_method(method)
    if chosen.fit is None:
        raise ValueError(f"method {method!r} trains a network; use run_method")
    check_choice("norm", norm, NORMS)
    seed, _, labeled = _labeled_subset(data, n_labeled=n_labeled, seed=seed, config=config)
    fit_start = time.perf_counter()
    model = chosen.fit(data.train.sar[labeled], data.train.labels[labeled], data)
    fit_seconds = time.perf_counter() - fit_start
    k = int(data.n_classes)
    labeled_split = SimpleNamespace(sar=data.train.sar[labeled], labels=data.train.labels[labeled])
    history = [{"epoch": 1, "labeled_accuracy": _scores(model, labeled_split, k).accuracy,
                "val_accuracy": _scores(model, data.val, k).accuracy, "seconds": fit_seconds}]
    return MethodResult(
        method=method, n_labeled=None if n_labeled in (None, "full") else int(n_labeled),
        seed=seed, norm=norm, supcon=False, **_test_scores(_scores(model, data.test, k)),
        eo_test_accuracy=None,
        history=history, pretrain=None, seconds=time.perf_counter() - start,
        labeled_indices=labeled, config=dict(model.settings), net=None)
