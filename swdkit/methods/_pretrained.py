"""The EO side of every transfer run: a fresh Y-net and its EO pretraining, cached on disk.

The cache file ``checkpoint_dir/eo_<norm>_<ce|supcon>_seed<seed>_<key>.pt`` is keyed by the
network size, every pretraining setting, the seed and a fingerprint of the training data, so
every method run with one seed starts from the same pretrained phi and h.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from swdkit.device import pick_device
from swdkit.methods._config import MethodConfig, phase_config, resolve_config
from swdkit.models import NORMS, YNet, save_checkpoint
from swdkit.train import PretrainConfig, evaluate, pretrain_eo

_EO_PARTS = ("eo_encoder.", "head.", "projector.")


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
    pre = phase_config(PretrainConfig, cfg, supcon=bool(supcon), seed=seed, device=str(dev))
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
    result = pretrain_eo(net, (data.train.eo, data.train.labels), pre, val=data.val)
    eo_val = evaluate(net, data.val, domain="eo").accuracy
    if path is not None:
        save_checkpoint(path, net, history=result.history, eo_val_accuracy=eo_val)
    return net, PretrainedEO(history=result.history, eo_val_accuracy=eo_val,
                             seconds=time.perf_counter() - start, cached=False, path=path)
