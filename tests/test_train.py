"""Tests of the training phases (swdkit.train), augmentations and evaluation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from swdkit import train
from swdkit.models import YNet
from swdkit.train._augment import random_dihedral, random_shift, two_views
from swdkit.train._batches import ClassSampler, epoch_batches, make_generator

TINY = {"width": 4, "embed_dim": 8}


def stripes(n: int, channels: int, n_classes: int, seed: int, noise: float = 0.3,
            by: str = "angle"):
    """Separable toy images: class k is a stripe pattern, plus noise.

    ``by="angle"``: stripes at angle k * pi / K; ``by="frequency"``: stripes of spatial frequency
    0.35 * 2**k at a random angle (so 90-degree rotations and flips keep the class, as the
    SupCon views need). The class lives in spatial structure, not in the mean or the contrast,
    so every norm can learn it.
    """
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % n_classes
    r, c = torch.meshgrid(torch.arange(32.0), torch.arange(32.0), indexing="ij")
    if by == "angle":
        angle, freq = y.float() * math.pi / n_classes, torch.full((n,), 0.8)
    else:
        angle, freq = torch.rand(n, generator=g) * math.pi, 0.35 * 2.0 ** y.float()
    phase = torch.rand(n, generator=g) * 2 * math.pi
    along = torch.cos(angle)[:, None, None] * r + torch.sin(angle)[:, None, None] * c
    wave = torch.sin(freq[:, None, None] * along + phase[:, None, None])
    x = wave[:, None].repeat(1, channels, 1, 1)
    x = x + noise * torch.randn(n, channels, 32, 32, generator=g)
    return x, y


def quiet(cls, **kw):
    return cls(device="cpu", progress=False, **kw)


def params_of(net):
    return {k: v.detach().clone() for k, v in net.state_dict().items()}


def assert_finite(result, net):
    for record in result.history:
        for key, value in record.items():
            assert math.isfinite(value), (key, record)
    for key, value in net.state_dict().items():
        if value.is_floating_point():
            assert torch.isfinite(value).all(), key


# Augmentations and batching -------------------------------------------------------------

def test_random_dihedral_applies_one_of_the_eight_symmetries():
    x = torch.randn(64, 2, 8, 8)
    out = random_dihedral(x, generator=make_generator(0))
    seen = set()
    for i in range(len(x)):
        options = [torch.rot90(v, k, dims=(-2, -1)) for v in (x[i], x[i].flip(-1))
                   for k in range(4)]
        matches = [j for j, o in enumerate(options) if torch.equal(o, out[i])]
        assert len(matches) == 1
        seen.add(matches[0])
    assert seen == set(range(8))


def test_random_shift_is_a_crop_of_the_reflect_padded_image():
    x = torch.randn(40, 3, 10, 10)
    out = random_shift(x, max_shift=2, generator=make_generator(1))
    padded = F.pad(x, (2, 2, 2, 2), mode="reflect")
    offsets = set()
    for i in range(len(x)):
        found = [(dy, dx) for dy in range(5) for dx in range(5)
                 if torch.equal(padded[i, :, dy:dy + 10, dx:dx + 10], out[i])]
        assert found
        offsets.update(found)
    assert len(offsets) > 10
    assert random_shift(x, max_shift=0) is x
    with pytest.raises(ValueError, match="max_shift"):
        random_shift(x, max_shift=-1)


def test_two_views_stacks_views_of_the_same_images():
    x = torch.randn(5, 2, 32, 32)
    views = two_views(x, generator=make_generator(0))
    assert views.shape == (10, 2, 32, 32)
    # A symmetry and a reflect-padded shift keep the multiset of centre values roughly; the
    # sum of squares of a view lies near the image's (same pixels, a few mirrored at borders).
    ratio = views.pow(2).sum((1, 2, 3)) / x.repeat(2, 1, 1, 1).pow(2).sum((1, 2, 3))
    assert torch.all((ratio > 0.8) & (ratio < 1.25))


def test_epoch_batches_and_class_sampler():
    g = make_generator(0)
    batches = epoch_batches(10, 4, g)
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(torch.cat(batches).tolist()) == list(range(10))
    assert len(epoch_batches(3, 8, g, steps=5)) == 5
    labels = torch.tensor([0, 0, 0, 1, 2, 2])
    drawn = ClassSampler(labels).draw(2, g)
    assert labels[drawn].tolist() == [0, 0, 1, 1, 2, 2]
    assert len(set(drawn[:2].tolist())) == 2  # without replacement when the class has enough


# Learning ----------------------------------------------------------------------------------

def test_pretraining_loss_decreases_and_learns():
    torch.manual_seed(0)
    x, y = stripes(60, 3, 3, seed=0)
    xv, yv = stripes(60, 3, 3, seed=1)
    net = YNet(n_classes=3, norm="instance", **TINY)
    result = train.pretrain_eo(net, (x, y), quiet(train.PretrainConfig, epochs=10,
                                                  batch_size=20, lr=1e-2), val=(xv, yv))
    losses = result.curve("loss")
    assert losses[-1] < 0.5 * losses[0]
    assert result.history[-1]["val_accuracy"] > 0.6  # chance is 1/3
    assert train.evaluate(net, (xv, yv), domain="eo").accuracy == pytest.approx(
        result.history[-1]["val_accuracy"])


def test_supcon_pretraining_and_sar_only_decrease_their_losses():
    torch.manual_seed(0)
    x, y = stripes(64, 3, 2, seed=0, by="frequency")
    net = YNet(n_classes=2, norm="instance", **TINY)
    result = train.pretrain_eo(net, (x, y), quiet(train.PretrainConfig, epochs=6, batch_size=32,
                                                  lr=1e-2, supcon=True))
    assert result.curve("supcon")[-1] < result.curve("supcon")[0]
    xs, ys = stripes(16, 2, 2, seed=2)
    sar = train.train_sar_only(YNet(n_classes=2, **TINY), (xs, ys),
                               quiet(train.FinetuneConfig, epochs=8, steps_per_epoch=3,
                                     lr=3e-3, augment=False))  # the stripes' label is
    # their angle, which the views' rotations would change
    assert sar.curve("loss")[-1] < 0.5 * sar.curve("loss")[0]


def test_alignment_with_zero_weights_is_plain_cross_entropy_training():
    # Full batches make the reference independent of the sampling order; instance norm makes
    # each sample's embedding independent of its batch mates (the unlabeled SAR shares psi's
    # batch), so alpha = beta = 0 must give exactly CE(EO) + CE(labeled SAR) with Adam.
    torch.manual_seed(3)
    xe, ye = stripes(24, 3, 3, seed=0)
    xl, yl = stripes(9, 2, 3, seed=1)
    xu, _ = stripes(12, 2, 3, seed=2)
    net = YNet(n_classes=3, norm="instance", **TINY)
    ref = YNet.from_config(net.config)
    ref.load_state_dict(net.state_dict())
    cfg = quiet(train.AlignConfig, epochs=2, steps_per_epoch=3, alpha=0.0, beta=0.0,
                eo_per_class=8, unlabeled_batch=12, batch_size=9, lr=2e-3,
                eo_side="train",  # the paper's formulation: phi, psi and h all trained
                augment=False)  # the reference trains on the labeled SAR as is
    result = train.align_domains(net, (xe, ye), (xl, yl), xu, cfg)
    params = [*ref.eo_encoder.parameters(), *ref.sar_encoder.parameters(),
              *ref.head.parameters()]
    opt = torch.optim.Adam(params, lr=2e-3)
    for _ in range(6):
        loss = (F.cross_entropy(ref(xe, "eo"), ye) + F.cross_entropy(ref(xl, "sar"), yl))
        opt.zero_grad()
        loss.backward()
        opt.step()
    for key, value in ref.state_dict().items():
        torch.testing.assert_close(net.state_dict()[key], value, atol=2e-5, rtol=1e-4)
    for record in result.history:  # the alignment terms are still reported, not optimised
        assert record["loss"] == pytest.approx(record["ce_eo"] + record["ce_sar"], rel=1e-5)
        assert record["marginal"] > 0


def test_alignment_terms_shrink_the_gap_between_domains():
    torch.manual_seed(0)
    xe, ye = stripes(48, 3, 3, seed=0)
    xl, yl = stripes(6, 2, 3, seed=1)
    xu, _ = stripes(48, 2, 3, seed=2, noise=1.0)
    net = YNet(n_classes=3, norm="instance", **TINY)
    cfg = quiet(train.AlignConfig, epochs=6, alpha=10.0, beta=10.0, eo_per_class=8,
                unlabeled_batch=16, lr=2e-3)
    result = train.align_domains(net, (xe, ye), (xl, yl), xu, cfg, probe=((xe, ye), (xl, yl)))
    sw = result.curve("sw_probe")
    assert sw[-1] < 0.5 * sw[0]
    assert result.curve("marginal")[-1] < result.curve("marginal")[0]


def _pretrained_toy(norm="batch"):
    torch.manual_seed(0)
    xe, ye = stripes(48, 3, 3, seed=0)
    xl, yl = stripes(6, 2, 3, seed=1)
    xu, _ = stripes(48, 2, 3, seed=2, noise=1.0)
    net = YNet(n_classes=3, norm=norm, **TINY)
    train.pretrain_eo(net, (xe, ye), quiet(train.PretrainConfig, epochs=3, batch_size=16))
    return net, (xe, ye), (xl, yl), xu


def test_the_history_records_the_embedding_scale_and_sw_relative_to_it():
    net, eo, lab, xu = _pretrained_toy()
    cfg = quiet(train.AlignConfig, epochs=2, eo_per_class=8, unlabeled_batch=16)
    result = train.align_domains(net, eo, lab, xu, cfg, probe=(eo, lab))
    keys = {"eo_norm", "sar_norm", "eo_spread", "sar_spread", "sw_relative", "sw_probe"}
    assert keys <= set(result.initial) and all(keys <= set(h) for h in result.history)
    first = result.history[0]
    # SW in units of the EO cloud's variance: SW / (eo_spread-like variance), scale-free
    assert first["sw_relative"] > 0
    assert train.collapse_factor(result.initial, result.history) == pytest.approx(
        first["eo_spread"] / result.initial["eo_spread"])


def test_collapse_factor_reads_a_shrinking_cloud_and_needs_a_probe():
    history = [{"epoch": 1, "eo_spread": 0.22}, {"epoch": 2, "eo_spread": 0.31}]
    assert train.collapse_factor({"eo_spread": 1.46}, history) == pytest.approx(0.22 / 1.46)
    assert train.collapse_factor({"eo_spread": 1.46}, history, epoch=2) == pytest.approx(
        0.31 / 1.46)
    with pytest.raises(ValueError, match="run the phase with a probe"):
        train.collapse_factor({}, history)


def test_a_frozen_eo_side_is_a_fixed_teacher():
    net, eo, lab, xu = _pretrained_toy()
    before = params_of(net)
    cfg = quiet(train.AlignConfig, epochs=2, eo_per_class=8, unlabeled_batch=16,
                eo_side="frozen")
    result = train.align_domains(net, eo, lab, xu, cfg, probe=(eo, lab))
    after = params_of(net)
    for k in before:
        same = torch.equal(before[k], after[k])
        assert same == (k.startswith(("eo_encoder.", "head.")) or k.startswith("projector.")), k
    assert train.collapse_factor(result.initial, result.history) == pytest.approx(1.0)
    net2, eo, lab, xu = _pretrained_toy()
    before = params_of(net2)
    train.align_domains(net2, eo, lab, xu, quiet(train.AlignConfig, epochs=1, eo_per_class=8,
                                                 unlabeled_batch=16, eo_side="frozen_encoder"))
    after = params_of(net2)
    assert all(torch.equal(before[k], after[k]) for k in before if k.startswith("eo_encoder."))
    assert not all(torch.equal(before[k], after[k]) for k in before if k.startswith("head."))


def test_the_paper_formulation_shrinks_the_eo_cloud_and_a_frozen_teacher_does_not():
    """The collapse: a well-pretrained EO cloud (spread about 3) and a fresh SAR encoder (spread
    about 0.003); one epoch of the paper's alignment shrinks the EO cloud towards the SAR one."""
    torch.manual_seed(0)
    xe, ye = stripes(96, 3, 3, seed=0)
    lab = stripes(6, 2, 3, seed=1)
    xu, _ = stripes(96, 2, 3, seed=2, noise=1.0)
    teacher = YNet(n_classes=3, norm="batch", **TINY)
    train.pretrain_eo(teacher, (xe, ye), quiet(train.PretrainConfig, epochs=15, batch_size=16,
                                               lr=3e-3))
    factors = {}
    for name, options in {"paper": {"eo_side": "train"}, "frozen": {"eo_side": "frozen"}}.items():
        net = YNet(n_classes=3, norm="batch", **TINY)
        net.load_state_dict(teacher.state_dict())
        cfg = quiet(train.AlignConfig, epochs=1, eo_per_class=8, unlabeled_batch=16,
                    alpha=10.0, beta=10.0, lr=2e-3, **options)
        result = train.align_domains(net, (xe, ye), lab, xu, cfg, probe=((xe, ye), lab))
        assert result.initial["eo_spread"] > 100 * result.initial["sar_spread"]
        factors[name] = train.collapse_factor(result.initial, result.history)
    assert factors["paper"] < 0.8
    assert factors["frozen"] == pytest.approx(1.0)


def test_sar_init_eo_starts_psi_from_phi_and_warmup_ramps_the_weights():
    from swdkit.train._align import _ramp

    net, eo, lab, xu = _pretrained_toy(norm="instance")  # no running statistics to move
    cfg = quiet(train.AlignConfig, epochs=1, eo_per_class=8, unlabeled_batch=16,
                sar_init="eo", lr=0.0)
    train.align_domains(net, eo, lab, xu, cfg)
    eo_state, sar_state = net.eo_encoder.state_dict(), net.sar_encoder.state_dict()
    copied = [k for k in eo_state if not k.startswith("features.0.")]
    assert copied and all(torch.equal(eo_state[k], sar_state[k]) for k in copied)
    ramp = quiet(train.AlignConfig, warmup_epochs=2, steps_per_epoch=5)
    steps = [0]
    weights = [_ramp(steps, ramp, 100) for _ in range(12)]
    assert weights[0] == pytest.approx(0.1) and weights[9] == 1.0 and weights[11] == 1.0
    assert all(a < b for a, b in zip(weights[:9], weights[1:10], strict=True))
    with pytest.raises(ValueError, match="eo_side must be one of"):
        quiet(train.AlignConfig, eo_side="teacher")


# Reproducibility and degenerate inputs ------------------------------------------------------

def _run_everything(seed):
    torch.manual_seed(0)
    net = YNet(n_classes=2, norm="batch", **TINY)
    x, y = stripes(32, 3, 2, seed=0)
    xs, ys = stripes(32, 2, 2, seed=1)
    hist = train.pretrain_eo(net, (x, y), quiet(train.PretrainConfig, epochs=1, batch_size=16,
                                                supcon=True, seed=seed)).history
    hist += train.align_domains(net, (x, y), (xs[:4], ys[:4]), xs,
                            quiet(train.AlignConfig, epochs=1, seed=seed, eo_per_class=4,
                                  unlabeled_batch=16, n_projections=16)).history
    return params_of(net), [{k: v for k, v in h.items() if k != "seconds"} for h in hist]


def test_same_seed_gives_identical_results_on_cpu():
    first, hist1 = _run_everything(seed=5)
    second, hist2 = _run_everything(seed=5)
    other, _ = _run_everything(seed=6)
    assert hist1 == hist2
    assert all(torch.equal(first[k], second[k]) for k in first)
    assert not all(torch.equal(first[k], other[k]) for k in first)


@pytest.mark.parametrize("discrepancy", train.DISCREPANCIES)
def test_one_class_and_one_label_per_class_give_no_nan(discrepancy):
    torch.manual_seed(0)
    x, _ = stripes(16, 3, 2, seed=0)
    xs, _ = stripes(16, 2, 2, seed=1)
    zeros = torch.zeros(16, dtype=torch.long)
    net = YNet(n_classes=3, norm="instance", **TINY)
    cfg = quiet(train.AlignConfig, epochs=1, steps_per_epoch=2, discrepancy=discrepancy,
                eo_per_class=4, unlabeled_batch=8, n_projections=8)
    result = train.align_domains(net, (x, zeros), (xs[:1], zeros[:1]), xs, cfg)  # one class
    assert_finite(result, net)
    y3 = torch.arange(16) % 3
    result = train.align_domains(net, (x, y3), (xs[:3], y3[:3]), xs, cfg)  # one label per class
    assert_finite(result, net)


def test_degenerate_pretraining_and_finetuning_give_no_nan():
    x, _ = stripes(8, 3, 2, seed=0)
    zeros = torch.zeros(8, dtype=torch.long)
    net = YNet(n_classes=2, norm="batch", **TINY)
    result = train.pretrain_eo(net, (x, zeros), quiet(train.PretrainConfig, epochs=1,
                                                      supcon=True, batch_size=4))
    assert_finite(result, net)
    xs, _ = stripes(2, 2, 2, seed=1)
    result = train.finetune(net, (xs[:1], zeros[:1]), quiet(train.FinetuneConfig, epochs=2))
    assert_finite(result, net)


# Snapshots, selection, evaluation, bridging, input checks -----------------------------------

def test_snapshots_share_the_probe_and_match_the_history():
    torch.manual_seed(0)
    xe, ye = stripes(24, 3, 3, seed=0)
    xs, ys = stripes(24, 2, 3, seed=1)
    net = YNet(n_classes=3, **TINY)
    probe = train.make_probe((xe, ye), (xs, ys), size=12, seed=0, device=torch.device("cpu"))
    before = net.eval().embed_sar(probe.sar).detach()
    cfg = quiet(train.AlignConfig, epochs=4, snapshot_every=2, eo_per_class=4,
                unlabeled_batch=8)
    result = train.align_domains(net, (xe, ye), (xs[:6], ys[:6]), xs, cfg, probe=probe)
    snaps = result.snapshots
    assert [s.epoch for s in snaps] == [0, 2, 4]
    torch.testing.assert_close(torch.from_numpy(snaps[0].sar), before)
    for s in snaps:
        assert s.eo.shape == (12, 8) and s.sar.shape == (12, 8)
        np.testing.assert_array_equal(s.sar_labels, snaps[0].sar_labels)
    for s in snaps[1:]:
        record = result.history[s.epoch - 1]
        assert s.sw == pytest.approx(record["sw_probe"])
        assert s.sar_accuracy == pytest.approx(record["sar_accuracy"])


def test_selection_on_labeled_sar_restores_the_best_epoch():
    torch.manual_seed(0)
    xs, ys = stripes(12, 2, 3, seed=0)
    net = YNet(n_classes=3, norm="batch", **TINY)
    result = train.train_sar_only(net, (xs, ys), quiet(train.FinetuneConfig, epochs=6,
                                                       lr=0.05, select="labeled"))
    scores = result.curve("labeled_accuracy")
    assert scores[result.selected_epoch - 1] == max(scores)
    assert max(i for i, s in enumerate(scores) if s == max(scores)) == result.selected_epoch - 1
    assert train.evaluate(net, (xs, ys), domain="sar").accuracy == pytest.approx(max(scores))
    with pytest.raises(ValueError, match="val"):
        train.train_sar_only(net, (xs, ys), quiet(train.FinetuneConfig, select="val"))


def test_evaluate_matches_a_counting_loop():
    torch.manual_seed(0)
    xs, ys = stripes(30, 2, 3, seed=0)
    net = YNet(n_classes=3, **TINY).eval()
    with torch.no_grad():
        pred = net(xs, "sar").argmax(1)
    result = train.evaluate(net, (xs.numpy(), ys.numpy()), domain="sar")
    expected = np.zeros((3, 3), dtype=np.int64)
    for t, p in zip(ys.tolist(), pred.tolist(), strict=True):
        expected[t, p] += 1
    np.testing.assert_array_equal(result.confusion, expected)
    assert result.accuracy == pytest.approx((pred == ys).float().mean().item())
    for k in range(3):
        assert result.per_class_accuracy[k] == pytest.approx(
            (pred[ys == k] == k).float().mean().item())


def test_evaluate_gives_f1_kappa_and_the_accuracy_per_city():
    from swdkit.data import Split

    torch.manual_seed(0)
    xs, ys = stripes(30, 2, 3, seed=0, noise=2.0)
    xe, _ = stripes(30, 3, 3, seed=1)
    net = YNet(n_classes=3, norm="instance", **TINY)
    # a little training: predictions of every class, neither all right nor all wrong
    train.train_sar_only(net, (xs[:15], ys[:15]),
                         quiet(train.FinetuneConfig, epochs=3, steps_per_epoch=3, lr=1e-2,
                               augment=False))  # views would rotate the stripes' labels
    net.eval()
    with torch.no_grad():
        pred = net(xs, "sar").argmax(1)
    assert len(set(pred.tolist())) == 3 and 0.4 < (pred == ys).float().mean() < 0.95
    city = np.array([5] * 10 + [8] * 20)
    split = Split(eo=xe.numpy(), sar=xs.numpy(), labels=ys.numpy(), class_names=["a", "b", "c"],
                  city=city)
    result = train.evaluate(net, split, domain="sar")
    correct = (pred == ys).numpy()
    assert result.city_n == {5: 10, 8: 20}
    assert result.city_accuracy == {5: pytest.approx(correct[:10].mean()),
                                    8: pytest.approx(correct[10:].mean())}
    for k in range(3):  # F1 by counting
        tp = int(((pred == k) & (ys == k)).sum())
        fp, fn = int(((pred == k) & (ys != k)).sum()), int(((pred != k) & (ys == k)).sum())
        expected = math.nan if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)
        np.testing.assert_allclose(result.f1[k], expected, equal_nan=True)
    y_np, p_np = ys.numpy(), pred.numpy()
    p_e = sum(np.mean(y_np == k) * np.mean(p_np == k) for k in range(3))
    assert result.kappa == pytest.approx((np.mean(y_np == p_np) - p_e) / (1 - p_e), abs=1e-12)
    assert result.macro_f1 == pytest.approx(np.nanmean(result.f1))
    assert train.evaluate(net, (xs, ys), domain="sar").city_accuracy is None
    given = train.evaluate(net, (xs, ys), domain="sar", city=np.zeros(30, dtype=np.int64))
    assert given.city_accuracy == {0: pytest.approx(result.accuracy)}


def test_finetune_bridge_copies_all_but_the_first_convolution():
    net = YNet(n_classes=2, **TINY)
    first_sar = net.sar_encoder.features[0].weight.detach().clone()
    copied = train.init_sar_encoder(net)
    assert copied and not any(k.startswith("features.0.") for k in copied)
    sar, eo = net.sar_encoder.state_dict(), net.eo_encoder.state_dict()
    for key in copied:
        assert torch.equal(sar[key], eo[key])
    assert torch.equal(net.sar_encoder.features[0].weight, first_sar)
    assert train.init_sar_encoder(net, "random") == []


def test_bad_inputs_raise_clear_errors():
    net = YNet(n_classes=2, **TINY)
    x, y = stripes(4, 3, 2, seed=0)
    cfg = quiet(train.PretrainConfig, epochs=1)
    with pytest.raises(ValueError, match=r"labels\) must lie in 0..1"):
        train.pretrain_eo(net, (x, y + 5), cfg)
    with pytest.raises(ValueError, match="3 channels"):
        train.pretrain_eo(net, (x[:, :2], y), cfg)
    with pytest.raises(TypeError, match="pair"):
        train.pretrain_eo(net, x, cfg)
    with pytest.raises(TypeError, match="PretrainConfig"):
        train.pretrain_eo(net, (x, y), train.AlignConfig())
    with pytest.raises(ValueError, match="discrepancy"):
        train.AlignConfig(discrepancy="kl")
    with pytest.raises(ValueError, match="epochs"):
        train.FinetuneConfig(epochs=0)
    with pytest.raises(TypeError, match="epochs must be a positive integer, got str '3'"):
        train.FinetuneConfig(epochs="3")
    with pytest.raises(TypeError, match="steps_per_epoch must be a positive integer or None"):
        train.AlignConfig(steps_per_epoch=2.0)
    with pytest.raises(ValueError, match="unlabeled_batch"):
        train.AlignConfig(unlabeled_batch=0)
    with pytest.raises(ValueError, match="temperature"):
        train.PretrainConfig(temperature=0)
    with pytest.raises(ValueError, match="select"):
        train.FinetuneConfig(select="best")
    with pytest.raises(ValueError, match="domain"):
        train.evaluate(net, (x, y), domain="radar")
