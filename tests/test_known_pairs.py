"""The known-pairs control: the pairing's cost against SW, and the alignment with pairs known."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from swdkit.losses import pairing_cost, random_projections, sliced_wasserstein
from swdkit.models import YNet
from swdkit.train import AlignConfig, PretrainConfig, align_domains, pretrain_eo


def test_pairing_cost_is_the_mean_squared_distance_over_the_dimension():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(50, 6)), rng.normal(size=(50, 6))
    expected = np.mean([np.dot(a - b, a - b) for a, b in zip(x, y, strict=True)]) / 6
    got = pairing_cost(torch.as_tensor(x), torch.as_tensor(y))
    assert float(got) == pytest.approx(expected, rel=1e-12)


def test_pairing_cost_is_the_direction_average_and_bounds_sw():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(40, 5, generator=g, dtype=torch.float64)
    y = 2.0 * torch.randn(40, 5, generator=g, dtype=torch.float64) + 1.0
    proj = random_projections(5, 20000, generator=g, dtype=torch.float64)
    per_direction = ((x - y) @ proj).square().mean(dim=0)  # the pairing's 1-D cost, (L,)
    cost = float(pairing_cost(x, y))
    assert float(per_direction.mean()) == pytest.approx(cost, rel=0.03)
    # sorting is the cheapest coupling in every direction: SW (20,000 directions) stays below
    assert float(sliced_wasserstein(x, y, projections=proj)) < cost


def test_sw_cannot_see_a_shuffled_pairing_the_pairing_cost_can():
    g = torch.Generator().manual_seed(2)
    x = torch.randn(30, 4, generator=g)
    shuffled = x[torch.randperm(30, generator=g)]
    assert float(sliced_wasserstein(x, shuffled, n_projections=32, generator=g)) < 1e-10
    assert float(pairing_cost(x, shuffled)) > 0.5


def test_pairing_cost_rejects_unpaired_rows():
    with pytest.raises(ValueError, match="paired row by row"):
        pairing_cost(torch.zeros(3, 2), torch.zeros(4, 2))
    with pytest.raises(ValueError, match="same feature dimension"):
        pairing_cost(torch.zeros(3, 2), torch.zeros(3, 5))


def _twin_data(seed=0, n=48, k=3):
    """EO images, and SAR images that are a fixed channel map of them (a tiny twin), row by row."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % k
    eo = torch.randn(n, 3, 32, 32, generator=g) + y[:, None, None, None].float()
    mix = torch.tensor([[1.0, -0.5, 0.3], [0.2, 0.8, -1.0]])
    sar = torch.einsum("kc,nchw->nkhw", mix, eo)
    return (eo, y), (sar[:6], y[:6]), sar


def _pretrained_net(eo, seed=0):
    torch.manual_seed(seed)
    net = YNet(n_classes=3, norm="batch", width=4, embed_dim=8, depth=3)
    pretrain_eo(net, eo, PretrainConfig(epochs=5, batch_size=16, device="cpu", progress=False))
    return net


_COMMON = {"batch_size": 6, "unlabeled_batch": 16, "eo_per_class": 4, "n_projections": 16,
           "device": "cpu", "progress": False, "seed": 3}


def _pool_pairing_cost(net, eo_images, sar, shift=0):
    """The pairing cost of SAR row i against EO row i + shift (0: its own scene)."""
    net.eval()
    with torch.no_grad():
        targets = net.eo_encoder(eo_images).roll(-shift, dims=0)
        return float(pairing_cost(net.sar_encoder(sar), targets))


def test_known_pairs_pull_each_sar_embedding_onto_its_own_scene():
    eo, lab, sar = _twin_data()
    start = _pretrained_net(eo).state_dict()
    ends = {}
    for alpha in (0.0, 10.0):
        net = _pretrained_net(eo)
        net.load_state_dict(start)
        cfg = AlignConfig(epochs=20, alpha=alpha, beta=0.0, known_pairs=True, **_COMMON)
        hist = align_domains(net, eo, lab, sar, cfg).history
        assert all(math.isfinite(h["marginal"]) for h in hist)
        for name, before in start.items():  # the frozen teacher: phi and h do not move
            if not name.startswith("sar_"):
                assert torch.equal(net.state_dict()[name], before), name
        ends[alpha] = _pool_pairing_cost(net, eo[0], sar)
    # the labels alone pull the SAR embeddings somewhere; the pairing must pull them home,
    # each onto its own scene rather than onto the next row's
    assert ends[10.0] < 0.5 * ends[0.0]
    assert ends[10.0] < 0.5 * _pool_pairing_cost(net, eo[0], sar, shift=1)


@pytest.mark.parametrize("eo_side", ["frozen", "train"])
def test_known_pairs_change_only_the_marginal_term(monkeypatch, eo_side):
    eo, lab, sar = _twin_data()
    start = _pretrained_net(eo).state_dict()

    def trained(**cfg):
        net = _pretrained_net(eo)
        net.load_state_dict(start)
        align_domains(net, eo, lab, sar, AlignConfig(epochs=2, eo_side=eo_side, **cfg,
                                                     **_COMMON))
        return net.state_dict()

    without_marginal = trained(alpha=0.0)
    import swdkit.losses as losses

    monkeypatch.setattr(losses, "pairing_cost", lambda a, b: (a * 0.0).sum() + (b * 0.0).sum())
    # a pairing that costs nothing trains exactly as no marginal term: same draws, same steps,
    # phi's running statistics untouched by the targets' pass (evaluation mode)
    zero_pairs = trained(alpha=10.0, known_pairs=True)
    for name, value in without_marginal.items():
        assert torch.allclose(value.float(), zero_pairs[name].float(), atol=1e-6), name
    # and without known_pairs the pairing cost is never used
    sliced = trained(alpha=10.0)
    assert not torch.allclose(sliced["sar_encoder.embed.weight"],
                              without_marginal["sar_encoder.embed.weight"])


def test_known_pairs_need_pairs_and_a_flag():
    eo, lab, sar = _twin_data()
    with pytest.raises(ValueError, match="same scenes, row by row; got 48 EO and 47 SAR"):
        align_domains(_pretrained_net(eo), eo, lab, sar[:47],
                      AlignConfig(known_pairs=True, **_COMMON))
    with pytest.raises(TypeError, match="known_pairs must be True or False"):
        AlignConfig(known_pairs=1)
