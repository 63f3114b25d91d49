"""Slow, obviously-correct references for the loss tests (loops and NumPy, float64).

Each reference follows the textbook definition directly, independent of swdkit's code paths.
"""

from __future__ import annotations

import math

import numpy as np
import torch


def w1d_replicated(u, v, p):
    """Exact W_p^p between uniform measures on 1-D samples u (N,) and v (M,).

    The uniform measure on N atoms equals the uniform measure on N*M atoms where each atom is
    repeated M times; with equal counts, the monotone (sorted) matching is optimal in 1-D.
    """
    u, v = np.sort(np.asarray(u, np.float64)), np.sort(np.asarray(v, np.float64))
    big_u = np.repeat(u, len(v))
    big_v = np.repeat(v, len(u))
    return float(np.mean(np.abs(big_u - big_v) ** p))


def w1d_linear_program(u, v, p):
    """Exact W_p^p by solving the transport linear program (POT's network simplex)."""
    import ot

    u, v = np.asarray(u, np.float64), np.asarray(v, np.float64)
    cost = np.abs(u[:, None] - v[None, :]) ** p
    return float(ot.emd2(np.full(len(u), 1 / len(u)), np.full(len(v), 1 / len(v)), cost))


def sliced_reference(x, y, projections, p):
    """Mean over projection columns of the replicated 1-D W_p^p (NumPy, float64)."""
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)
    proj = np.asarray(projections, np.float64)
    return float(np.mean([w1d_replicated(x @ proj[:, k], y @ proj[:, k], p)
                          for k in range(proj.shape[1])]))


def per_slice_reference(x, y, projections, p):
    """List of the 1-D W_p^p values, one per projection column."""
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)
    proj = np.asarray(projections, np.float64)
    return [w1d_replicated(x @ proj[:, k], y @ proj[:, k], p) for k in range(proj.shape[1])]


def supcon_reference(features, labels, temperature, base_temperature):
    """Khosla et al. (2020) Eq. 2, anchor by anchor, in torch (so gradients can be compared).

    Anchors without a positive are left out of the mean; returns None if none has one.
    """
    n_samples, n_views, _ = features.shape
    z, lab = [], []
    for b in range(n_samples):
        for v in range(n_views):
            z.append(features[b, v] / torch.sqrt((features[b, v] ** 2).sum()))
            lab.append(int(labels[b]) if labels is not None else b)
    terms = []
    for i in range(len(z)):
        positives = [j for j in range(len(z)) if j != i and lab[j] == lab[i]]
        if not positives:
            continue
        denominator = sum(torch.exp(z[i] @ z[k] / temperature) for k in range(len(z)) if k != i)
        log_probs = [torch.log(torch.exp(z[i] @ z[j] / temperature) / denominator)
                     for j in positives]
        terms.append(-sum(log_probs) / len(positives))
    if not terms:
        return None
    return (temperature / base_temperature) * sum(terms) / len(terms)


def mmd_reference(x, y, bandwidth):
    """Unbiased Gaussian-kernel MMD^2 by double loops (Gretton et al. 2012)."""
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)

    def k(a, b):
        return math.exp(-np.sum((a - b) ** 2) / (2 * bandwidth**2))

    n, m = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    xy = sum(k(x[i], y[j]) for i in range(n) for j in range(m)) / (n * m)
    return xx + yy - 2 * xy


def median_distance_reference(x, y):
    """Median of the pairwise Euclidean distances i < j over the pooled sample (NumPy)."""
    z = np.concatenate([np.asarray(x, np.float64), np.asarray(y, np.float64)])
    dists = [np.linalg.norm(z[i] - z[j]) for i in range(len(z)) for j in range(i + 1, len(z))]
    return float(np.median(dists))
