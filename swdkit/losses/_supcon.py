"""Supervised contrastive loss (SupCon), with SimCLR as its label-free special case, and the
semi-supervised mix of both (labeled and unlabeled views in one loss)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.autograd.function import once_differentiable

from swdkit.losses._checks import check_labels, check_positive


class _SupConFromWeights(torch.autograd.Function):
    """loss = -sum_i c_i [ sum_j w_ij s_ij - log sum_{j != i} exp(s_ij) ], s = f f^T / tau.

    ``f (n, D)`` unit rows, ``w (n, n)`` positive weights (zero diagonal, rows summing to 1 or
    0), ``c (n,)`` anchor coefficients. The gradient is written by hand: with
    softmax_ij = exp(s_ij) / sum_{k != i} exp(s_ik),
        dL/ds_ij = c_i (softmax_ij - w_ij),   dL/df = (G + G^T) f / tau.
    This saves autograd's bookkeeping over several (n, n) temporaries.
    """

    @staticmethod
    def forward(ctx, f, w, c, tau):
        logits = torch.mm(f, f.T).mul_(1.0 / tau)
        logits.diagonal().fill_(float("-inf"))
        row_max = logits.amax(dim=1, keepdim=True)
        softmax = torch.exp(logits - row_max)
        norm = softmax.sum(dim=1, keepdim=True)
        softmax.div_(norm)
        log_norm = (norm.log() + row_max).squeeze(1)
        logits.diagonal().fill_(0.0)  # w is zero there; avoids 0 * -inf
        per_anchor = (logits * w).sum(dim=1) - log_norm
        ctx.save_for_backward(f, w, c, softmax)
        ctx.tau = tau
        return -(c * per_anchor).sum()

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_out):
        f, w, c, softmax = ctx.saved_tensors
        g = (softmax - w).mul_((c * grad_out).unsqueeze(1))
        g = g + g.T
        return torch.mm(g, f).mul_(1.0 / ctx.tau), None, None, None


def supcon_loss(features: torch.Tensor, labels: torch.Tensor | None = None, *,
                temperature: float = 0.07, base_temperature: float = 0.07) -> torch.Tensor:
    """Supervised contrastive loss of Khosla et al. (2020), every view an anchor ("all" mode).

    With the B*V normalised embeddings z_i = f_i / ||f_i|| (B samples, V views each),
    P(i) = the other embeddings sharing i's label, A = the anchors with P(i) non-empty:

        L = (tau / tau_b) * (1/|A|) sum_{i in A} -(1/|P(i)|) sum_{p in P(i)}
                log( exp(z_i . z_p / tau) / sum_{k != i} exp(z_i . z_k / tau) ).

    This is the loss that is minimised (the seed paper's Eq. 3 prints it without the leading
    minus sign). ``labels=None`` gives the self-supervised SimCLR/NT-Xent case: only the other
    views of the same sample are positives. Anchors without a positive (a class seen once with
    V = 1) are left out of the mean; if no anchor has one, the result is a differentiable zero.
    Reference: Khosla et al., "Supervised contrastive learning", NeurIPS 2020 (Eq. 2).

    pytorch-metric-learning's ``SupConLoss(temperature=t)`` on the ``(B*V, D)`` embeddings
    equals this loss with ``temperature=base_temperature=t`` (it has no tau / tau_b factor,
    and its default t is 0.1).

    Args:
        features: ``(B, V, D)`` embeddings, V views of B samples (normalised here).
        labels: ``(B,)`` integer class labels, or None for SimCLR.
        temperature: tau > 0.
        base_temperature: tau_b > 0; the loss is scaled by tau / tau_b.

    Returns:
        Scalar tensor on the features' device and dtype. First-order differentiable (the
        backward pass is written by hand; double backward is not supported).
    """
    if not isinstance(features, torch.Tensor) or features.ndim != 3:
        shape = tuple(features.shape) if isinstance(features, torch.Tensor) else type(features)
        hint = " For a single view use features.unsqueeze(1)." if getattr(
            features, "ndim", 0) == 2 else ""
        raise ValueError(f"features must be a tensor of shape (B, V, D) (samples, views, "
                         f"features); got {shape}.{hint}")
    if not features.is_floating_point():
        raise ValueError(f"features must have a floating-point dtype; got {features.dtype}.")
    if min(features.shape) < 1:
        raise ValueError(f"features must be non-empty; got shape {tuple(features.shape)}.")
    temperature = check_positive("temperature", temperature)
    base_temperature = check_positive("base_temperature", base_temperature)
    n_samples, n_views, dim = features.shape
    if labels is None:
        labels = torch.arange(n_samples, device=features.device)
    else:
        labels = check_labels("labels", labels, n_samples, features.device)
    anchor_labels = labels.repeat_interleave(n_views)  # row-major: sample i's views are adjacent
    positives = anchor_labels.unsqueeze(0) == anchor_labels.unsqueeze(1)
    positives.fill_diagonal_(False)
    n_positives = positives.sum(dim=1)
    has_positive = n_positives > 0
    n_anchors = int(has_positive.sum())
    if n_anchors == 0:
        return features.sum() * 0.0
    dtype = features.dtype
    weights = positives.to(dtype).div_(n_positives.clamp(min=1).to(dtype).unsqueeze(1))
    coef = has_positive.to(dtype) * (temperature / base_temperature / n_anchors)
    unit = F.normalize(features, dim=-1).reshape(n_samples * n_views, dim)
    return _SupConFromWeights.apply(unit, weights, coef, temperature)


def semisup_contrastive_loss(labeled: torch.Tensor, labels: torch.Tensor,
                             unlabeled: torch.Tensor, *, temperature: float = 0.1
                             ) -> torch.Tensor:
    """SupCon over labeled and unlabeled views together (semi-supervised contrastive).

    Each unlabeled sample gets a label of its own (``labels.max() + 1 + i``), so its only
    positives are its other views, then :func:`swdkit.losses.supcon_loss` runs on all samples.

    Args:
        labeled: ``(B, V, D)`` projections of V views of the labeled samples (B may be 0).
        labels: ``(B,)`` their classes.
        unlabeled: ``(U, V, D)`` projections of V views of unlabeled samples (U may be 0).
        temperature: tau (also the base temperature, so the loss is not rescaled).

    Returns:
        Scalar tensor.
    """
    if labeled.ndim != 3 or unlabeled.ndim != 3 or labeled.shape[1:] != unlabeled.shape[1:]:
        raise ValueError(f"labeled (B, V, D) and unlabeled (U, V, D) must agree in V and D; got "
                         f"{tuple(labeled.shape)} and {tuple(unlabeled.shape)}")
    start = int(labels.max()) + 1 if len(labels) else 0
    own = torch.arange(start, start + len(unlabeled), device=labels.device, dtype=labels.dtype)
    return supcon_loss(torch.cat([labeled, unlabeled]), torch.cat([labels, own]),
                       temperature=temperature, base_temperature=temperature)
