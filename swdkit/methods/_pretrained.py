"""The EO side of every transfer run: a fresh Y-net and its EO pretraining, cached on disk.

The cache file ``checkpoint_dir/eo_<norm>_<ce|supcon>_seed<seed>_<key>.pt`` is keyed by the
network size, every pretraining setting, the seed, a fingerprint of the training data and a
digest of the source code that defines and trains the network (:data:`CODE_PARTS`), so every
method run with one seed starts from the same pretrained phi and h, and edited code never picks
up weights the old code made. A cached file is used only when it reads (``weights_only=True``)
and its EO parts match the network key for key and shape for shape; otherwise a
:class:`CheckpointWarning` names the file and why, and the EO side is pretrained again and the
file replaced (atomically).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from swdkit._checkpoint import CheckpointError, check_state
from swdkit._checks import is_real
from swdkit._source import digest_sources
from swdkit.device import pick_device
from swdkit.methods._config import MethodConfig, phase_config, resolve_config
from swdkit.models import DEFAULT_NORM, NORMS, YNet, read_checkpoint, save_checkpoint
from swdkit.train import PretrainConfig, evaluate, pretrain_eo

_EO_PARTS = ("eo_encoder", "head", "projector")
# The source (relative to the package) whose code a cached EO pretraining depends on.
CODE_PARTS = ("models.py", "train", "losses", "methods/_config.py", "methods/_pretrained.py")


class CheckpointWarning(UserWarning):
    """A cached EO checkpoint could not be used (unreadable or not matching); it is replaced."""


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


def build_net(n_classes: int, *, norm: str, seed: int, config: MethodConfig,
              sar_channels: int = 2) -> YNet:
    """A fresh :class:`YNet` whose initial weights depend only on ``seed``, the config and the
    SAR input's channel count (2 for every lesson input; another for data built in memory)."""
    if norm not in NORMS:
        raise ValueError(f"norm must be one of {NORMS}, got {norm!r}")
    torch.manual_seed(seed)
    return YNet(n_classes=n_classes, norm=norm, sar_channels=sar_channels,
                **config.model_size())


def _fingerprint(data: Any) -> str:
    """A short hash of the training split (labels, a strided sample of the images, names)."""
    tr = data.train
    step = max(1, len(tr) // 64)
    h = hashlib.sha1()
    h.update(np.ascontiguousarray(tr.labels).tobytes())
    h.update(np.ascontiguousarray(tr.eo[::step]).tobytes())
    h.update(json.dumps([list(tr.eo.shape), list(data.class_names)]).encode())
    return h.hexdigest()


def load_or_pretrain_eo(data: Any, *, norm: str = DEFAULT_NORM, supcon: bool = False,
                        seed: int = 0, config: MethodConfig | str | dict | None = None,
                        device: str | torch.device = "auto",
                        checkpoint_dir: str | os.PathLike | None = None,
                        net: YNet | None = None) -> tuple[YNet, PretrainedEO]:
    """The EO side (phi, h and the SupCon head) pretrained on ``data.train``'s EO, cached.

    The cache file ``checkpoint_dir/eo_<norm>_<ce|supcon>_seed<seed>_<key>.pt`` is keyed by the
    network size, every pretraining setting, the seed, a fingerprint of the training data and
    the digest of the code in :data:`CODE_PARTS`; a matching file is loaded
    (``weights_only=True``, strictly) instead of training. Only the EO parts are taken from it,
    so the SAR encoder keeps the initialisation of ``net``. A file that cannot be read or does
    not match is not used: a :class:`CheckpointWarning` names it, and the EO side is pretrained
    again and saved over it (atomically).

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
        net = build_net(data.n_classes, norm=norm, seed=seed, config=cfg,
                        sar_channels=data.train.sar.shape[1])
    pre = phase_config(PretrainConfig, cfg, supcon=bool(supcon), seed=seed, device=str(dev))
    path = None
    if checkpoint_dir is not None:
        ignored = {"device", "progress"}
        if not supcon:  # settings the plain cross-entropy run does not use
            ignored |= {"supcon_weight", "temperature", "base_temperature", "supcon_on",
                        "max_shift"}
        settings = {k: v for k, v in pre.to_dict().items() if k not in ignored}
        key = hashlib.sha1(json.dumps({"net": net.config, "pretrain": settings,
                                       "data": _fingerprint(data),
                                       "code": digest_sources(*CODE_PARTS)},
                                      sort_keys=True).encode()).hexdigest()[:16]
        kind = "supcon" if supcon else "ce"
        path = Path(checkpoint_dir) / f"eo_{net.config['norm']}_{kind}_seed{seed}_{key}.pt"
        cached = _load_cached(path, net) if path.is_file() else None
        if cached is not None:
            net.to(dev)
            return net, PretrainedEO(history=cached["history"],
                                     eo_val_accuracy=float(cached["eo_val_accuracy"]),
                                     seconds=time.perf_counter() - start, cached=True, path=path)
    result = pretrain_eo(net, (data.train.eo, data.train.labels), pre, val=data.val)
    eo_val = evaluate(net, data.val, domain="eo").accuracy
    if path is not None:
        save_checkpoint(path, net, history=result.history, eo_val_accuracy=eo_val)
    return net, PretrainedEO(history=result.history, eo_val_accuracy=eo_val,
                             seconds=time.perf_counter() - start, cached=False, path=path)


def _load_cached(path: Path, net: YNet) -> dict[str, Any] | None:
    """The payload of the cache file ``path`` with its EO parts loaded into ``net``.

    None, with a :class:`CheckpointWarning` naming the file and why, when it cannot be read or
    does not match ``net`` (then nothing of it is loaded).
    """
    try:
        payload = read_checkpoint(path)
        if payload["config"] != net.config:
            raise CheckpointError(path, f"was saved for another network ({payload['config']})")
        if not (isinstance(payload.get("history"), list)
                and is_real(payload.get("eo_val_accuracy"))):
            raise CheckpointError(path, "lacks the pretraining record (history, "
                                  "eo_val_accuracy)")
        parts = {name: {k[len(name) + 1:]: v for k, v in payload["state_dict"].items()
                        if k.startswith(name + ".")} for name in _EO_PARTS}
        for name, state in parts.items():
            check_state(getattr(net, name), state, path=path, prefix=name + ".")
    except CheckpointError as err:
        warnings.warn(f"EO checkpoint {str(path)!r} {err.problem}; it is not used: the EO side "
                      "is pretrained again and the file replaced", CheckpointWarning,
                      stacklevel=3)
        return None
    for name, state in parts.items():
        getattr(net, name).load_state_dict(state, strict=True)
    return payload
