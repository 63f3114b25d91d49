"""mmd, median_bandwidth and coral against loop and NumPy references and identities."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from losses_reference import median_distance_reference, mmd_reference

from swdkit.losses import coral, median_bandwidth, mmd

F64 = torch.float64


def pair(n, m, d, *, seed=0, scale=1.0, shift=0.0, dtype=F64):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g, dtype=dtype)
    y = torch.randn(m, d, generator=g, dtype=dtype) * scale + shift
    return x, y


@pytest.mark.parametrize("n,m", [(7, 7), (9, 5), (2, 2)])
@pytest.mark.parametrize("bandwidth", [0.5, 2.0])
def test_mmd_matches_double_loop_reference(n, m, bandwidth):
    x, y = pair(n, m, 3, seed=n + m, shift=0.5)
    assert mmd(x, y, bandwidth=bandwidth).item() == pytest.approx(
        mmd_reference(x, y, bandwidth), rel=1e-10, abs=1e-14)


@pytest.mark.parametrize("n,m", [(6, 4), (5, 5)])
def test_median_heuristic_is_the_median_pairwise_distance(n, m):
    x, y = pair(n, m, 3, seed=1)
    sigma = median_distance_reference(x, y)
    assert median_bandwidth(x, y) == pytest.approx(sigma, rel=1e-12)
    assert mmd(x, y).item() == pytest.approx(mmd_reference(x, y, sigma), rel=1e-10)


def test_median_heuristic_with_coinciding_points():
    x = torch.zeros(5, 2, dtype=F64)
    x[0, 0] = 2.0  # pooled with y: 6 of 21 pairs at distance 2, 15 at 0; median 0, use the mean
    assert median_bandwidth(x, x[1:3]) == pytest.approx(2.0)
    assert median_bandwidth(torch.zeros(3, 2), torch.zeros(2, 2)) == 1.0
    assert mmd(torch.zeros(3, 2), torch.zeros(2, 2)).item() == 0.0


def test_mmd_separates_shifted_samples_and_is_symmetric():
    x, y = pair(200, 150, 4, seed=2)
    _, shifted = pair(200, 150, 4, seed=2, shift=1.0)
    same = mmd(x, y).item()
    different = mmd(x, shifted).item()
    assert abs(same) < 0.02 < different
    assert mmd(shifted, x).item() == pytest.approx(different, rel=1e-12)


def test_mmd_gradients_are_finite_and_correct():
    x, y = pair(6, 5, 3, seed=3)
    torch.autograd.gradcheck(lambda a, b: mmd(a, b, bandwidth=1.3),
                             (x.requires_grad_(True), y.requires_grad_(True)))
    dup = torch.cat([x.detach()[:3], x.detach()[:3]]).requires_grad_(True)  # repeated points
    mmd(dup, dup.detach() + 0.1).backward()
    assert torch.isfinite(dup.grad).all()


@pytest.mark.parametrize("n,m,d", [(10, 8, 4), (3, 2, 1), (50, 60, 6)])
def test_coral_matches_numpy_covariances(n, m, d):
    x, y = pair(n, m, d, seed=n, scale=2.0)
    cx = np.atleast_2d(np.cov(x.numpy(), rowvar=False))
    cy = np.atleast_2d(np.cov(y.numpy(), rowvar=False))
    expected = np.sum((cx - cy) ** 2) / (4 * d * d)
    assert coral(x, y).item() == pytest.approx(expected, rel=1e-12)


def test_coral_ignores_means_and_has_correct_gradients():
    x, y = pair(12, 9, 3, seed=4)
    assert coral(x, x + 5.0).item() == pytest.approx(0.0, abs=1e-12)
    assert coral(x, y + 5.0).item() == pytest.approx(coral(x, y).item(), rel=1e-10)
    torch.autograd.gradcheck(coral, (x.requires_grad_(True), y.requires_grad_(True)))


def test_dtype_and_device_preserved():
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    for device in devices:
        for dtype in (torch.float32, F64):
            x, y = pair(8, 6, 3, dtype=dtype)
            x, y = x.to(device), y.to(device)
            for out in (mmd(x, y), coral(x, y)):
                assert out.dtype == dtype and out.device.type == device and out.ndim == 0


@pytest.mark.parametrize("fn", [mmd, coral])
def test_bad_input(fn):
    with pytest.raises(ValueError, match=r"x must be non-empty with at least 2 samples.*\(1, 3\)"):
        fn(torch.zeros(1, 3), torch.zeros(4, 3))
    with pytest.raises(ValueError, match="same feature dimension"):
        fn(torch.zeros(4, 3), torch.zeros(4, 2))
    with pytest.raises(ValueError, match="must be 2-D"):
        fn(torch.zeros(4), torch.zeros(4, 2))


def test_bad_bandwidth():
    with pytest.raises(ValueError, match=r"bandwidth must be a finite number > 0, got -1"):
        mmd(torch.zeros(3, 2), torch.ones(3, 2), bandwidth=-1)
