"""The known-pairs control: the pairing's cost against SW, and the paired alignment phase."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from swdkit.losses import paired_cost, random_projections, sliced_wasserstein
from swdkit.models import YNet
from swdkit.train import AlignConfig, PretrainConfig, align_paired, pretrain_eo


def test_paired_cost_is_the_mean_squared_distance_over_the_dimension():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(50, 6)), rng.normal(size=(50, 6))
    expected = np.mean([np.dot(a - b, a - b) for a, b in zip(x, y, strict=True)]) / 6
    got = paired_cost(torch.as_tensor(x), torch.as_tensor(y))
    assert float(got) == pytest.approx(expected, rel=1e-12)


def test_paired_cost_is_the_direction_average_and_bounds_sw():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(40, 5, generator=g, dtype=torch.float64)
    y = 2.0 * torch.randn(40, 5, generator=g, dtype=torch.float64) + 1.0
    proj = random_projections(5, 20000, generator=g, dtype=torch.float64)
    per_direction = ((x - y) @ proj).square().mean(dim=0)  # the pairing's 1-D cost, (L,)
    assert float(per_direction.mean()) == pytest.approx(float(paired_cost(x, y)), rel=0.03)
    # sorting is the best coupling in every direction, so SW never exceeds the pairing's cost
    sw = sliced_wasserstein(x, y, projections=proj[:, :64])
    assert float(sw) <= float(per_direction[:64].mean()) + 1e-12


def test_sw_cannot_see_a_shuffled_correspondence_the_paired_cost_can():
    g = torch.Generator().manual_seed(2)
    x = torch.randn(30, 4, generator=g)
    shuffled = x[torch.randperm(30, generator=g)]
    assert float(sliced_wasserstein(x, shuffled, n_projections=32, generator=g)) < 1e-10
    assert float(paired_cost(x, shuffled)) > 0.5
    assert float(paired_cost(x, x)) == 0.0


def test_paired_cost_rejects_unpaired_rows():
    with pytest.raises(ValueError, match="paired row by row"):
        paired_cost(torch.zeros(3, 2), torch.zeros(4, 2))
    with pytest.raises(ValueError, match="same feature dimension"):
        paired_cost(torch.zeros(3, 2), torch.zeros(3, 5))


def _twin_data(seed=0, n=48, k=3):
    """EO images and SAR images that are a fixed map of them (a tiny twin), row by row."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % k
    eo = torch.randn(n, 3, 32, 32, generator=g) + y[:, None, None, None].float()
    mix = torch.tensor([[1.0, -0.5, 0.3], [0.2, 0.8, -1.0]])
    sar = torch.einsum("kc,nchw->nkhw", mix, eo)
    return (eo, y), (sar[:6], y[:6]), sar


def _net(seed=0):
    torch.manual_seed(seed)
    return YNet(n_classes=3, norm="batch", width=4, embed_dim=8, depth=3)


_COMMON = {"batch_size": 6, "unlabeled_batch": 16, "eo_per_class": 4, "n_projections": 16,
           "device": "cpu", "progress": False, "seed": 3}


def test_the_paired_phase_pulls_each_sar_embedding_onto_its_own_scene():
    eo, lab, sar = _twin_data()
    net = _net()
    pretrain_eo(net, eo, PretrainConfig(epochs=5, batch_size=16, device="cpu", progress=False))
    teacher = {k: v.clone() for k, v in net.state_dict().items() if not k.startswith("sar_")}
    hist = align_paired(net, eo, lab, sar, AlignConfig(epochs=8, **_COMMON)).history
    assert all(math.isfinite(h["paired"]) and "marginal" in h for h in hist)
    assert hist[-1]["paired"] < 0.5 * hist[0]["paired"]
    for name, before in teacher.items():  # the frozen teacher: phi and h do not move
        assert torch.equal(net.state_dict()[name], before), name
    net.eval()
    with torch.no_grad():
        after = float(paired_cost(net.sar_encoder(sar), net.eo_encoder(eo[0])))
        unpaired = float(paired_cost(net.sar_encoder(sar), net.eo_encoder(eo[0]).roll(1, 0)))
    assert after < unpaired  # closer to its own scene than to a neighbour's


def test_the_paired_phase_differs_from_swd_only_in_the_marginal_term():
    eo, lab, sar = _twin_data()
    swd_net, paired_net = _net(), _net()
    from swdkit.train import align_domains

    cfg = AlignConfig(epochs=1, alpha=0.0, **_COMMON)
    align_domains(swd_net, eo, lab, sar, cfg)
    hist = align_paired(paired_net, eo, lab, sar, cfg).history
    # with alpha = 0 the paired term weighs nothing: the same draws give the same weights (its
    # extra pass of psi moves only batch norm's running statistics)
    for (name, p), q in zip(swd_net.named_parameters(), paired_net.parameters(), strict=True):
        assert torch.allclose(p, q, atol=1e-6), name
    assert hist[0]["paired"] > 0


def test_the_paired_phase_needs_pairs():
    eo, lab, sar = _twin_data()
    with pytest.raises(ValueError, match="same scenes, row by row; got 48 EO and 47 SAR"):
        align_paired(_net(), eo, lab, sar[:47], AlignConfig(**_COMMON))
    with pytest.raises(TypeError, match="must be an AlignConfig"):
        align_paired(_net(), eo, lab, sar, {"epochs": 1})
