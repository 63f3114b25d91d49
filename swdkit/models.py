"""The networks: a small convolutional encoder and the Y-shaped EO/SAR network built from two.

The Y-net (Rostami et al. 2019, "Deep transfer learning for few-shot SAR image classification",
Remote Sensing 11(11):1374; used by Hussing, Li and Eaton for So2Sat LCZ42) has two encoders of
identical architecture, phi for EO (Sentinel-2 RGB, 3 channels) and psi for SAR (Sentinel-1 VV
real and imaginary, 2 channels), that map 32x32 patches into one embedding space, and a single
linear classifier h that reads that space. A small projection head g serves the supervised
contrastive loss (Khosla et al. 2020) during EO pretraining.

Sizes. The default ``width=16, embed_dim=64, depth=3`` (about 28,000 parameters per encoder) is
chosen for lessons on a laptop CPU: each stride-2 convolution quarters the activation count, and
activations, not weights, set the cost of a small CNN on a CPU. For a GPU (or the paper-style
grid) use :data:`GPU_SIZE` (``width=64, embed_dim=128, depth=4``, about 1.0M parameters per
encoder); ``benchmarks/bench_train.py`` measures both.

Checkpoints are plain state dicts plus the ``config`` dict that rebuilds the network
(:func:`save_checkpoint`, :func:`load_checkpoint`); they load with ``weights_only=True`` and
strictly, and a file that cannot be used raises :class:`CheckpointError` naming it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from swdkit._checkpoint import CheckpointError, load_state_strictly, read_checkpoint
from swdkit._checks import check_value
from swdkit.fileio import atomic_path

NORMS = ("instance", "batch", "none")
# The default normalisation of both encoders, chosen on the validation cities
# (experiments/ablation.yml, benchmarks/README.md "Transfer"): batch norm trained the SAR side
# far better than instance norm with every input representation. The paper's setting is
# "instance"; it stays one argument away.
DEFAULT_NORM = "batch"
POOLS = ("mean", "flatten")
# Encoder sizes: the lessons' default (every default below reads it) and the paper-style GPU size.
LESSON_SIZE = {"width": 16, "embed_dim": 64, "depth": 3, "pool": "mean"}
GPU_SIZE = {"width": 64, "embed_dim": 128, "depth": 4, "pool": "mean"}
_PATCH = 32  # So2Sat patches are 32x32 pixels


def norm_layer(norm: str, channels: int) -> nn.Module:
    """The normalisation layer named by ``norm`` for a ``(B, C, H, W)`` feature map.

    Args:
        norm: ``"instance"`` (per sample and channel over H x W, with a learned scale and shift:
            ``nn.InstanceNorm2d(affine=True)``), ``"batch"`` (per channel over the batch and
            H x W, running statistics for evaluation: ``nn.BatchNorm2d``) or ``"none"``.
        channels: C.
    """
    if norm == "instance":
        return nn.InstanceNorm2d(channels, affine=True)
    if norm == "batch":
        return nn.BatchNorm2d(channels)
    if norm == "none":
        return nn.Identity()
    raise ValueError(f"norm must be one of {NORMS}, got {norm!r}")


class Encoder(nn.Module):
    """A small CNN mapping a 32x32 patch to an embedding: ``(B, C_in, 32, 32) -> (B, D)``.

    Blocks of ``conv3x3 -> norm -> ReLU``, except the last block, which is ``conv3x3 (with a
    bias) -> ReLU``. The first three convolutions have stride 2 and ``width``, ``2 * width``,
    ``4 * width`` channels (32 -> 16 -> 8 -> 4 pixels); any further block (``depth > 3``) keeps
    ``4 * width`` channels at 4x4. The ``(4 * width, 4, 4)`` map is pooled (``pool="mean"``:
    global average over the 4x4 positions; ``"flatten"``: all 16 positions kept) and a linear
    layer gives the embedding ``z`` in R^D.

    Two design choices, measured on the synthetic lowrise set (all 1,600 training labels, 10
    epochs, mean of seeds 0 and 1; SAR / EO test accuracy; ``benchmarks/bench_train.py
    --study``, recorded in benchmarks/README.md, "Training"):

    - No normalisation in the last block. Instance norm sets each channel's mean and spread over
      the 4x4 positions to its learned beta and gamma, so a global mean taken right after it
      keeps only the shape of each channel's 16 values. With a norm layer in every block and
      mean pooling, instance norm reached 0.254 / 0.569 (batch norm 0.477 / 0.859); without
      one in the last block 0.436 / 0.758 (batch norm 0.504 / 0.873).
    - Global average pooling. Flattening the map instead gave 0.254 / 0.781 (instance) and
      0.324 / 0.869 (batch), without the last norm layer: better EO with instance norm, much
      worse SAR. SAR classes differ in speckle statistics over the whole patch, which a global
      mean measures directly.

    Args:
        in_channels: 3 for EO (RGB), 2 for SAR (VV real, imaginary).
        norm: ``"instance"``, ``"batch"`` or ``"none"``; it sets every normalisation layer of
            the encoder, i.e. those of all blocks but the last (the paper's
            batch-versus-instance experiment).
        embed_dim: D, the size of the embedding.
        width: channels of the first block.
        depth: number of convolution blocks, at least 3.
        pool: ``"mean"`` or ``"flatten"`` (see above).
    """

    def __init__(self, in_channels: int, *, norm: str = DEFAULT_NORM,
                 embed_dim: int = LESSON_SIZE["embed_dim"], width: int = LESSON_SIZE["width"],
                 depth: int = LESSON_SIZE["depth"], pool: str = LESSON_SIZE["pool"]) -> None:
        super().__init__()
        check_value("in_channels", in_channels, "positive integer")
        check_value("embed_dim", embed_dim, "positive integer")
        check_value("width", width, "positive integer")
        check_value("depth", depth, "positive integer", minimum=3,
                    hint="three stride-2 blocks take 32x32 to 4x4")
        if norm not in NORMS:
            raise ValueError(f"norm must be one of {NORMS}, got {norm!r}")
        if pool not in POOLS:
            raise ValueError(f"pool must be one of {POOLS}, got {pool!r}")
        self.in_channels, self.norm, self.embed_dim = in_channels, norm, embed_dim
        self.width, self.depth, self.pool = width, depth, pool
        layers: list[nn.Module] = []
        channels = in_channels
        for block in range(depth):
            out = width * 2 ** min(block, 2)
            stride = 2 if block < 3 else 1
            block_norm = norm if block < depth - 1 else "none"
            # A bias before a normalisation layer is removed by it; keep one only without norm.
            layers += [nn.Conv2d(channels, out, 3, stride=stride, padding=1,
                                 bias=block_norm == "none"),
                       norm_layer(block_norm, out), nn.ReLU(inplace=True)]
            channels = out
        self.features = nn.Sequential(*layers)
        positions = 1 if pool == "mean" else (_PATCH // 8) ** 2
        self.embed = nn.Linear(channels * positions, embed_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Embed a batch ``x`` of shape ``(B, C_in, 32, 32)`` into ``(B, D)``."""
        if x.ndim != 4 or x.shape[1] != self.in_channels or x.shape[-2:] != (_PATCH, _PATCH):
            raise ValueError(f"x must have shape (B, {self.in_channels}, {_PATCH}, {_PATCH}), "
                             f"got {tuple(x.shape)}")
        features = self.features(x)
        if self.pool == "mean":
            return self.embed(features.mean(dim=(2, 3)))
        return self.embed(torch.flatten(features, 1))


class YNet(nn.Module):
    """Two encoders (EO phi, SAR psi) into one embedding space, one classifier head h.

    ``embed_eo(x_eo) = phi(x_eo)`` and ``embed_sar(x_sar) = psi(x_sar)``, both ``(B, D)``;
    ``classify(z) = h(z) = W z + b`` gives logits ``(B, K)`` for either domain;
    ``project(z) = normalize(g(z))`` gives unit vectors ``(B, P)`` for the SupCon loss
    (g: Linear-ReLU-Linear, as in Khosla et al. 2020, used only in EO pretraining).

    Args:
        eo_channels: input channels of the EO encoder.
        sar_channels: input channels of the SAR encoder.
        n_classes: K.
        norm: normalisation of both encoders (``"instance"``, ``"batch"``, ``"none"``).
        embed_dim: D.
        width: channels of the first encoder block.
        depth: convolution blocks per encoder (>= 3).
        pool: ``"mean"`` or ``"flatten"`` (see :class:`Encoder`).
        proj_dim: P, output size of the SupCon projection head (default D).
    """

    def __init__(self, *, eo_channels: int = 3, sar_channels: int = 2, n_classes: int,
                 norm: str = DEFAULT_NORM, embed_dim: int = LESSON_SIZE["embed_dim"],
                 width: int = LESSON_SIZE["width"], depth: int = LESSON_SIZE["depth"],
                 pool: str = LESSON_SIZE["pool"], proj_dim: int | None = None) -> None:
        super().__init__()
        check_value("n_classes", n_classes, "positive integer")
        proj_dim = embed_dim if proj_dim is None else check_value("proj_dim", proj_dim,
                                                                  "positive integer")
        self.config: dict[str, Any] = {
            "eo_channels": eo_channels, "sar_channels": sar_channels, "n_classes": n_classes,
            "norm": norm, "embed_dim": embed_dim, "width": width, "depth": depth, "pool": pool,
            "proj_dim": proj_dim}
        size = {"norm": norm, "embed_dim": embed_dim, "width": width, "depth": depth,
                "pool": pool}
        self.eo_encoder = Encoder(eo_channels, **size)
        self.sar_encoder = Encoder(sar_channels, **size)
        self.head = nn.Linear(embed_dim, n_classes)
        self.projector = nn.Sequential(nn.Linear(embed_dim, embed_dim), nn.ReLU(inplace=True),
                                       nn.Linear(embed_dim, proj_dim))

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> YNet:
        """Rebuild a network (fresh weights) from its ``config`` dict."""
        return cls(**config)

    @property
    def n_classes(self) -> int:
        return self.config["n_classes"]

    def embed_eo(self, x: torch.Tensor) -> torch.Tensor:
        """phi: ``(B, eo_channels, 32, 32) -> (B, D)``."""
        return self.eo_encoder(x)

    def embed_sar(self, x: torch.Tensor) -> torch.Tensor:
        """psi: ``(B, sar_channels, 32, 32) -> (B, D)``."""
        return self.sar_encoder(x)

    def embed(self, x: torch.Tensor, domain: str) -> torch.Tensor:
        """phi(x) for ``domain="eo"``, psi(x) for ``domain="sar"``."""
        if domain == "eo":
            return self.embed_eo(x)
        if domain == "sar":
            return self.embed_sar(x)
        raise ValueError(f"domain must be 'eo' or 'sar', got {domain!r}")

    def share_last_layer(self) -> None:
        """Tie psi's last layer to phi's: ``sar_encoder.embed`` becomes ``eo_encoder.embed``.

        After the call both encoders end in one ``nn.Linear`` (the same parameters), so
        ``psi(x) = W_phi pool(f_psi(x)) + b_phi`` with f_psi psi's own convolution blocks: the
        two encoders are "coupled through their last layer" (Rostami et al. 2019). psi's own
        last layer is dropped. A checkpoint of a tied network stores the weights under both
        names; rebuilt from it, the network holds two equal, untied copies.
        """
        self.sar_encoder.embed = self.eo_encoder.embed

    def classify(self, z: torch.Tensor) -> torch.Tensor:
        """h: embeddings ``(B, D)`` -> logits ``(B, K)``."""
        return self.head(z)

    def project(self, z: torch.Tensor) -> torch.Tensor:
        """g followed by L2 normalisation: ``(B, D) -> (B, P)`` unit vectors for SupCon."""
        return F.normalize(self.projector(z), dim=-1)

    def forward(self, x: torch.Tensor, domain: str = "eo") -> torch.Tensor:
        """Logits ``(B, K)`` of a batch from ``domain`` (``"eo"`` or ``"sar"``)."""
        return self.classify(self.embed(x, domain))


def count_parameters(module: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def save_checkpoint(path: str | os.PathLike, net: YNet, **extra: Any) -> Path:
    """Save ``{"config", "state_dict", **extra}`` to ``path`` atomically.

    ``extra`` values must be plain data (numbers, strings, lists, dicts, tensors) so the file
    loads with ``torch.load(..., weights_only=True)``.
    """
    payload = {"config": dict(net.config),
               "state_dict": {k: v.detach().cpu() for k, v in net.state_dict().items()},
               **extra}
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)
    return Path(path)


def load_checkpoint(path: str | os.PathLike, *,
                    map_location: str | torch.device = "cpu") -> tuple[YNet, dict[str, Any]]:
    """Rebuild the network saved by :func:`save_checkpoint`; returns ``(net, payload)``.

    Loads with ``weights_only=True`` (:func:`read_checkpoint`) and strictly: every weight of the
    network must be in the file, with its shape.

    Raises:
        FileNotFoundError: there is no such file.
        CheckpointError: (a ``ValueError``) the file is unreadable or does not match its config.
    """
    payload = read_checkpoint(path, map_location=map_location)
    try:
        net = YNet.from_config(payload["config"])
    except (TypeError, ValueError) as err:
        raise CheckpointError(path, f"holds a network config swdkit cannot build ({err})"
                              ) from None
    load_state_strictly(net, payload["state_dict"], path=path)
    return net, payload
