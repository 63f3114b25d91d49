"""Measuring a Y-net: embeddings of a whole set, predictions, accuracy and confusion.

:func:`evaluate` gives the accuracy, per-class accuracy (recall), the confusion matrix, per-class
F1, Cohen's kappa and the accuracy per city of one domain; :func:`embed_all` and :func:`predict`
work in batches without gradients. :func:`f1_per_class`, :func:`cohen_kappa` and
:func:`accuracy_by_group` are plain numpy on a confusion matrix or on label arrays, so stored
records (which keep the confusion matrix) can be scored again without a network.
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


def f1_per_class(confusion: Any) -> np.ndarray:
    """Per-class F1 score ``(K,)`` float64 of a ``(K, K)`` confusion matrix (rows true).

    With ``TP_k = C[k, k]``, ``FN_k = sum_j C[k, j] - TP_k`` and ``FP_k = sum_i C[i, k] - TP_k``,

        F1_k = 2 P_k R_k / (P_k + R_k) = 2 TP_k / (2 TP_k + FP_k + FN_k),

    the harmonic mean of precision ``P_k`` and recall ``R_k``. A class that is neither present
    nor predicted has no F1 (NaN); a class never predicted, or never right, scores 0 (as
    ``sklearn.metrics.f1_score`` with ``zero_division=0``). The macro F1 is the mean over the
    classes that have one: ``np.nanmean(f1_per_class(C))``.
    """
    conf = np.asarray(confusion, dtype=np.float64)
    if conf.ndim != 2 or conf.shape[0] != conf.shape[1]:
        raise ValueError(f"confusion must be a square (K, K) matrix, got shape {conf.shape}")
    tp = np.diag(conf)
    denominator = conf.sum(axis=0) + conf.sum(axis=1)  # 2 TP + FP + FN
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, 2 * tp / denominator, np.nan)


def macro_f1(confusion: Any) -> float:
    """Macro F1: the mean of :func:`f1_per_class` over the classes that have one (NaN if none)."""
    f1 = f1_per_class(confusion)
    return float(np.mean(f1[np.isfinite(f1)])) if np.isfinite(f1).any() else float("nan")


def cohen_kappa(confusion: Any) -> float:
    """Cohen's kappa of a ``(K, K)`` confusion matrix: agreement beyond chance.

        kappa = (p_o - p_e) / (1 - p_e),   p_o = sum_k C[k, k] / N,
        p_e = sum_k (sum_j C[k, j]) (sum_i C[i, k]) / N^2,

    where ``p_e`` is the agreement expected from the two marginals alone (Cohen 1960, "A
    coefficient of agreement for nominal scales", Educ. Psychol. Meas. 20(1)). 1 is perfect,
    0 is chance level; NaN when ``p_e = 1`` (one class in truth and prediction) or ``N = 0``.
    """
    conf = np.asarray(confusion, dtype=np.float64)
    if conf.ndim != 2 or conf.shape[0] != conf.shape[1]:
        raise ValueError(f"confusion must be a square (K, K) matrix, got shape {conf.shape}")
    total = conf.sum()
    if total <= 0:
        return float("nan")
    observed = np.trace(conf) / total
    expected = float(conf.sum(axis=1) @ conf.sum(axis=0)) / total**2
    return float("nan") if expected >= 1 else float((observed - expected) / (1 - expected))


def accuracy_by_group(y_true: Any, y_pred: Any, groups: Any
                      ) -> tuple[dict[int, float], dict[int, int]]:
    """Accuracy and sample count of each group (e.g. each test city), keyed by group id.

    Args:
        y_true, y_pred: int ``(N,)`` labels and predictions.
        groups: int ``(N,)`` group id of each sample.

    Returns:
        ``({g: mean(y_pred == y_true over group g)}, {g: n_g})``, groups in increasing order.
    """
    y_true, y_pred = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    groups = np.asarray(groups).ravel()
    if not len(y_true) == len(y_pred) == len(groups):
        raise ValueError(f"y_true, y_pred and groups need one entry per sample; got lengths "
                         f"{len(y_true)}, {len(y_pred)} and {len(groups)}")
    correct = y_true == y_pred
    ids = [int(g) for g in np.unique(groups)]
    counts = {g: int(np.sum(groups == g)) for g in ids}
    return {g: float(correct[groups == g].mean()) for g in ids}, counts


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
        city_accuracy: ``{city id: accuracy}`` when the samples' cities are known, else None.
        city_n: ``{city id: samples}`` alongside ``city_accuracy``, else None.

    ``f1``, ``macro_f1`` and ``kappa`` are read from the confusion matrix
    (:func:`f1_per_class`, :func:`cohen_kappa`).
    """

    accuracy: float
    per_class_accuracy: np.ndarray
    confusion: np.ndarray
    n: int
    city_accuracy: dict[int, float] | None = None
    city_n: dict[int, int] | None = None

    @property
    def f1(self) -> np.ndarray:
        """Per-class F1 ``(K,)`` (NaN for a class neither present nor predicted)."""
        return f1_per_class(self.confusion)

    @property
    def macro_f1(self) -> float:
        """The mean of the per-class F1 over the classes that have one (:func:`macro_f1`)."""
        return macro_f1(self.confusion)

    @property
    def kappa(self) -> float:
        """Cohen's kappa of the confusion matrix."""
        return cohen_kappa(self.confusion)


def confusion_matrix(y_true: torch.Tensor, y_pred: torch.Tensor, n_classes: int) -> np.ndarray:
    """``(K, K)`` counts: row = true class, column = predicted class."""
    flat = (y_true.long().cpu() * n_classes + y_pred.long().cpu())
    counts = torch.bincount(flat, minlength=n_classes * n_classes)
    return counts.reshape(n_classes, n_classes).numpy().astype(np.int64)


def evaluate(net: Any, data: Any, *, domain: str, batch_size: int = 1024,
             city: Any = None) -> Evaluation:
    """Accuracy, per-class accuracy, confusion matrix and accuracy per city of ``net``.

    Args:
        net: a :class:`swdkit.models.YNet` (evaluated on its own device, in eval mode).
        data: a pair ``(x, y)`` or a :class:`swdkit.data.Split`.
        domain: ``"eo"`` (phi then h) or ``"sar"`` (psi then h).
        batch_size: images per forward pass.
        city: int ``(N,)`` city of each sample; None takes ``data.city`` (a Split's; None for a
            pair or a file without cities, and then ``city_accuracy`` is None).
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
    city = getattr(data, "city", None) if city is None else city
    by_city, city_n = (None, None) if city is None else accuracy_by_group(y, pred, city)
    return Evaluation(accuracy=float(np.trace(conf) / conf.sum()),
                      per_class_accuracy=per_class.astype(np.float64), confusion=conf, n=len(y),
                      city_accuracy=by_city, city_n=city_n)
