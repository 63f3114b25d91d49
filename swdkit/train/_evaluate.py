"""Measuring a Y-net: embeddings of a whole set, predictions, accuracy and confusion.

:func:`evaluate` gives the accuracy, per-class accuracy (recall) and the confusion matrix of one
domain; :func:`embed_all` and :func:`predict` work in batches without gradients.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from swdkit.device import autocast
from swdkit.train._batches import labeled_tensors, prepare_batch


def net_device(net: torch.nn.Module) -> torch.device:
    """The device of the network's parameters."""
    return next(net.parameters()).device


@torch.no_grad()
def embed_all(net: Any, x: torch.Tensor, domain: str, *, batch_size: int = 1024) -> torch.Tensor:
    """Embeddings ``(N, D)`` float32 of images ``x`` ``(N, C, 32, 32)`` in evaluation mode.

    The network's train/eval mode is restored afterwards.
    """
    was_training = net.training
    net.eval()
    device = net_device(net)
    try:
        chunks = []
        for start in range(0, len(x), batch_size):
            batch = prepare_batch(x[start:start + batch_size].to(device))
            with autocast(device):
                chunks.append(net.embed(batch, domain).float())
        return torch.cat(chunks)
    finally:
        net.train(was_training)


@torch.no_grad()
def predict(net: Any, x: torch.Tensor, domain: str, *, batch_size: int = 1024) -> torch.Tensor:
    """Predicted classes ``(N,)`` int64: ``argmax_k h(embed(x))_k``."""
    z = embed_all(net, x, domain, batch_size=batch_size)
    return net.classify(z).argmax(dim=1)


@dataclass
class Evaluation:
    """Accuracy of one domain.

    Attributes:
        accuracy: fraction of correct predictions, in [0, 1].
        per_class_accuracy: float ``(K,)``, recall of each class (NaN for a class without
            samples).
        confusion: int64 ``(K, K)``; ``confusion[i, j]`` counts samples of class i predicted
            as class j.
        n: number of samples.
    """

    accuracy: float
    per_class_accuracy: np.ndarray
    confusion: np.ndarray
    n: int



def confusion_matrix(y_true: torch.Tensor, y_pred: torch.Tensor, n_classes: int) -> np.ndarray:
    """``(K, K)`` counts: row = true class, column = predicted class."""
    flat = (y_true.long().cpu() * n_classes + y_pred.long().cpu())
    counts = torch.bincount(flat, minlength=n_classes * n_classes)
    return counts.reshape(n_classes, n_classes).numpy().astype(np.int64)


def evaluate(net: Any, data: Any, *, domain: str, batch_size: int = 1024) -> Evaluation:
    """Accuracy, per-class accuracy and confusion matrix of ``net`` on ``data``.

    Args:
        net: a :class:`swdkit.models.YNet` (evaluated on its own device, in eval mode).
        data: a pair ``(x, y)`` or a :class:`swdkit.data.Split`.
        domain: ``"eo"`` (phi then h) or ``"sar"`` (psi then h).
        batch_size: images per forward pass.
    """
    if domain not in ("eo", "sar"):
        raise ValueError(f"domain must be 'eo' or 'sar', got {domain!r}")
    k = net.config["n_classes"]
    x, y = labeled_tensors(data, name="data", device=torch.device("cpu"),
                           channels=net.config[f"{domain}_channels"], n_classes=k, domain=domain)
    pred = predict(net, x, domain, batch_size=batch_size).cpu()
    conf = confusion_matrix(y, pred, k)
    support = conf.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_class = np.diag(conf) / support
    return Evaluation(accuracy=float(np.trace(conf) / conf.sum()),
                      per_class_accuracy=per_class.astype(np.float64), confusion=conf, n=len(y))
