"""Tests of swdkit.methods: run_method's pairing, results, EO checkpoint cache and configs."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from test_train import stripes

from swdkit import train
from swdkit.data import Split, few_shot_indices
from swdkit.methods import (
    NETWORK_METHODS,
    MethodConfig,
    load_or_pretrain_eo,
    resolve_config,
    run_method,
)

TINY = {"preset": "ci", "width": 4, "embed_dim": 8, "pretrain_epochs": 1, "epochs": 1,
        "steps_per_epoch": 2, "probe_size": 12, "n_projections": 8, "eo_per_class": 4,
        "unlabeled_batch": 8, "pretrain_batch_size": 16}


def split(n: int, seed: int) -> Split:
    eo, y = stripes(n, 3, 3, seed=seed)
    sar, _ = stripes(n, 2, 3, seed=seed + 100, noise=0.8)
    return Split(eo=eo.numpy(), sar=sar.numpy(), labels=y.numpy().astype(np.int64),
                 class_names=["a", "b", "c"])


@pytest.fixture(scope="module")
def data():
    return SimpleNamespace(train=split(36, 0), val=split(12, 1), test=split(15, 2),
                           n_classes=3, class_names=["a", "b", "c"], source="synthetic")


def test_config_presets_and_overrides():
    assert resolve_config(None) == MethodConfig.preset("lesson")
    ci = resolve_config({"preset": "ci", "alpha": 3.0})
    assert ci.alpha == 3.0 and ci.width == MethodConfig.preset("ci").width
    assert resolve_config("paper").width > resolve_config("lesson").width
    assert resolve_config({"epochs": 4}).epochs == 4
    with pytest.raises(ValueError, match="unknown MethodConfig settings"):
        resolve_config({"epoch": 4})
    with pytest.raises(ValueError, match="preset must be one of"):
        resolve_config("huge")


@pytest.mark.parametrize("method", NETWORK_METHODS)
def test_every_method_runs_and_reports_its_own_network(data, method):
    result = run_method(data, method=method, n_labeled=6, seed=1, config=TINY, device="cpu")
    assert 0.0 <= result.test_accuracy <= 1.0
    assert result.test_accuracy == pytest.approx(
        train.evaluate(result.net, data.test, domain="sar").accuracy)
    assert len(result.per_class_accuracy) == 3
    assert np.asarray(result.confusion).sum() == len(data.test)
    assert len(result.history) == 1 and result.seconds > 0
    if method == "sar_only":
        assert result.eo_test_accuracy is None and result.pretrain is None
    else:
        assert 0.0 <= result.eo_test_accuracy <= 1.0
        assert len(result.pretrain.history) == 1


def test_methods_with_one_seed_share_labels_and_initial_sar_encoder(data):
    expected = few_shot_indices(data.train.labels, 6, seed=3)
    runs = {m: run_method(data, method=m, n_labeled=6, seed=3,
                          config={**TINY, "epochs": 1}, device="cpu")
            for m in ("sar_only", "swd")}
    for result in runs.values():
        np.testing.assert_array_equal(result.labeled_indices, expected)
    other = run_method(data, method="swd", n_labeled=6, seed=4, config=TINY, device="cpu")
    assert not np.array_equal(other.labeled_indices, expected)


def test_eo_checkpoint_cache_reproduces_the_run(data, tmp_path):
    kw = {"method": "swd", "n_labeled": 6, "seed": 0, "config": TINY, "device": "cpu",
          "checkpoint_dir": tmp_path}
    first = run_method(data, **kw)
    files = sorted(p.name for p in Path(tmp_path).iterdir())
    assert len(files) == 1 and files[0].startswith("eo_batch_ce_seed0_")  # the default norm
    assert not first.pretrain.cached
    second = run_method(data, **kw)
    assert second.pretrain.cached and second.pretrain.history == first.pretrain.history
    assert second.test_accuracy == first.test_accuracy
    strip = [{k: v for k, v in h.items() if k != "seconds"} for h in first.history]
    assert [{k: v for k, v in h.items() if k != "seconds"} for h in second.history] == strip
    for key, value in first.net.state_dict().items():
        assert torch.equal(second.net.state_dict()[key], value), key
    run_method(data, **{**kw, "config": {**TINY, "pretrain_lr": 5e-4}})  # another setting
    run_method(data, **{**kw, "seed": 1})  # another seed
    assert len(list(Path(tmp_path).iterdir())) == 3


def test_load_or_pretrain_keeps_the_given_sar_encoder(data, tmp_path):
    from swdkit.methods import build_net

    cfg = resolve_config(TINY)
    load_or_pretrain_eo(data, seed=0, config=cfg, device="cpu", checkpoint_dir=tmp_path)
    net = build_net(3, norm="batch", seed=9, config=cfg)  # the default norm, as loaded above
    sar_before = {k: v.clone() for k, v in net.sar_encoder.state_dict().items()}
    net, info = load_or_pretrain_eo(data, seed=0, config=cfg, device="cpu",
                                    checkpoint_dir=tmp_path, net=net)
    assert info.cached
    for key, value in net.sar_encoder.state_dict().items():
        assert torch.equal(value, sar_before[key])


def test_snapshots_on_request(data):
    result = run_method(data, method="swd", n_labeled=6, seed=0,
                        config={**TINY, "epochs": 2}, device="cpu", snapshots=True)
    assert [s.epoch for s in result.snapshots] == [0, 1, 2]
    assert result.snapshots[0].eo.shape == (12, 8)


def test_bad_arguments(data):
    with pytest.raises(ValueError, match="method must be one of"):
        run_method(data, method="dann", n_labeled=6, seed=0, config=TINY, device="cpu")
    with pytest.raises(ValueError, match="n_labeled"):
        run_method(data, method="swd", n_labeled=1000, seed=0, config=TINY, device="cpu")
    with pytest.raises(ValueError, match="norm must be one of"):
        run_method(data, method="swd", n_labeled=6, seed=0, norm="layer", config=TINY,
                   device="cpu")
    with pytest.raises(TypeError, match="LessonData"):
        run_method(object(), method="swd", n_labeled=6, seed=0, config=TINY, device="cpu")
    with pytest.raises(TypeError, match="seed must be an integer >= 0, got str"):
        run_method(data, method="swd", n_labeled=6, seed="0", config=TINY, device="cpu")


def test_the_sar_encoder_takes_the_datas_channel_count(data):
    from dataclasses import replace

    from swdkit.methods import build_net

    three = SimpleNamespace(**{**vars(data), **{
        name: replace(getattr(data, name), sar=np.concatenate(
            [getattr(data, name).sar, getattr(data, name).sar[:, :1]], axis=1))
        for name in ("train", "val", "test")}})
    for method in ("sar_only", "swd", "known_pairs"):
        result = run_method(three, method=method, n_labeled=6, seed=2, config=TINY, device="cpu")
        assert result.net.config["sar_channels"] == 3
        assert result.net.sar_encoder.features[0].weight.shape[1] == 3
    # two channels: the same initial weights as a network built without saying so
    cfg = resolve_config(TINY)
    said = build_net(3, norm="batch", seed=5, config=cfg, sar_channels=2).state_dict()
    unsaid = build_net(3, norm="batch", seed=5, config=cfg).state_dict()
    assert all(torch.equal(said[k], unsaid[k]) for k in said)


def test_views_rotate_the_phase_of_a_radar_but_not_of_the_twins_channels(tmp_path):
    from swdkit.data import load_lesson_data
    from swdkit.data.synthetic import make_synthetic

    seen = {}
    for name, twin in (("radar", None), ("twin", 0.0)):
        root = make_synthetic(tmp_path / name, n_train=4, n_val=2, n_test=2, progress=False,
                              twin=twin)
        for sar_input in ("re_im", "db_smooth"):
            data = load_lesson_data(root, sar_input=sar_input)
            result = run_method(data, method="sar_only", n_labeled=4, seed=0, config=TINY,
                                device="cpu", checkpoint_dir=tmp_path / "eo")
            seen[name, sar_input] = (data.arbitrary_phase, result.config["phase"])
    assert seen == {("radar", "re_im"): (True, True), ("radar", "db_smooth"): (True, False),
                    ("twin", "re_im"): (False, False), ("twin", "db_smooth"): (False, False)}
