"""Tests of swdkit.models: shapes, the normalisation switch, configs and checkpoints."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from swdkit.models import (
    GPU_SIZE,
    LESSON_SIZE,
    Encoder,
    YNet,
    count_parameters,
    load_checkpoint,
    save_checkpoint,
)

NORM_TYPES = {"instance": nn.InstanceNorm2d, "batch": nn.BatchNorm2d}


@pytest.mark.parametrize("in_channels", [2, 3])
@pytest.mark.parametrize("size", [{"width": 4, "embed_dim": 8, "depth": 3},
                                  {"width": 8, "embed_dim": 16, "depth": 5}])
def test_encoder_shapes(in_channels, size):
    enc = Encoder(in_channels, norm="instance", **size)
    z = enc(torch.randn(5, in_channels, 32, 32))
    assert z.shape == (5, size["embed_dim"])
    convs = [m for m in enc.modules() if isinstance(m, nn.Conv2d)]
    assert len(convs) == size["depth"]
    assert [c.out_channels for c in convs[:3]] == [size["width"] * 2**i for i in range(3)]


def test_ynet_shapes_and_unit_projection():
    net = YNet(n_classes=5, norm="batch", embed_dim=12, width=4, proj_dim=6)
    z_eo = net.embed_eo(torch.randn(7, 3, 32, 32))
    z_sar = net.embed_sar(torch.randn(7, 2, 32, 32))
    assert z_eo.shape == z_sar.shape == (7, 12)
    assert net.classify(z_sar).shape == (7, 5)
    p = net.project(z_eo)
    assert p.shape == (7, 6)
    torch.testing.assert_close(p.norm(dim=1), torch.ones(7))
    assert net(torch.randn(2, 2, 32, 32), "sar").shape == (2, 5)


@pytest.mark.parametrize("norm", ["instance", "batch", "none"])
def test_norm_switch_changes_every_normalisation_layer(norm):
    net = YNet(n_classes=3, norm=norm, width=4, embed_dim=8, depth=4)
    for encoder in (net.eo_encoder, net.sar_encoder):
        kinds = [type(m) for m in encoder.modules()
                 if isinstance(m, (nn.InstanceNorm2d, nn.BatchNorm2d, nn.GroupNorm,
                                   nn.LayerNorm))]
        convs = [m for m in encoder.modules() if isinstance(m, nn.Conv2d)]
        assert len(convs) == 4
        assert convs[-1].bias is not None  # the last block has no normalisation, in any mode
        if norm == "none":
            assert kinds == []
            assert all(c.bias is not None for c in convs)
        else:
            assert kinds == [NORM_TYPES[norm]] * (len(convs) - 1)
            assert all(c.bias is None for c in convs[:-1])


@pytest.mark.parametrize("pool", ["mean", "flatten"])
def test_pooling_options(pool):
    enc = Encoder(2, pool=pool, width=4, embed_dim=6)
    assert enc(torch.randn(3, 2, 32, 32)).shape == (3, 6)
    with pytest.raises(ValueError, match="pool must be one of"):
        Encoder(2, pool="max")


def test_instance_norm_encoder_ignores_image_contrast_and_batch_mates():
    # Known identities: a bias-free convolution is linear, so scaling an image by a > 0 scales
    # the first feature map by a, which instance norm divides out. And instance statistics are
    # per sample, so an image's embedding does not depend on the rest of its batch.
    torch.manual_seed(0)
    x = torch.randn(4, 2, 32, 32)
    enc = Encoder(2, norm="instance", width=4, embed_dim=8).train()
    torch.testing.assert_close(enc(5.0 * x), enc(x), atol=2e-4, rtol=1e-3)
    torch.testing.assert_close(enc(x)[:1], enc(torch.cat([x[:1], 10 * x[1:] + 3]))[:1])
    bn = Encoder(2, norm="batch", width=4, embed_dim=8).train()
    assert not torch.allclose(bn(x)[:1], bn(torch.cat([x[:1], 10 * x[1:] + 3]))[:1],
                              atol=1e-3)
    plain = Encoder(2, norm="none", width=4, embed_dim=8)
    assert not torch.allclose(plain(5.0 * x), plain(x), atol=1e-3)


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="norm must be one of"):
        Encoder(3, norm="layer")
    with pytest.raises(ValueError, match="depth"):
        Encoder(3, depth=2)
    with pytest.raises(ValueError, match="width"):
        Encoder(3, width=0)
    with pytest.raises(ValueError, match="n_classes"):
        YNet(n_classes=0)
    with pytest.raises(ValueError, match=r"shape \(B, 3, 32, 32\)"):
        Encoder(3)(torch.randn(2, 2, 32, 32))
    with pytest.raises(ValueError, match="domain"):
        YNet(n_classes=2).embed(torch.randn(1, 3, 32, 32), "optical")


def test_default_sizes():
    lesson = count_parameters(Encoder(3, **LESSON_SIZE))
    gpu = count_parameters(Encoder(3, **GPU_SIZE))
    # conv weights 3*16*9 + 16*32*9 + 32*64*9, the last convolution's bias, two affine IN
    # vectors in each of the first two blocks, the embedding layer (64 pooled channels -> 64,
    # with bias): computed by hand from the architecture.
    assert lesson == 432 + 4608 + 18432 + 64 + 2 * (16 + 32) + 64 * 64 + 64
    flat = count_parameters(Encoder(3, **{**LESSON_SIZE, "pool": "flatten"}))
    assert flat == lesson + (16 - 1) * 64 * 64  # 16 positions instead of one
    assert gpu > 10 * lesson


def test_config_rebuilds_the_same_architecture():
    net = YNet(n_classes=4, norm="batch", embed_dim=16, width=4, depth=4, proj_dim=8)
    twin = YNet.from_config(net.config)
    assert twin.config == net.config
    shapes = {k: v.shape for k, v in net.state_dict().items()}
    assert {k: v.shape for k, v in twin.state_dict().items()} == shapes


@pytest.mark.parametrize("norm", ["instance", "batch"])
def test_checkpoint_round_trip(tmp_path, norm):
    torch.manual_seed(1)
    net = YNet(n_classes=3, norm=norm, width=4, embed_dim=8)
    net.train()
    net.embed_sar(torch.randn(8, 2, 32, 32))  # moves batch-norm running statistics
    net.eval()
    path = save_checkpoint(tmp_path / "sub" / "net.pt", net, note="hello", epochs=[1, 2])
    assert sorted(p.name for p in path.parent.iterdir()) == ["net.pt"]  # no temporary left
    raw = torch.load(path, weights_only=True)
    assert raw["note"] == "hello" and raw["config"] == net.config
    loaded, payload = load_checkpoint(path)
    assert payload["epochs"] == [1, 2]
    x = torch.randn(3, 2, 32, 32)
    torch.testing.assert_close(loaded.eval()(x, "sar"), net(x, "sar"), rtol=0, atol=0)
    for key, value in net.state_dict().items():
        assert torch.equal(loaded.state_dict()[key], value), key


def test_load_checkpoint_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="save_checkpoint"):
        load_checkpoint(tmp_path / "missing.pt")
    torch.save({"weights": 1}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="not a swdkit checkpoint"):
        load_checkpoint(tmp_path / "other.pt")


def test_a_checkpoint_written_before_the_relayout_still_loads():
    """tests/fixtures/legacy/ynet_518f4e2.pt: saved by commit 518f4e2 (flat package) from
    ``torch.manual_seed(0); YNet(n_classes=4, norm="instance", width=4, embed_dim=8, depth=3)``."""
    from pathlib import Path

    from swdkit.models import load_checkpoint

    path = Path(__file__).parent / "fixtures" / "legacy" / "ynet_518f4e2.pt"
    net, payload = load_checkpoint(path)
    torch.manual_seed(0)
    same = YNet(n_classes=4, norm="instance", width=4, embed_dim=8, depth=3)
    assert net.config == same.config and payload["eo_val_accuracy"] == 0.5
    for (k, a), (k2, b) in zip(net.state_dict().items(), same.state_dict().items(), strict=True):
        assert k == k2 and torch.equal(a, b), k
