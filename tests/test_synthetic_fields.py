"""Helpers of the synthetic generator against slow, obviously correct references."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pytest

from swdkit.data.synthetic._fields import (
    block_mean,
    normal_quantile,
    shifted_count,
    shifted_max,
    smooth_fields,
)
from swdkit.data.synthetic._lee import box_mean


def test_block_mean_equals_loop_average():
    rng = np.random.default_rng(0)
    x = rng.random((2, 6, 9, 3)).astype(np.float32)
    got = block_mean(x, 3)
    for n in range(2):
        for i in range(2):
            for j in range(3):
                ref = x[n, 3 * i:3 * i + 3, 3 * j:3 * j + 3].mean(axis=(0, 1))
                np.testing.assert_allclose(got[n, i, j], ref, rtol=1e-6)


def test_normal_quantile_matches_the_standard_library():
    p = np.array([1e-10, 1e-4, 0.01, 0.024, 0.3, 0.5, 0.77, 0.976, 0.999, 1 - 1e-9])
    ref = [NormalDist().inv_cdf(v) for v in p]
    np.testing.assert_allclose(normal_quantile(p), ref, rtol=1e-6, atol=1e-6)
    assert normal_quantile(np.array([0.0]))[0] == -np.inf
    assert normal_quantile(np.array([1.0]))[0] == np.inf


def test_smooth_fields_have_standard_normal_marginals_everywhere():
    f = smooth_fields(np.random.default_rng(1), 400, 3, 16, cells=3)
    # Every pixel (including those between lattice nodes) has mean 0 and variance 1.
    assert np.abs(f.mean(axis=(0, 1))).max() < 0.15
    assert np.abs(f.std(axis=(0, 1)) - 1.0).max() < 0.1
    # Thresholding at a normal quantile marks the expected area fraction.
    assert abs((f < normal_quantile(np.array([0.3]))[0]).mean() - 0.3) < 0.02
    # And neighbours are strongly correlated (smooth), unlike white noise.
    assert np.corrcoef(f[:, :, :, :-1].ravel(), f[:, :, :, 1:].ravel())[0, 1] > 0.8


def _slow_shifted(h, drop, step, steps, count):
    n, rows, cols = h.shape
    out = np.zeros_like(h) if count else np.full_like(h, -np.inf)
    for s in range(n):
        for i in range(rows):
            for j in range(cols):
                for k in range(1, steps[s] + 1):
                    a, b = i - k * step[0], j - k * step[1]
                    if 0 <= a < rows and 0 <= b < cols:
                        v = h[s, a, b] - k * drop[s]
                        if count:
                            out[s, i, j] += v >= 0
                        else:
                            out[s, i, j] = max(out[s, i, j], v)
    return out


@pytest.mark.parametrize("step", [(0, 1), (0, -1), (-1, -1), (1, 0)])
def test_shifted_max_and_count_equal_the_loop_definition(step):
    rng = np.random.default_rng(2)
    h = (rng.random((3, 7, 8)) < 0.2) * rng.uniform(5, 30, (3, 7, 8))
    h = h.astype(np.float32)
    drop = np.array([4.0, 7.5, 12.0], np.float32)
    steps = np.array([6, 0, 3])
    np.testing.assert_allclose(shifted_max(h, drop, step, steps),
                               _slow_shifted(h, drop, step, steps, False))
    np.testing.assert_allclose(shifted_count(h, drop, step, steps),
                               _slow_shifted(h, drop, step, steps, True))


def test_box_mean_equals_reflected_window_loop():
    rng = np.random.default_rng(3)
    x = rng.random((1, 6, 7)) + 1j * rng.random((1, 6, 7))
    got = box_mean(x, 5)

    def reflect(i, n):
        return -i if i < 0 else (2 * (n - 1) - i if i >= n else i)

    for i in range(6):
        for j in range(7):
            vals = [x[0, reflect(a, 6), reflect(b, 7)] for a in range(i - 2, i + 3)
                    for b in range(j - 2, j + 3)]
            np.testing.assert_allclose(got[0, i, j], np.mean(vals), rtol=1e-12)
