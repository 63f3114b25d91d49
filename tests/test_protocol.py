"""The protocol options (issue 15): each departure from the paper is a named option, the paper's
choice is available, and each option changes what it should and only that."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import torch
import yaml
from test_semisup import _lesson_data

from swdkit import train
from swdkit.losses import supcon_loss
from swdkit.methods import (
    NETWORK_METHODS,
    PAPER_PROTOCOL,
    SAR_INIT_FIELDS,
    MethodConfig,
    build_net,
    resolve_config,
    run_method,
)
from swdkit.models import GPU_SIZE, LESSON_SIZE, YNet

TINY = {"width": 4, "embed_dim": 8}
ROOT = Path(__file__).resolve().parents[1]


def quiet(cls, **kw):
    return cls(device="cpu", progress=False, **kw)


def images(n, channels, k, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, channels, 32, 32, generator=g), torch.arange(n) % k


def tagged(labels):
    """SAR images whose every pixel is their label, so a batch's classes can be read off psi's
    input; shape ``(N, 2, 32, 32)``."""
    return labels.float().view(-1, 1, 1, 1).expand(-1, 2, 32, 32).clone()


def record_inputs(module):
    """The inputs of ``module``'s training passes (not those of the measurements after an
    epoch, made in eval mode)."""
    seen = []

    def hook(m, args):
        if m.training:
            seen.append(args[0].detach().clone())

    module.register_forward_pre_hook(hook)
    return seen


def record_outputs(module):
    seen = []
    module.register_forward_hook(lambda m, args, out: seen.append(out.detach().float().clone()))
    return seen


# Defaults and the paper presets ----------------------------------------------------------------

def test_the_defaults_are_todays_and_the_paper_presets_carry_the_papers_choices():
    lesson = MethodConfig.preset("lesson")
    assert (lesson.supcon_on, lesson.ce_reduction, lesson.sar_batches, lesson.sar_augment,
            lesson.eo_side) == ("head", "mean", "uniform", True, "frozen")
    assert (lesson.sar_only_init, lesson.sar_init, lesson.align_sar_init) == ("random", "eo",
                                                                            "random")
    assert lesson.base_temperature is None  # = temperature: the SupCon loss is not rescaled
    assert PAPER_PROTOCOL["supcon_on"] == "phi" and PAPER_PROTOCOL["ce_reduction"] == "sum"
    assert PAPER_PROTOCOL["eo_side"] == "train" and PAPER_PROTOCOL["align_sar_init"] == "random"
    assert PAPER_PROTOCOL["sar_augment"] is False  # the paper trains on the labeled SAR as is
    for name, size in (("paper_lesson", LESSON_SIZE), ("paper", GPU_SIZE)):
        cfg = MethodConfig.preset(name)
        assert {k: getattr(cfg, k) for k in PAPER_PROTOCOL} == PAPER_PROTOCOL, name
        assert cfg.model_size() == size, name
    assert MethodConfig.preset("paper").epochs > lesson.epochs


def test_the_paper_grid_uses_the_paper_preset():
    raw = yaml.safe_load((ROOT / "experiments" / "paper.yml").read_text(encoding="utf-8"))
    assert raw["config"] == {"preset": "paper"}
    assert resolve_config(raw["config"]) == MethodConfig.preset("paper")


@pytest.mark.parametrize("field", ["supcon_on", "ce_reduction", "sar_batches", "sar_only_init",
                                   "sar_init", "align_sar_init", "eo_side"])
def test_an_unknown_choice_names_the_valid_ones(field):
    with pytest.raises(ValueError, match=f"{field} must be one of .*'.*'.*; got 'bogus'"):
        resolve_config({"preset": "ci", field: "bogus"})


def test_bad_values_of_the_other_options_are_refused():
    with pytest.raises(TypeError, match="sar_augment must be True or False"):
        MethodConfig(sar_augment="yes")
    with pytest.raises(ValueError, match="base_temperature must be a finite number > 0"):
        MethodConfig(base_temperature=0.0)
    with pytest.raises(ValueError, match="sar_batches must be one of 'uniform', 'balanced'"):
        train.LabeledBatches(torch.zeros(4, dtype=torch.long), 2, "stratified")


# SupCon: where, and at which base temperature ------------------------------------------------

def _supcon_step(monkeypatch, **options):
    """One full-batch pretraining step at lr 0: history's supcon, phi's output ``(2B, D)``, what
    reached ``supcon_loss`` (features ``(B, 2, P)``, labels ``(B,)``) and the network."""
    import swdkit.losses

    calls = []

    def spy(features, labels=None, **kw):
        calls.append((features.detach().clone(), labels.clone(), kw))
        return supcon_loss(features, labels, **kw)

    monkeypatch.setattr(swdkit.losses, "supcon_loss", spy)
    torch.manual_seed(0)
    net = YNet(n_classes=3, norm="instance", **TINY)
    x, y = images(12, 3, 3)
    z = record_outputs(net.eo_encoder)
    result = train.pretrain_eo(net, (x, y), quiet(train.PretrainConfig, epochs=1, batch_size=12,
                                                  supcon=True, lr=0.0, **options))
    assert len(calls) == 1 and len(z) == 1
    return result.history[0]["supcon"], z[0], calls[0], net


def test_supcon_on_phi_is_the_loss_of_phis_normalised_output(monkeypatch):
    value, z, (features, labels, kw), net = _supcon_step(monkeypatch, supcon_on="phi")
    views = torch.stack(z.chunk(2), dim=1)  # (B, 2, D): view 1 and view 2 of each sample
    assert torch.allclose(features, views)  # phi(x) itself; supcon_loss normalises it
    expected = supcon_loss(views, labels, temperature=0.1, base_temperature=0.1)
    assert value == pytest.approx(float(expected), rel=1e-5)
    with torch.no_grad():
        on_head = supcon_loss(torch.stack(net.project(z).chunk(2), dim=1), labels,
                              temperature=0.1, base_temperature=0.1)
    assert value != pytest.approx(float(on_head), rel=1e-3)
    head_value, _, (head_features, _, _), _ = _supcon_step(monkeypatch)
    with torch.no_grad():
        assert torch.allclose(head_features, torch.stack(net.project(z).chunk(2), dim=1))
    assert head_value == pytest.approx(float(on_head), rel=1e-5)
    assert kw == {"temperature": 0.1, "base_temperature": 0.1}


def test_supcon_on_phi_leaves_the_projection_head_untrained():
    torch.manual_seed(0)
    x, y = images(12, 3, 3)
    for target, moves in (("phi", False), ("head", True)):
        torch.manual_seed(0)
        net = YNet(n_classes=3, norm="instance", **TINY)
        before = [p.detach().clone() for p in net.projector.parameters()]
        train.pretrain_eo(net, (x, y), quiet(train.PretrainConfig, epochs=1, batch_size=12,
                                             supcon=True, lr=1e-2, supcon_on=target))
        changed = any(not torch.equal(a, b) for a, b in zip(before, net.projector.parameters(),
                                                            strict=True))
        assert changed is moves, target


def test_base_temperature_defaults_to_the_temperature_and_only_rescales(monkeypatch):
    default = _supcon_step(monkeypatch)[0]
    khosla = _supcon_step(monkeypatch, base_temperature=0.07)[0]
    assert khosla == pytest.approx(default * 0.1 / 0.07, rel=1e-5)
    assert _supcon_step(monkeypatch, base_temperature=0.1)[0] == pytest.approx(default, rel=1e-6)


# The SAR phases: cross-entropy reduction, labeled batches, augmentation ------------------------

def _sar_phase(kind, lab, unl=None, **options):
    """One SAR phase at lr 0 on a fresh instance-norm net (nothing moves: every option's effect
    is on what is computed); returns (history of epoch 1, inputs psi saw)."""
    torch.manual_seed(0)
    net = YNet(n_classes=3, norm="instance", **TINY)
    seen = record_inputs(net.sar_encoder)
    if kind == "align":
        eo = images(30, 3, 3, seed=1)
        cfg = quiet(train.AlignConfig, epochs=1, steps_per_epoch=2, eo_per_class=4,
                    unlabeled_batch=8, n_projections=16, lr=0.0, **options)
        result = train.align_domains(net, eo, lab, unl, cfg)
    else:
        cfg = quiet(train.FinetuneConfig, epochs=1, steps_per_epoch=2, lr=0.0, **options)
        result = getattr(train, kind)(net, lab, cfg)
    return result.history[0], seen


@pytest.mark.parametrize("kind", ["train_sar_only", "finetune", "align"])
def test_ce_sum_is_the_batch_size_times_ce_mean_and_nothing_else_changes(kind):
    lab, unl = images(12, 2, 3, seed=2), images(16, 2, 3, seed=3)[0]
    mean, _ = _sar_phase(kind, lab, unl, batch_size=6)
    summed, _ = _sar_phase(kind, lab, unl, batch_size=6, ce_reduction="sum")
    assert summed["ce_sar"] == pytest.approx(6 * mean["ce_sar"], rel=1e-5)
    if kind == "align":
        assert summed["ce_eo"] == pytest.approx(4 * 3 * mean["ce_eo"], rel=1e-5)
        for key in ("marginal", "conditional"):
            assert summed[key] == pytest.approx(mean[key], rel=1e-6)
    with pytest.raises(ValueError, match="ce_reduction must be one of 'mean', 'sum'; got 'none'"):
        quiet(train.AlignConfig, ce_reduction="none")


@pytest.mark.parametrize("kind", ["train_sar_only", "align"])
def test_balanced_sar_batches_hold_every_class_equally(kind):
    y = torch.tensor([0] * 14 + [1] * 3 + [2] * 1)  # 14 : 3 : 1
    unl = torch.full((16, 2, 32, 32), -1.0)
    counts = []
    for how in ("uniform", "balanced"):
        _, seen = _sar_phase(kind, (tagged(y), y), unl, batch_size=9, sar_batches=how,
                             augment=False)  # the tags are read from the rows as drawn
        batches = [b[b >= 0].long() for b in (batch[:, 0, 0, 0] for batch in seen)]
        counts.append([torch.bincount(b, minlength=3).tolist() for b in batches])
    uniform, balanced = counts
    assert balanced and all(c == [3, 3, 3] for c in balanced)
    assert all(c[0] > c[2] for c in uniform)  # uniform draws follow the 14 : 3 : 1 counts


def test_labeled_batches_keep_todays_uniform_draws():
    y = torch.arange(10) % 3
    ours = train.LabeledBatches(y, 4).epoch(train.make_generator(5), steps=7)
    before = train.epoch_batches(10, 4, train.make_generator(5), 7)
    assert all(torch.equal(a, b) for a, b in zip(ours, before, strict=True))
    balanced = train.LabeledBatches(y, 4, "balanced")
    assert balanced.size == 3 and len(balanced.epoch(train.make_generator(0))) == 4


@pytest.mark.parametrize("kind", ["train_sar_only", "finetune", "align"])
def test_augment_changes_what_the_sar_encoder_sees(kind):
    lab, unl = images(12, 2, 3, seed=2), images(16, 2, 3, seed=3)[0]
    x = lab[0]

    def from_the_data(batch):
        rows = batch[:6]  # the labeled part (align: labeled, then unlabeled)
        return [any(torch.equal(r, x_i) for x_i in x) for r in rows]

    plain, seen_plain = _sar_phase(kind, lab, unl, batch_size=6, augment=False)
    _, seen_aug = _sar_phase(kind, lab, unl, batch_size=6)  # the default: augmented
    assert all(all(from_the_data(b)) for b in seen_plain)
    assert not any(any(from_the_data(b)) for b in seen_aug)
    if kind == "align":  # the unlabeled part is not augmented
        assert all(any(torch.equal(r, u) for u in unl) for r in seen_aug[0][6:])


# How every method starts its SAR encoder ----------------------------------------------------

@pytest.fixture(scope="module")
def lesson(tmp_path_factory):
    return _lesson_data(), tmp_path_factory.mktemp("eo_cache")


def _copied(net):
    eo, sar = net.eo_encoder.state_dict(), net.sar_encoder.state_dict()
    keys = [k for k in eo if not k.startswith("features.0.")]
    return all(torch.equal(eo[k], sar[k]) for k in keys)


@pytest.mark.parametrize("method", ["sar_only", "finetune", "swd", "semisup"])
def test_every_method_can_start_psi_from_phi_or_at_random(method, lesson):
    data, cache = lesson
    field = SAR_INIT_FIELDS[method]
    common = {"n_labeled": 6, "seed": 0, "device": "cpu", "norm": "instance",
              "checkpoint_dir": cache}
    runs = {}
    for init in ("random", "eo"):
        config = {"preset": "ci", "lr": 0.0, "contrastive_unlabeled": 4, field: init}
        runs[init] = run_method(data, method=method, config=config, **common)
        assert runs[init].config[field] == init
    assert _copied(runs["eo"].net) and not _copied(runs["random"].net)
    assert runs["eo"].pretrain is not None  # psi needs an EO-trained phi to copy
    if method == "sar_only":  # the head is the fresh network's, not the EO-trained one
        fresh = build_net(data.n_classes, norm="instance", seed=0,
                          config=MethodConfig.preset("ci", lr=0.0))
        assert runs["random"].pretrain is None
        for name, value in fresh.head.state_dict().items():
            assert torch.equal(runs["eo"].net.head.state_dict()[name], value)


def test_every_network_method_names_its_sar_init_field():
    assert set(SAR_INIT_FIELDS) == set(NETWORK_METHODS)
    names = {f.name for f in dataclasses.fields(MethodConfig)}
    assert set(SAR_INIT_FIELDS.values()) <= names
