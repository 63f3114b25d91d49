"""The semi-supervised contrastive SAR phase: views, the loss, and the phase itself."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from swdkit.losses import semisup_contrastive_loss, supcon_loss
from swdkit.models import YNet
from swdkit.train import (
    AlignConfig,
    SemisupConfig,
    align_domains,
    align_semisup,
    random_phase,
    sar_view,
)


def slow_semisup(labeled, labels, unlabeled, tau):
    """Loop over anchors: positives = same-class labeled views or the unlabeled sample's other
    views; the mean over anchors that have a positive of -(1/|P|) sum_p log softmax."""
    feats, owner, cls = [], [], []
    for i in range(labeled.shape[0]):
        for v in range(labeled.shape[1]):
            feats.append(labeled[i, v]), owner.append(("l", i)), cls.append(int(labels[i]))
    for i in range(unlabeled.shape[0]):
        for v in range(unlabeled.shape[1]):
            feats.append(unlabeled[i, v]), owner.append(("u", i)), cls.append(None)
    z = F.normalize(torch.stack(feats), dim=-1)
    total, anchors = 0.0, 0
    for a in range(len(z)):
        def positive(b, a=a):
            if b == a:
                return False
            if owner[a][0] == "l" and owner[b][0] == "l":
                return cls[a] == cls[b]
            return owner[a] == owner[b]
        pos = [b for b in range(len(z)) if positive(b)]
        if not pos:
            continue
        others = [b for b in range(len(z)) if b != a]
        log_den = torch.logsumexp(torch.stack([z[a] @ z[b] / tau for b in others]), 0)
        total = total - sum(z[a] @ z[p] / tau - log_den for p in pos) / len(pos)
        anchors += 1
    return total / anchors


def test_random_phase_keeps_amplitude_and_rotates():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(5, 2, 8, 8, dtype=torch.float64)
    y = random_phase(x, generator=gen)
    assert torch.allclose(x.pow(2).sum(1), y.pow(2).sum(1))
    assert not torch.allclose(x, y)
    assert torch.allclose(random_phase(x, angles=torch.zeros(5)), x)
    quarter = random_phase(x, angles=torch.full((5,), math.pi / 2, dtype=torch.float64))
    assert torch.allclose(quarter[:, 0], -x[:, 1]) and torch.allclose(quarter[:, 1], x[:, 0])
    again = random_phase(x, generator=torch.Generator().manual_seed(0))
    assert torch.equal(y, again)
    with pytest.raises(ValueError, match="SAR images"):
        random_phase(torch.randn(2, 3, 8, 8))


def test_sar_view_shape_and_determinism():
    x = torch.randn(4, 2, 32, 32)
    a = sar_view(x, generator=torch.Generator().manual_seed(1))
    b = sar_view(x, generator=torch.Generator().manual_seed(1))
    assert a.shape == x.shape and torch.equal(a, b)
    # Without the phase rotation a view is a permutation of each image's pixels (no shift).
    c = sar_view(x, max_shift=0, phase=False, generator=torch.Generator().manual_seed(1))
    assert torch.allclose(c.flatten(2).sort(-1).values, x.flatten(2).sort(-1).values)


def test_semisup_loss_against_a_slow_reference():
    torch.manual_seed(0)
    labeled = torch.randn(6, 2, 5, dtype=torch.float64, requires_grad=True)
    labels = torch.tensor([0, 1, 0, 2, 1, 0])
    unlabeled = torch.randn(4, 2, 5, dtype=torch.float64, requires_grad=True)
    fast = semisup_contrastive_loss(labeled, labels, unlabeled, temperature=0.2)
    slow = slow_semisup(labeled, labels, unlabeled, 0.2)
    assert torch.allclose(fast, slow)
    g_fast = torch.autograd.grad(fast, [labeled, unlabeled])
    g_slow = torch.autograd.grad(slow, [labeled, unlabeled])
    for a, b in zip(g_fast, g_slow, strict=True):
        assert torch.allclose(a, b)


def test_semisup_loss_reduces_to_supcon_and_simclr():
    torch.manual_seed(1)
    labeled, labels = torch.randn(5, 2, 4), torch.tensor([0, 0, 1, 1, 2])
    unlabeled = torch.randn(3, 2, 4)
    empty = torch.zeros(0, 2, 4)
    assert torch.allclose(semisup_contrastive_loss(labeled, labels, empty, temperature=0.1),
                          supcon_loss(labeled, labels, temperature=0.1, base_temperature=0.1))
    assert torch.allclose(
        semisup_contrastive_loss(empty, torch.zeros(0, dtype=torch.long), unlabeled,
                                 temperature=0.1),
        supcon_loss(unlabeled, None, temperature=0.1, base_temperature=0.1))
    with pytest.raises(ValueError, match="must agree in V and D"):
        semisup_contrastive_loss(labeled, labels, torch.randn(3, 2, 7))


def _tiny_data(seed=0, n_classes=3):
    g = torch.Generator().manual_seed(seed)
    eo = (torch.randn(60, 3, 32, 32, generator=g), torch.arange(60) % n_classes)
    lab = (torch.randn(9, 2, 32, 32, generator=g), torch.arange(9) % n_classes)
    unl = torch.randn(40, 2, 32, 32, generator=g)
    return eo, lab, unl


def _net(seed=0):
    torch.manual_seed(seed)
    return YNet(n_classes=3, norm="instance", width=4, embed_dim=8, depth=3)


def test_gamma_zero_is_exactly_the_papers_alignment_phase():
    eo, lab, unl = _tiny_data()
    common = {"epochs": 2, "batch_size": 8, "unlabeled_batch": 16, "eo_per_class": 4,
              "n_projections": 16, "device": "cpu", "progress": False, "seed": 3}
    a, b = _net(), _net()
    align_domains(a, eo, lab, unl, AlignConfig(**common))
    hist = align_semisup(b, eo, lab, unl, SemisupConfig(gamma=0.0, **common)).history
    for (name, p), q in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        assert torch.allclose(p, q, atol=1e-6), name
    assert all("contrastive" not in h for h in hist)


def test_the_contrastive_term_changes_training_and_stays_finite():
    eo, lab, unl = _tiny_data()
    common = {"epochs": 3, "batch_size": 8, "unlabeled_batch": 16, "eo_per_class": 4,
              "n_projections": 16, "device": "cpu", "progress": False, "seed": 3,
              "contrastive_unlabeled": 8}
    a, b = _net(), _net()
    align_semisup(a, eo, lab, unl, SemisupConfig(gamma=0.0, **common))
    hist = align_semisup(b, eo, lab, unl, SemisupConfig(gamma=1.0, **common)).history
    assert not torch.allclose(a.sar_encoder.features[0].weight, b.sar_encoder.features[0].weight)
    assert all(math.isfinite(h["loss"]) for h in hist)
    assert hist[-1]["contrastive"] < hist[0]["contrastive"] + 1.0


def test_config_checks():
    with pytest.raises(ValueError, match="gamma must be a finite number >= 0"):
        SemisupConfig(gamma=-1)
    with pytest.raises(ValueError, match="contrastive_unlabeled"):
        SemisupConfig(contrastive_unlabeled=-3)
    with pytest.raises(ValueError, match="temperature must be a finite number > 0"):
        SemisupConfig(temperature=0.0)
    with pytest.raises(ValueError, match="gamma must be a finite number >= 0, got inf"):
        SemisupConfig(gamma=float("inf"))
    with pytest.raises(TypeError, match="max_shift must be an integer >= 0, got bool True"):
        SemisupConfig(max_shift=True)
    with pytest.raises(TypeError, match="must be a SemisupConfig"):
        align_semisup(_net(), *_tiny_data(), AlignConfig(device="cpu"))


def _lesson_data(n_per_class=12, k=3, seed=0):
    import numpy as np

    from swdkit.data import Split
    from swdkit.data._lesson import LessonData

    rng = np.random.default_rng(seed)

    def split(n):
        labels = np.repeat(np.arange(k), n).astype(np.int64)
        shift = labels[:, None, None, None].astype(np.float32)
        return Split(eo=rng.normal(size=(len(labels), 3, 32, 32)).astype(np.float32) + shift,
                     sar=rng.normal(size=(len(labels), 2, 32, 32)).astype(np.float32) * (
                         1 + shift), labels=labels, class_names=[f"c{i}" for i in range(k)])

    return LessonData(train=split(n_per_class), val=split(4), test=split(5), stats=None,
                      class_names=[f"c{i}" for i in range(k)], n_classes=k, data_dir=".",
                      source="synthetic")


@pytest.mark.slow
def test_semisup_with_gamma_zero_pairs_exactly_with_swd(tmp_path):
    from swdkit.methods import run_method

    def run_semisup(data, **kwargs):
        return run_method(data, method="semisup", **kwargs)

    data = _lesson_data()
    common = {"n_labeled": 6, "seed": 1, "device": "cpu", "checkpoint_dir": tmp_path}
    swd = run_method(data, method="swd", config="ci", **common)
    semi = run_semisup(data, config={"preset": "ci", "gamma": 0.0}, **common)
    assert semi.method == "semisup" and semi.pretrain.cached  # the EO cache is shared
    assert list(semi.labeled_indices) == list(swd.labeled_indices)
    assert semi.test_accuracy == swd.test_accuracy
    for p, q in zip(swd.net.state_dict().values(), semi.net.state_dict().values(),
                    strict=True):
        assert torch.allclose(p, q, atol=1e-6)
    on = run_semisup(data, config={"preset": "ci", "gamma": 1.0, "contrastive_unlabeled": 8},
                     **common)
    assert "contrastive" in on.history[-1] and on.config["gamma"] == 1.0
