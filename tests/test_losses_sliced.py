"""sliced_wasserstein, wasserstein_1d and random_projections against references and identities."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from losses_reference import sliced_reference, w1d_linear_program, w1d_replicated

from swdkit.losses import random_projections, sliced_wasserstein, wasserstein_1d
from swdkit.losses._sliced import _sliced_from_projected, project
from swdkit.losses._transport_1d import quantile_pairing

F64 = torch.float64


def clouds(n, m, d, *, seed=0, dtype=F64, shift=0.5):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g, dtype=dtype)
    y = torch.randn(m, d, generator=g, dtype=dtype) * 1.5 + shift
    return x, y


def directions(d, n_proj, *, seed=1, dtype=F64):
    return random_projections(d, n_proj, generator=torch.Generator().manual_seed(seed),
                              dtype=dtype)


@pytest.mark.parametrize("p", [1, 1.5, 2, 3])
@pytest.mark.parametrize("n,m", [(6, 6), (7, 5), (1, 4), (3, 6), (12, 8), (10, 1)])
def test_wasserstein_1d_matches_replication_and_linear_program(n, m, p):
    g = torch.Generator().manual_seed(n * 100 + m)
    u = torch.randn(n, generator=g, dtype=F64)
    v = torch.randn(m, generator=g, dtype=F64) * 2 + 0.3
    got = wasserstein_1d(u, v, p=p).item()
    assert got == pytest.approx(w1d_replicated(u, v, p), rel=1e-12, abs=1e-14)
    assert got == pytest.approx(w1d_linear_program(u, v, p), rel=1e-9, abs=1e-12)


def test_wasserstein_1d_is_batched_over_leading_dimensions():
    g = torch.Generator().manual_seed(3)
    u = torch.randn(2, 3, 7, generator=g, dtype=F64)
    v = torch.randn(2, 3, 4, generator=g, dtype=F64)
    got = wasserstein_1d(u, v, p=2)
    assert got.shape == (2, 3)
    for i in range(2):
        for j in range(3):
            assert got[i, j].item() == pytest.approx(w1d_replicated(u[i, j], v[i, j], 2),
                                                     rel=1e-12)


@pytest.mark.parametrize("n,m", [(5, 5), (7, 5), (2, 9), (4096, 3000)])
def test_quantile_pairing_weights_are_a_partition_of_the_unit_interval(n, m):
    a, b, w = quantile_pairing(n, m)
    assert len(a) <= n + m - 1 and bool((w > 0).all())
    assert w.sum().item() == pytest.approx(1.0, abs=1e-12)
    # every sample carries exactly its mass 1/n (resp. 1/m)
    assert torch.allclose(torch.zeros(n, dtype=F64).index_add_(0, a, w), torch.full((n,), 1 / n,
                                                                                    dtype=F64))
    assert torch.allclose(torch.zeros(m, dtype=F64).index_add_(0, b, w), torch.full((m,), 1 / m,
                                                                                    dtype=F64))
    assert bool((a.diff() >= 0).all() and (b.diff() >= 0).all())  # monotone coupling


@pytest.mark.parametrize("p", [1, 2, 1.5])
def test_sw_of_a_cloud_with_itself_is_zero_with_finite_gradient(p):
    x, _ = clouds(32, 1, 5)
    x[3] = x[7]  # a tie, where sort's order is arbitrary
    a = x.clone().requires_grad_(True)
    b = x.clone().requires_grad_(True)
    value = sliced_wasserstein(a, b, p=p, projections=directions(5, 16))
    value.backward()
    assert value.item() == 0.0
    assert torch.isfinite(a.grad).all() and torch.isfinite(b.grad).all()
    assert a.grad.abs().max().item() == 0.0
    same = x.clone().requires_grad_(True)  # the very same tensor on both sides
    sliced_wasserstein(same, same, p=p, generator=torch.Generator().manual_seed(0)).backward()
    assert torch.isfinite(same.grad).all()


@pytest.mark.parametrize("n,m", [(20, 20), (20, 13)])
@pytest.mark.parametrize("p", [1, 2, 3])
def test_sw_is_symmetric(n, m, p):
    x, y = clouds(n, m, 4)
    proj = directions(4, 9)
    assert sliced_wasserstein(x, y, p=p, projections=proj).item() == pytest.approx(
        sliced_wasserstein(y, x, p=p, projections=proj).item(), rel=1e-12)


@pytest.mark.parametrize("n,m", [(9, 9), (9, 4)])
@pytest.mark.parametrize("p", [1, 2, 2.5])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_in_one_dimension_sw_is_the_exact_wasserstein(n, m, p, sign):
    x, y = clouds(n, m, 1, seed=5)
    got = sliced_wasserstein(x, y, p=p, projections=torch.tensor([[sign]], dtype=F64))
    expected = w1d_replicated(x[:, 0], y[:, 0], p)
    if n == m:  # the textbook formula from sorted samples
        xs, ys = np.sort(x[:, 0].numpy()), np.sort(y[:, 0].numpy())
        assert expected == pytest.approx(np.mean(np.abs(xs - ys) ** p), rel=1e-12)
    assert got.item() == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("n,m", [(16, 16), (17, 11), (3, 25), (1, 6)])
@pytest.mark.parametrize("p", [1, 1.5, 2, 3])
def test_sw_matches_slow_exact_reference(n, m, p):
    x, y = clouds(n, m, 6, seed=n + m)
    proj = directions(6, 11)
    got = sliced_wasserstein(x, y, p=p, projections=proj)
    assert got.item() == pytest.approx(sliced_reference(x, y, proj, p), rel=1e-11)


@pytest.mark.parametrize("n,m", [(40, 40), (40, 27)])
@pytest.mark.parametrize("p", [1, 2, 3])
def test_sw_equals_pot_to_the_power_p(n, m, p):
    ot = pytest.importorskip("ot")
    x, y = clouds(n, m, 8, seed=7)
    proj = directions(8, 30)
    pot = ot.sliced_wasserstein_distance(x, y, projections=proj, p=p) ** p
    assert sliced_wasserstein(x, y, p=p, projections=proj).item() == pytest.approx(
        float(pot), rel=1e-10)


def test_sw_equals_pot_in_float32():
    ot = pytest.importorskip("ot")
    x, y = clouds(256, 256, 32, dtype=torch.float32)
    proj = directions(32, 64, dtype=torch.float32)
    pot = ot.sliced_wasserstein_distance(x, y, projections=proj, p=2) ** 2
    assert sliced_wasserstein(x, y, projections=proj).item() == pytest.approx(float(pot),
                                                                                rel=1e-5)


@pytest.mark.parametrize("n,m", [(30, 30), (30, 21)])
def test_translation_adds_mean_squared_projected_shift(n, m):
    x, _ = clouds(n, 1, 5)
    g = torch.Generator().manual_seed(11)
    y = x[torch.randperm(n, generator=g)[:m]] if m < n else x.clone()
    shift = torch.tensor([0.3, -1.2, 2.0, 0.0, 0.7], dtype=F64)
    proj = directions(5, 40)
    base = sliced_wasserstein(x, y, projections=proj)
    moved = sliced_wasserstein(x, y + shift, projections=proj)
    expected_change = ((shift @ proj) ** 2).mean()
    if n == m:  # W_2^2(mu, mu shifted by s) = s^2 on each line
        assert base.item() == 0.0
        assert moved.item() == pytest.approx(expected_change.item(), rel=1e-12)
    else:  # in general: W_2^2 to a shifted copy = W_2^2 + s^2 + 2 s (mean(y) - mean(x))
        cross = (2 * (shift @ proj) * ((y.mean(0) - x.mean(0)) @ proj)).mean()
        assert (moved - base).item() == pytest.approx((expected_change + cross).item(),
                                                      rel=1e-10)


@pytest.mark.parametrize("n,m,p", [(8, 8, 2), (8, 5, 2), (7, 7, 1), (6, 9, 1.5), (5, 5, 3)])
def test_gradcheck_float64(n, m, p):
    x, y = clouds(n, m, 3, seed=n * m)
    proj = directions(3, 4)
    torch.autograd.gradcheck(
        lambda a, b: sliced_wasserstein(a, b, p=p, projections=proj),
        (x.requires_grad_(True), y.requires_grad_(True)))


@pytest.mark.parametrize("n,m", [(6, 4), (6, 6)])
def test_gradient_wrt_the_projections_is_also_correct(n, m):
    x, y = clouds(n, m, 3, seed=2)
    base = directions(3, 2)

    def on_sphere(raw):  # keep unit columns while gradcheck perturbs the entries
        return sliced_wasserstein(x, y, projections=raw / raw.norm(dim=0, keepdim=True))

    torch.autograd.gradcheck(on_sphere, (base.clone().requires_grad_(True),))


@pytest.mark.parametrize("p", [1, 1.5, 2, 3])
@pytest.mark.parametrize("which", ["both", "x", "y"])
@pytest.mark.parametrize("n,m", [(50, 50), (50, 37), (20, 64)])
def test_hand_written_backward_matches_autograd_through_sort(n, m, p, which):
    """Values and gradients equal plain autograd through torch.sort and the quantile sum."""
    x, y = clouds(n, m, 7, seed=8)
    proj = directions(7, 13)
    x.requires_grad_(which in ("both", "x"))
    y.requires_grad_(which in ("both", "y"))
    inputs = [t for t in (x, y) if t.requires_grad]
    fast = sliced_wasserstein(x, y, p=p, projections=proj)
    slow = _sliced_from_projected(project(x, proj), project(y, proj), p)
    assert fast.item() == pytest.approx(slow.item(), rel=1e-13)
    for got, expected in zip(torch.autograd.grad(fast * 3.0, inputs),
                             torch.autograd.grad(slow * 3.0, inputs), strict=True):
        assert torch.allclose(got, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("n,m,p", [(9, 9, 2), (9, 6, 2), (9, 6, 3)])
def test_backward_can_run_twice_with_retained_graph(n, m, p):
    x, y = clouds(n, m, 3, seed=9)
    x.requires_grad_(True)
    value = sliced_wasserstein(x, y, p=p, projections=directions(3, 5))
    (first,) = torch.autograd.grad(value, x, retain_graph=True)
    (second,) = torch.autograd.grad(value, x)
    assert torch.equal(first, second) and first.abs().max().item() > 0


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
@pytest.mark.parametrize("n,m", [(10, 10), (10, 6)])
def test_device_and_dtype_are_preserved(dtype, n, m):
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    for device in devices:
        x, y = clouds(n, m, 4, dtype=torch.float32)
        x, y = x.to(device, dtype), y.to(device, dtype)
        g = torch.Generator(device=device).manual_seed(0)
        out = sliced_wasserstein(x, y, generator=g)
        assert out.dtype == dtype and out.device.type == device and out.ndim == 0
        out32 = sliced_wasserstein(x, y, projections=directions(4, 8, dtype=torch.float32))
        assert out32.dtype == dtype and out32.device.type == device


def test_randomness_comes_only_from_the_generator():
    x, y = clouds(50, 40, 6)
    first = sliced_wasserstein(x, y, n_projections=8, generator=torch.Generator().manual_seed(4))
    torch.manual_seed(123)
    torch.rand(5)  # disturb the global generator
    again = sliced_wasserstein(x, y, n_projections=8, generator=torch.Generator().manual_seed(4))
    other = sliced_wasserstein(x, y, n_projections=8, generator=torch.Generator().manual_seed(5))
    assert first.item() == again.item()
    assert first.item() != other.item()
    torch.manual_seed(9)
    a = sliced_wasserstein(x, y, n_projections=8)
    torch.manual_seed(9)
    assert sliced_wasserstein(x, y, n_projections=8).item() == a.item()


def test_n_projections_sets_the_number_of_directions():
    x, y = clouds(20, 20, 3)
    g1, g2 = torch.Generator().manual_seed(0), torch.Generator().manual_seed(0)
    drawn = random_projections(3, 7, generator=g1, dtype=F64)
    assert sliced_wasserstein(x, y, n_projections=7, generator=g2).item() == pytest.approx(
        sliced_reference(x, y, drawn, 2), rel=1e-12)


def test_random_projections_are_unit_and_isotropic():
    g = torch.Generator().manual_seed(0)
    proj = random_projections(4, 40000, generator=g, dtype=F64)
    assert proj.shape == (4, 40000) and proj.dtype == F64
    assert torch.allclose(proj.norm(dim=0), torch.ones(40000, dtype=F64), atol=1e-12)
    # uniform on the sphere: E[theta theta^T] = I / D, E[theta] = 0
    second_moment = proj @ proj.T / proj.shape[1]
    assert torch.allclose(second_moment, torch.eye(4, dtype=F64) / 4, atol=0.01)
    assert proj.mean(dim=1).abs().max().item() < 0.02
    assert random_projections(3, 2).dtype == torch.get_default_dtype()


@pytest.mark.parametrize("kwargs,match", [
    ({"x": torch.zeros(5), "y": torch.zeros(5, 2)}, r"x must be 2-D.*unsqueeze"),
    ({"x": torch.zeros(5, 3), "y": torch.zeros(4, 2)},
     r"same feature dimension.*\(5, 3\).*\(4, 2\)"),
    ({"x": torch.zeros(0, 3), "y": torch.zeros(4, 3)}, r"x must be non-empty.*\(0, 3\)"),
    ({"x": torch.zeros(5, 3), "y": torch.zeros(4, 0)}, r"y must be non-empty"),
    ({"x": torch.zeros(5, 3), "y": torch.zeros(4, 3, dtype=F64)}, r"same dtype"),
    ({"x": torch.zeros(5, 3, dtype=torch.long), "y": torch.zeros(4, 3)}, r"floating-point"),
    ({"x": np.zeros((5, 3)), "y": torch.zeros(4, 3)}, r"x must be a torch.Tensor"),
    ({"p": 0.5}, r"p must be .* >= 1.*0.5"),
    ({"p": float("nan")}, r"p must be"),
    ({"n_projections": 0}, r"n_projections must be a positive integer, got 0"),
    ({"projections": torch.ones(3, 4)}, r"unit-norm columns.*off by"),
    ({"projections": torch.eye(4)[:, :2]}, r"shape \(D, L\) = \(3, L\).*\(4, 2\)"),
    ({"projections": torch.eye(3)[0]}, r"shape \(D, L\)"),
    ({"projections": torch.full((3, 2), float("nan"))}, r"unit-norm"),
])
def test_bad_input_is_a_clear_value_error(kwargs, match):
    args = {"x": torch.zeros(5, 3), "y": torch.ones(4, 3), **kwargs}
    x, y = args.pop("x"), args.pop("y")
    with pytest.raises(ValueError, match=match):
        sliced_wasserstein(x, y, **args)


@pytest.mark.parametrize("kwargs, match", [
    ({"n_projections": 2.5}, r"n_projections must be a positive integer, got float 2.5"),
    ({"n_projections": True}, r"n_projections must be a positive integer, got bool"),
    ({"p": "2"}, r"p must be a finite number, got str"),
])
def test_a_number_of_the_wrong_type_is_a_type_error(kwargs, match):
    with pytest.raises(TypeError, match=match):
        sliced_wasserstein(torch.zeros(5, 3), torch.ones(4, 3), **kwargs)


def test_bad_input_to_helpers_is_a_clear_value_error():
    with pytest.raises(ValueError, match="n_projections must be a positive integer"):
        random_projections(3, 0)
    with pytest.raises(ValueError, match="dtype must be a floating-point"):
        random_projections(3, 2, dtype=torch.long)
    with pytest.raises(ValueError, match="N >= 1"):
        wasserstein_1d(torch.zeros(0), torch.zeros(3))
    with pytest.raises(ValueError, match="floating-point"):
        wasserstein_1d(torch.arange(3), torch.arange(4))
    with pytest.raises(ValueError, match="share leading shape"):
        wasserstein_1d(torch.zeros(2, 3), torch.zeros(3, 3))
