"""class_conditional_swd and max_sliced_wasserstein against references and identities."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from losses_reference import per_slice_reference, sliced_reference, w1d_linear_program

from swdkit.losses import (
    class_conditional_swd,
    max_sliced_wasserstein,
    random_projections,
    sliced_wasserstein,
)

F64 = torch.float64


def labelled(n, d, classes, *, seed, shift=0.0):
    g = torch.Generator().manual_seed(seed)
    labels = torch.tensor(classes, dtype=torch.long)[torch.randint(len(classes), (n,),
                                                                   generator=g)]
    z = torch.randn(n, d, generator=g, dtype=F64) + labels.to(F64).unsqueeze(1) + shift
    return z, labels


def directions(d, n_proj, *, seed=1):
    return random_projections(d, n_proj, generator=torch.Generator().manual_seed(seed), dtype=F64)


def test_class_conditional_is_the_mean_over_shared_classes_of_exact_sw():
    z_src, y_src = labelled(60, 4, [0, 1, 2, 5], seed=0)  # class 5 only in the source
    z_tgt, y_tgt = labelled(25, 4, [0, 1, 2, 7], seed=1, shift=0.4)  # class 7 only in the target
    proj = directions(4, 12)
    got = class_conditional_swd(z_src, y_src, z_tgt, y_tgt, projections=proj)
    shared = sorted(set(y_src.tolist()) & set(y_tgt.tolist()))
    assert shared == [0, 1, 2]
    expected = np.mean([sliced_reference(z_src[y_src == c], z_tgt[y_tgt == c], proj, 2)
                        for c in shared])
    assert got.item() == pytest.approx(expected, rel=1e-11)


def test_classes_on_one_side_only_do_not_change_the_value():
    z_src, y_src = labelled(40, 3, [0, 1], seed=2)
    z_tgt, y_tgt = labelled(30, 3, [0, 1], seed=3)
    proj = directions(3, 8)
    base = class_conditional_swd(z_src, y_src, z_tgt, y_tgt, projections=proj, p=1)
    extra = torch.randn(5, 3, dtype=F64) * 10
    more = class_conditional_swd(torch.cat([z_src, extra]),
                                 torch.cat([y_src, torch.full((5,), 9)]), z_tgt, y_tgt,
                                 projections=proj, p=1)
    assert more.item() == pytest.approx(base.item(), rel=1e-12)


def test_no_shared_class_gives_a_differentiable_zero():
    z_src = torch.randn(6, 3, requires_grad=True)
    z_tgt = torch.randn(4, 3, requires_grad=True)
    out = class_conditional_swd(z_src, torch.zeros(6, dtype=torch.long), z_tgt,
                                torch.ones(4, dtype=torch.long), n_projections=5)
    assert out.item() == 0.0 and out.requires_grad
    out.backward()
    assert torch.equal(z_src.grad, torch.zeros_like(z_src))
    assert torch.equal(z_tgt.grad, torch.zeros_like(z_tgt))


def test_class_conditional_gradcheck_and_label_dtypes():
    z_src, y_src = labelled(12, 3, [0, 1], seed=4)
    z_tgt, y_tgt = labelled(7, 3, [0, 1], seed=5)
    proj = directions(3, 4)
    torch.autograd.gradcheck(
        lambda a, b: class_conditional_swd(a, y_src, b, y_tgt, projections=proj),
        (z_src.requires_grad_(True), z_tgt.requires_grad_(True)))
    as_int32 = class_conditional_swd(z_src, y_src.int(), z_tgt, y_tgt.int(), projections=proj)
    assert as_int32.item() == pytest.approx(
        class_conditional_swd(z_src, y_src, z_tgt, y_tgt, projections=proj).item(), rel=1e-15)


def test_class_conditional_dtype_and_generator():
    z_src, y_src = labelled(30, 3, [0, 1], seed=6)
    z_tgt, y_tgt = labelled(20, 3, [0, 1], seed=7)
    z_src, z_tgt = z_src.float(), z_tgt.float()
    a, b = (class_conditional_swd(z_src, y_src, z_tgt, y_tgt,
                                  generator=torch.Generator().manual_seed(1)) for _ in range(2))
    assert a.dtype == torch.float32 and a.item() == b.item()


@pytest.mark.parametrize("kwargs,match", [
    ({"y_src": torch.zeros(5, dtype=torch.long)}, r"y_src must have shape \(6,\).*\(5,\)"),
    ({"y_tgt": torch.zeros(4)}, r"y_tgt must hold integer class labels.*float32"),
    ({"y_tgt": torch.zeros(4, 1, dtype=torch.long)}, r"y_tgt must have shape \(4,\)"),
    ({"z_tgt": torch.zeros(4, 2)}, r"z_src and z_tgt must have the same feature dimension"),
    ({"p": 0}, r"p must be"),
])
def test_class_conditional_bad_input(kwargs, match):
    args = {"z_src": torch.zeros(6, 3), "y_src": torch.zeros(6, dtype=torch.long),
            "z_tgt": torch.zeros(4, 3), "y_tgt": torch.zeros(4, dtype=torch.long)}
    p = kwargs.pop("p", 2)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        class_conditional_swd(args["z_src"], args["y_src"], args["z_tgt"], args["y_tgt"], p=p)


@pytest.mark.parametrize("n,m,p", [(30, 30, 2), (30, 17, 1), (12, 20, 3)])
def test_max_sliced_is_the_largest_exact_slice(n, m, p):
    g = torch.Generator().manual_seed(n + m)
    x = torch.randn(n, 5, generator=g, dtype=F64)
    y = torch.randn(m, 5, generator=g, dtype=F64) * torch.tensor([1, 2, 1, 1, 3.0]) + 0.2
    proj = directions(5, 25)
    value, theta = max_sliced_wasserstein(x, y, p=p, projections=proj, return_direction=True)
    slices = per_slice_reference(x, y, proj, p)
    assert value.item() == pytest.approx(max(slices), rel=1e-11)
    assert torch.equal(theta, proj[:, int(np.argmax(slices))])
    assert value.item() >= sliced_wasserstein(x, y, p=p, projections=proj).item()


def test_optimised_direction_finds_a_translation():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(200, 6, generator=g, dtype=F64)
    shift = torch.tensor([0.0, 0.0, 3.0, 0.0, 4.0, 0.0], dtype=F64)  # |shift|^2 = 25
    y = x + shift
    proj = directions(6, 4)
    random_only = max_sliced_wasserstein(x, y, projections=proj)
    with torch.inference_mode():  # the ascent needs no outer autograd
        value, theta = max_sliced_wasserstein(x, y, projections=proj, optimize_steps=60,
                                              step_size=0.3, return_direction=True)
    with torch.no_grad():
        again = max_sliced_wasserstein(x, y, projections=proj, optimize_steps=60,
                                       step_size=0.3)
    assert again.item() == value.item()
    assert random_only.item() < 20.0  # four random directions miss the shift
    # On the line theta, W_2^2 between x and its translate is (theta . shift)^2 <= 25.
    assert 24.9 < value.item() <= 25.0 + 1e-9
    assert abs(float(theta @ shift) / 5.0) > 0.998
    assert float(theta.norm()) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("p", [1, 2])
def test_max_sliced_never_exceeds_full_wasserstein_and_optimising_never_lowers_it(p):
    g = torch.Generator().manual_seed(3)
    x = torch.randn(40, 3, generator=g, dtype=F64)
    y = torch.randn(25, 3, generator=g, dtype=F64) * torch.tensor([0.5, 2.0, 1.0]) + 0.3
    xy_cost = (torch.cdist(x, y) ** p).numpy()
    import ot

    full = ot.emd2(np.full(40, 1 / 40), np.full(25, 1 / 25), xy_cost)
    proj = directions(3, 10)
    plain = max_sliced_wasserstein(x, y, p=p, projections=proj)
    tuned = max_sliced_wasserstein(x, y, p=p, projections=proj, optimize_steps=30)
    assert plain.item() <= tuned.item() <= full + 1e-9
    # and the optimised value is the exact W_p^p on its own line
    _, theta = max_sliced_wasserstein(x, y, p=p, projections=proj, optimize_steps=30,
                                      return_direction=True)
    assert tuned.item() == pytest.approx(w1d_linear_program(x @ theta, y @ theta, p), rel=1e-9)


def test_max_sliced_is_differentiable_in_the_points():
    g = torch.Generator().manual_seed(5)
    x = torch.randn(9, 3, generator=g, dtype=F64).requires_grad_(True)
    y = torch.randn(7, 3, generator=g, dtype=F64).requires_grad_(True)
    proj = directions(3, 6)
    # the argmax over a fixed candidate set is locally constant, so the gradient is exact
    torch.autograd.gradcheck(lambda a, b: max_sliced_wasserstein(a, b, projections=proj),
                             (x, y))
    # after optimisation the gradient is the one at the chosen, fixed direction
    value, theta = max_sliced_wasserstein(x, y, projections=proj, optimize_steps=5,
                                          return_direction=True)
    grads = torch.autograd.grad(value, (x, y))
    fixed = sliced_wasserstein(x, y, projections=theta.unsqueeze(1))
    for got, expected in zip(grads, torch.autograd.grad(fixed, (x, y)), strict=True):
        assert torch.allclose(got, expected, rtol=1e-12, atol=1e-14)
    assert value.item() == pytest.approx(fixed.item(), rel=1e-14)


@pytest.mark.parametrize("kwargs,match", [
    ({"optimize_steps": -1}, r"optimize_steps must be an integer >= 0; got -1"),
    ({"optimize_steps": 1.5}, r"optimize_steps must be an integer"),
    ({"step_size": 0.0}, r"step_size must be a finite number > 0, got 0.0"),
    ({"p": 0.9}, r"p must be"),
])
def test_max_sliced_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        max_sliced_wasserstein(torch.zeros(4, 2), torch.ones(3, 2), **kwargs)
