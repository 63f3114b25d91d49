"""exact_wasserstein against an independent linear-programming solver (POT) and the SW bounds."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from swdkit.losses import exact_wasserstein, pairing_cost, random_projections, sliced_wasserstein

F64 = torch.float64


def clouds(n, m, d, *, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g, dtype=F64)
    y = torch.randn(m, d, generator=g, dtype=F64) * torch.linspace(0.5, 2.0, d, dtype=F64) + 0.3
    return x, y


@pytest.mark.parametrize(("n", "m", "d"), [(12, 12, 3), (8, 12, 4), (5, 7, 2), (1, 6, 3)])
def test_matches_the_linear_program(n, m, d):
    import ot

    x, y = clouds(n, m, d, seed=n + m)
    cost = (torch.cdist(x, y) ** 2).numpy()
    expected = ot.emd2(np.full(n, 1 / n), np.full(m, 1 / m), cost) / d
    assert exact_wasserstein(x, y).item() == pytest.approx(expected, rel=1e-9)


def test_a_case_by_hand():
    # one point at 0 against points at 1 and 3 (D = 1): each carries half the mass, (1 + 9) / 2
    x = torch.tensor([[0.0]], dtype=F64)
    y = torch.tensor([[1.0], [3.0]], dtype=F64)
    assert exact_wasserstein(x, y).item() == pytest.approx(5.0)
    # the same sets in another row order cost nothing
    z = torch.tensor([[3.0], [1.0]], dtype=F64)
    assert exact_wasserstein(y, z).item() == pytest.approx(0.0, abs=1e-12)


def test_sliced_is_below_exact_which_is_below_any_fixed_pairing():
    x, y = clouds(20, 20, 5, seed=4)
    proj = random_projections(5, 4000, generator=torch.Generator().manual_seed(0), dtype=F64)
    sw = sliced_wasserstein(x, y, projections=proj).item()
    exact = exact_wasserstein(x, y).item()
    paired = pairing_cost(x, y).item()
    assert sw < exact < paired
    # a row order of y that is the optimal matching costs exactly the minimum
    from scipy.optimize import linear_sum_assignment

    _, cols = linear_sum_assignment((torch.cdist(x, y) ** 2).numpy())
    assert pairing_cost(x, y[torch.as_tensor(cols)]).item() == pytest.approx(exact, rel=1e-12)


def test_gradient_is_that_of_the_optimal_cost():
    x, y = clouds(6, 9, 3, seed=7)
    x.requires_grad_(True)
    y.requires_grad_(True)
    torch.autograd.gradcheck(lambda a, b: exact_wasserstein(a, b), (x, y))


def test_float32_keeps_dtype_and_device():
    x, y = clouds(8, 8, 4, seed=1)
    value = exact_wasserstein(x.float(), y.float())
    assert value.dtype == torch.float32 and value.device == x.device
    assert value.item() == pytest.approx(exact_wasserstein(x, y).item(), rel=1e-5)


@pytest.mark.parametrize(("x", "y", "kwargs", "error", "match"), [
    (torch.zeros(7, 2), torch.zeros(11, 2), {"max_points": 50}, ValueError, "lcm"),
    (torch.zeros(4, 2), torch.zeros(4, 3), {}, ValueError, "feature dimension"),
    (torch.zeros(4), torch.zeros(4, 1), {}, ValueError, "2-D"),
    (torch.zeros(4, 2), torch.zeros(4, 2), {"max_points": 0}, ValueError, "max_points"),
    (torch.zeros(4, 2), torch.zeros(4, 2), {"max_points": 2.5}, TypeError, "max_points"),
])
def test_bad_input(x, y, kwargs, error, match):
    with pytest.raises(error, match=match):
        exact_wasserstein(x, y, **kwargs)
