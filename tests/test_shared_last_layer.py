"""The encoders coupled through their last layer (AlignConfig.shared_last_layer, Rostami et al.)."""

from __future__ import annotations

import pytest
import torch

from swdkit.methods import MethodConfig, phase_config
from swdkit.models import YNet
from swdkit.train import AlignConfig, align_domains


def _data(seed=0, n=48, k=3):
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % k
    eo = torch.randn(n, 3, 32, 32, generator=g) + y[:, None, None, None].float()
    sar = torch.randn(n, 2, 32, 32, generator=g) + y[:, None, None, None].float()
    return (eo, y), (sar[:6], y[:6]), sar


def _net(seed=0):
    torch.manual_seed(seed)
    return YNet(n_classes=3, norm="batch", width=4, embed_dim=8, depth=3)


_COMMON = {"epochs": 2, "batch_size": 6, "unlabeled_batch": 16, "eo_per_class": 4,
           "n_projections": 16, "device": "cpu", "progress": False, "seed": 3}


def test_share_last_layer_makes_psi_end_in_phis_linear_map():
    net = _net()
    x = torch.randn(5, 2, 32, 32)
    net.eval()
    net.share_last_layer()
    with torch.no_grad():
        pooled = net.sar_encoder.features(x).mean(dim=(2, 3))
        expected = pooled @ net.eo_encoder.embed.weight.T + net.eo_encoder.embed.bias
        assert torch.allclose(net.embed_sar(x), expected, atol=1e-6)
        net.eo_encoder.embed.weight.mul_(2.0)  # one set of weights: a change shows on both sides
        assert torch.allclose(net.sar_encoder.embed.weight, net.eo_encoder.embed.weight)


@pytest.mark.parametrize("eo_side", ["frozen", "frozen_encoder"])
def test_a_frozen_eo_side_keeps_the_shared_layer_fixed(eo_side):
    eo, labeled, unlabeled = _data()
    net = _net()
    before = net.eo_encoder.embed.weight.detach().clone()
    first_conv = net.sar_encoder.features[0].weight.detach().clone()
    align_domains(net, eo, labeled, unlabeled,
                  AlignConfig(eo_side=eo_side, shared_last_layer=True, **_COMMON))
    assert net.sar_encoder.embed is net.eo_encoder.embed
    assert torch.equal(net.eo_encoder.embed.weight, before)
    assert not torch.equal(net.sar_encoder.features[0].weight, first_conv)  # psi's own part moves


def test_a_trained_eo_side_trains_the_shared_layer_for_both_domains():
    eo, labeled, unlabeled = _data()
    net = _net()
    own_sar_layer = net.sar_encoder.embed
    before = net.eo_encoder.embed.weight.detach().clone()
    align_domains(net, eo, labeled, unlabeled,
                  AlignConfig(eo_side="train", shared_last_layer=True, **_COMMON))
    assert net.sar_encoder.embed is net.eo_encoder.embed
    assert net.sar_encoder.embed is not own_sar_layer
    assert not torch.equal(net.eo_encoder.embed.weight, before)


def test_without_the_option_the_encoders_share_no_weights():
    eo, labeled, unlabeled = _data()
    net = _net()
    align_domains(net, eo, labeled, unlabeled, AlignConfig(eo_side="train", **_COMMON))
    eo_ids = {id(p) for p in net.eo_encoder.parameters()}
    assert not any(id(p) in eo_ids for p in net.sar_encoder.parameters())
    assert not torch.equal(net.sar_encoder.embed.weight, net.eo_encoder.embed.weight)


def test_the_option_is_a_flag_and_a_method_setting():
    with pytest.raises(TypeError, match="shared_last_layer must be True or False"):
        AlignConfig(shared_last_layer="yes")
    assert not MethodConfig().align_shared_last_layer
    cfg = phase_config(AlignConfig, MethodConfig(align_shared_last_layer=True), seed=0)
    assert cfg.shared_last_layer is True
