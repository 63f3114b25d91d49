"""supcon_loss against a slow anchor-by-anchor reference, SimCLR and pytorch-metric-learning."""

from __future__ import annotations

import math

import pytest
import torch
from losses_reference import supcon_reference

from swdkit.losses import supcon_loss

F64 = torch.float64


def views(b, v, d, *, seed=0, dtype=F64):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(b, v, d, generator=g, dtype=dtype)


CASES = [  # (B, V, labels): ties, singletons with V = 1, three views
    (6, 2, [0, 1, 0, 2, 1, 3]),
    (7, 1, [0, 0, 1, 2, 1, 1, 5]),
    (5, 3, [4, 4, 4, 1, 2]),
]


@pytest.mark.parametrize("b,v,labels", CASES)
@pytest.mark.parametrize("temperature,base", [(0.07, 0.07), (0.1, 0.07), (0.5, 1.0)])
def test_supcon_equals_slow_reference_values_and_gradients(b, v, labels, temperature, base):
    features = views(b, v, 5, seed=b * v).requires_grad_(True)
    labels = torch.tensor(labels)
    got = supcon_loss(features, labels, temperature=temperature, base_temperature=base)
    (got_grad,) = torch.autograd.grad(got, features)
    ref_features = features.detach().clone().requires_grad_(True)
    expected = supcon_reference(ref_features, labels, temperature, base)
    (expected_grad,) = torch.autograd.grad(expected, ref_features)
    assert got.item() == pytest.approx(expected.item(), rel=1e-12)
    assert torch.allclose(got_grad, expected_grad, rtol=1e-10, atol=1e-13)


def test_simclr_case_is_nt_xent_over_the_other_view():
    b, tau = 5, 0.2
    features = views(b, 2, 4, seed=1)
    got = supcon_loss(features, temperature=tau, base_temperature=tau)
    z = torch.nn.functional.normalize(torch.cat([features[:, 0], features[:, 1]]), dim=1)
    sim = z @ z.T / tau
    terms = []
    for i in range(2 * b):  # NT-Xent (Chen et al. 2020): the partner is the other view
        partner = (i + b) % (2 * b)
        others = torch.cat([sim[i, :i], sim[i, i + 1:]])
        terms.append(-(sim[i, partner] - torch.logsumexp(others, 0)))
    assert got.item() == pytest.approx(torch.stack(terms).mean().item(), rel=1e-12)
    assert got.item() == pytest.approx(supcon_loss(features, torch.arange(b) * 3,
                                                   temperature=tau,
                                                   base_temperature=tau).item(), rel=1e-14)


def test_supcon_equals_pytorch_metric_learning_with_like_settings():
    losses = pytest.importorskip("pytorch_metric_learning.losses")
    features = views(32, 2, 16, seed=3, dtype=torch.float32)
    labels = torch.randint(0, 5, (32,), generator=torch.Generator().manual_seed(2))
    # PML takes (B*V, D) plus labels and has no tau / tau_b factor: set tau_b = tau.
    pml = losses.SupConLoss(temperature=0.07)(torch.cat(torch.unbind(features, 1)),
                                              labels.repeat(2))
    ours = supcon_loss(features, labels, temperature=0.07, base_temperature=0.07)
    assert ours.item() == pytest.approx(pml.item(), rel=1e-5)


def test_anchors_without_positive_are_left_out_and_never_nan():
    features = views(4, 1, 3, seed=4).requires_grad_(True)
    none_shared = supcon_loss(features, torch.tensor([0, 1, 2, 3]))
    none_shared.backward()
    assert none_shared.item() == 0.0 and torch.equal(features.grad, torch.zeros_like(features))
    single_view_simclr = supcon_loss(features)  # no other view: no positive at all
    assert single_view_simclr.item() == 0.0
    one_pair = supcon_loss(features.detach(), torch.tensor([0, 1, 0, 3]))
    expected = supcon_reference(features.detach(), torch.tensor([0, 1, 0, 3]), 0.07, 0.07)
    assert math.isfinite(one_pair.item())
    assert one_pair.item() == pytest.approx(expected.item(), rel=1e-12)


def test_identical_features_and_large_inputs_stay_finite():
    features = torch.ones(6, 2, 3, dtype=torch.float32, requires_grad=True)
    out = supcon_loss(features, torch.tensor([0, 0, 1, 1, 2, 2]), temperature=0.01,
                      base_temperature=0.01)
    out.backward()
    assert math.isfinite(out.item()) and torch.isfinite(features.grad).all()
    assert out.item() == pytest.approx(math.log(11), rel=1e-5)  # all 11 others equally likely
    big = (views(8, 2, 4, seed=5, dtype=torch.float32) * 1e4).requires_grad_(True)
    out = supcon_loss(big, torch.arange(8) % 3, temperature=0.01)
    out.backward()
    assert math.isfinite(out.item()) and torch.isfinite(big.grad).all()


def test_scale_invariance_gradcheck_and_dtype():
    features = views(4, 2, 3, seed=6)
    labels = torch.tensor([0, 1, 1, 0])
    assert supcon_loss(3.7 * features, labels).item() == pytest.approx(
        supcon_loss(features, labels).item(), rel=1e-12)
    torch.autograd.gradcheck(lambda f: supcon_loss(f, labels, temperature=0.5),
                             (features.clone().requires_grad_(True),))
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    for device in devices:
        for dtype in (torch.float32, F64):
            out = supcon_loss(features.to(device, dtype), labels.to(device))
            assert out.dtype == dtype and out.device.type == device


@pytest.mark.parametrize("args,kwargs,match", [
    ((torch.zeros(4, 3),), {}, r"shape \(B, V, D\).*\(4, 3\).*unsqueeze\(1\)"),
    ((torch.zeros(0, 2, 3),), {}, r"non-empty"),
    ((torch.zeros(4, 2, 3, dtype=torch.long),), {}, r"floating-point"),
    ((torch.zeros(4, 2, 3), torch.zeros(3, dtype=torch.long)), {},
     r"labels must have shape \(4,\)"),
    ((torch.zeros(4, 2, 3), torch.zeros(4)), {}, r"labels must hold integer class labels"),
    ((torch.zeros(4, 2, 3),), {"temperature": 0.0}, r"temperature must be a finite number > 0"),
    ((torch.zeros(4, 2, 3),), {"base_temperature": -1}, r"base_temperature must be"),
])
def test_supcon_bad_input(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        supcon_loss(*args, **kwargs)
