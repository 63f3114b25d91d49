"""The report's statistics against scipy, hand-worked examples and slow references."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from swdkit.experiments._stats import (
    chance_margin,
    city_spread,
    equivalence_test,
    holm,
    t_test,
)
from swdkit.train._evaluate import accuracy_by_group, cohen_kappa, f1_per_class, macro_f1

DIFFS = [0.012, -0.004, 0.031, 0.018, 0.007]


# Student t -----------------------------------------------------------------------------------

@pytest.mark.parametrize("mu", [0.0, 0.01, -0.02])
def test_t_test_matches_scipy_ttest_1samp_and_its_interval(mu):
    got = t_test(DIFFS, mu=mu)
    ref = stats.ttest_1samp(DIFFS, popmean=mu)
    assert got["t"] == pytest.approx(ref.statistic, rel=1e-12)
    assert got["p_value"] == pytest.approx(ref.pvalue, rel=1e-10)
    assert got["df"] == 4
    low, high = ref.confidence_interval(0.95)
    assert got["ci_low"] == pytest.approx(low) and got["ci_high"] == pytest.approx(high)


def test_t_interval_by_hand_from_t_ppf():
    n = len(DIFFS)
    mean = sum(DIFFS) / n
    s = math.sqrt(sum((d - mean) ** 2 for d in DIFFS) / (n - 1))
    half = stats.t.ppf(0.975, n - 1) * s / math.sqrt(n)
    got = t_test(DIFFS)
    assert got["ci_low"] == pytest.approx(mean - half) and got["ci_high"] == pytest.approx(
        mean + half)
    wide = t_test(DIFFS, confidence=0.99)
    assert wide["ci_high"] - wide["ci_low"] == pytest.approx(
        2 * stats.t.ppf(0.995, n - 1) * s / math.sqrt(n))


def test_two_standard_errors_with_five_seeds_is_p_about_0_12():
    # deviations 1, -1, 1, -1, 0: s = 1, se = 1/sqrt(5); shifted so that mean / se = 2
    values = [v + 2 / math.sqrt(5) for v in (1, -1, 1, -1, 0)]
    got = t_test(values)
    assert got["t"] == pytest.approx(2.0)
    assert got["p_value"] == pytest.approx(0.1161, abs=1e-4)  # 2 * P(T_4 >= 2)
    # the "+3.0 ± 1.1" row: t = 2.727 on 4 df
    assert 2 * stats.t.sf(3.0 / 1.1, 4) == pytest.approx(0.0526, abs=1e-3)


def test_t_test_edge_cases():
    one = t_test([0.3])
    assert one["sem"] is None and one["p_value"] is None and one["ci_low"] is None
    flat = t_test([0.2, 0.2, 0.2])
    assert flat["sem"] == 0 and flat["p_value"] == 0.0 and flat["ci_low"] == flat["ci_high"]
    assert t_test([0.0, 0.0], mu=0.0)["p_value"] == 1.0
    assert t_test([math.nan, 0.1])["p_value"] is None
    with pytest.raises(ValueError, match="values is empty"):
        t_test([])
    with pytest.raises(ValueError, match="confidence must lie in"):
        t_test(DIFFS, confidence=95)


# Holm ----------------------------------------------------------------------------------------

def test_holm_by_hand():
    # sorted: 0.005 (x4 = 0.02), 0.01 (x3 = 0.03), 0.03 (x2 = 0.06), 0.04 (x1 = 0.04 -> 0.06)
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([None, 0.01, 0.04, None]) == [None, pytest.approx(0.02), pytest.approx(0.04),
                                              None]
    assert holm([0.5, 0.6]) == [1.0, 1.0]
    assert holm([]) == [] and holm([0.2]) == [0.2]
    with pytest.raises(ValueError, match=r"numbers in \[0, 1\]"):
        holm([0.1, 1.5])


def _holm_rejects(p, alpha):
    """Holm's procedure as first written: step down the sorted p-values, reject while
    p_(i) <= alpha / (m - i + 1), stop at the first that fails."""
    m, rejected = len(p), set()
    for i, (value, index) in enumerate(sorted((v, k) for k, v in enumerate(p))):
        if value > alpha / (m - i):
            break
        rejected.add(index)
    return rejected


def test_holm_adjusted_p_values_reject_exactly_as_the_step_down_procedure():
    rng = np.random.default_rng(0)
    for _ in range(200):
        p = list(rng.uniform(0, 0.08, size=int(rng.integers(1, 8))))
        adjusted = holm(p)
        for alpha in (0.01, 0.02, 0.05, 0.1):
            assert {i for i, a in enumerate(adjusted) if a <= alpha} == _holm_rejects(p, alpha)


# Equivalence to chance -----------------------------------------------------------------------

def test_chance_margin_for_the_class_sets():
    assert chance_margin(1 / 4) == pytest.approx(0.05)
    assert chance_margin(1 / 10) == pytest.approx(0.05)
    assert chance_margin(1 / 17) == pytest.approx(0.5 / 17)  # 2.9 points around 5.9 %
    assert chance_margin(0.5, points=0.1, share=0.1) == pytest.approx(0.05)
    with pytest.raises(ValueError, match="chance must be an accuracy"):
        chance_margin(0.0)


def test_equivalence_is_the_larger_of_two_one_sided_scipy_tests():
    for shift in (-0.03, 0.0, 0.02, 0.04):
        values = [d + shift for d in DIFFS]
        lower = stats.ttest_1samp(values, -0.05, alternative="greater").pvalue
        upper = stats.ttest_1samp(values, 0.05, alternative="less").pvalue
        assert equivalence_test(values, low=-0.05, high=0.05) == pytest.approx(
            max(lower, upper), rel=1e-10)


def test_equivalence_on_both_sides_of_the_margin():
    margin = chance_margin(1 / 17)
    spread = [-0.004, 0.002, 0.0, 0.003, -0.001]  # mean 0, se 0.0012
    inside = [0.01 + v for v in spread]  # 90 % interval about [0.0074, 0.0126]: inside 0.0294
    outside = [0.028 + v for v in spread]  # interval reaches past 0.0294
    assert equivalence_test(inside, low=-margin, high=margin) < 0.05
    assert equivalence_test(outside, low=-margin, high=margin) > 0.05
    below = [-0.01 + v for v in spread]
    assert equivalence_test(below, low=-margin, high=margin) < 0.05
    # TOST at 5 % <=> the 90 % t interval lies inside the margin
    for shift in np.linspace(-0.035, 0.035, 29):
        values = [shift + v for v in spread]
        ci = t_test(values, confidence=0.90)
        within = -margin < ci["ci_low"] and ci["ci_high"] < margin
        assert (equivalence_test(values, low=-margin, high=margin) < 0.05) == within


def test_equivalence_edge_cases():
    assert equivalence_test([0.01], low=-0.05, high=0.05) is None
    assert equivalence_test([0.01, 0.01], low=-0.05, high=0.05) == 0.0
    assert equivalence_test([0.07, 0.07], low=-0.05, high=0.05) == 1.0
    with pytest.raises(ValueError, match="low < high"):
        equivalence_test(DIFFS, low=0.05, high=-0.05)


# Test cities ---------------------------------------------------------------------------------

def test_city_spread_by_hand():
    per_seed = [{"1": 0.70, "2": 0.50, "3": 0.90}, {"1": 0.80, "2": 0.60, "3": 0.90}]
    counts = {"1": 100, "2": 300, "3": 100}
    got = city_spread(per_seed, counts)
    # city means 0.75, 0.55, 0.90; weights 0.2, 0.6, 0.2; mean 0.15 + 0.33 + 0.18 = 0.66
    assert got["cities"] == pytest.approx({"1": 0.75, "2": 0.55, "3": 0.90})
    assert got["mean"] == pytest.approx(0.66)
    # residuals w_c (a_c - a): 0.2 * 0.09, 0.6 * -0.11, 0.2 * 0.24 -> squares sum 0.006984
    assert got["sem"] == pytest.approx(math.sqrt(3 / 2 * 0.006984))
    assert (got["low"], got["high"], got["n_cities"]) == (pytest.approx(0.55), 0.90, 3)


def test_city_spread_with_equal_cities_is_the_sd_over_cities_over_root_c():
    values = {"a": 0.6, "b": 0.7, "c": 0.75, "d": 0.9}
    got = city_spread([values], dict.fromkeys(values, 50))
    assert got["sem"] == pytest.approx(np.std(list(values.values()), ddof=1) / 2)


def test_city_spread_refuses_what_is_not_one_test_set():
    assert city_spread([{"1": 0.5}, {"2": 0.5}], {"1": 10, "2": 10}) is None
    assert city_spread([], {}) is None
    assert city_spread([{"1": 0.5}], {"1": 10})["sem"] is None


# F1, kappa, accuracy per group ---------------------------------------------------------------

def _slow_f1_and_kappa(y, p, k):
    f1 = []
    for c in range(k):
        tp = sum(1 for a, b in zip(y, p, strict=True) if a == c and b == c)
        fp = sum(1 for a, b in zip(y, p, strict=True) if a != c and b == c)
        fn = sum(1 for a, b in zip(y, p, strict=True) if a == c and b != c)
        f1.append(math.nan if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn))
    n = len(y)
    observed = sum(a == b for a, b in zip(y, p, strict=True)) / n
    expected = sum((y.count(c) / n) * (p.count(c) / n) for c in range(k))
    return f1, (observed - expected) / (1 - expected)


def _confusion(y, p, k):
    conf = np.zeros((k, k), dtype=np.int64)
    for a, b in zip(y, p, strict=True):
        conf[a, b] += 1
    return conf


def test_f1_and_kappa_match_a_slow_reference():
    rng = np.random.default_rng(1)
    for k in (2, 4, 17):
        y = rng.integers(0, k, size=200).tolist()
        p = [a if rng.random() < 0.4 else int(rng.integers(0, k)) for a in y]
        p = [min(v, k - 2) for v in p]  # the last class is never predicted: F1 = 0 when present
        f1, kappa = _slow_f1_and_kappa(y, p, k)
        conf = _confusion(y, p, k)
        np.testing.assert_allclose(f1_per_class(conf), f1, equal_nan=True)
        assert cohen_kappa(conf) == pytest.approx(kappa)
        assert macro_f1(conf) == pytest.approx(np.nanmean(f1))
    # hand: y = 0 0 1 1, p = 0 1 1 1 -> F1 = 2/3, 0.8; p_o = 0.75, p_e = 0.5 * 0.25 + 0.5 * 0.75
    conf = _confusion([0, 0, 1, 1], [0, 1, 1, 1], 2)
    np.testing.assert_allclose(f1_per_class(conf), [2 / 3, 0.8])
    assert cohen_kappa(conf) == pytest.approx((0.75 - 0.5) / 0.5)


def test_f1_and_kappa_match_sklearn_when_installed():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(2)
    y = rng.integers(0, 5, size=300)
    p = np.where(rng.random(300) < 0.5, y, rng.integers(0, 4, size=300))
    conf = _confusion(y.tolist(), p.tolist(), 5)
    np.testing.assert_allclose(f1_per_class(conf), metrics.f1_score(
        y, p, labels=range(5), average=None, zero_division=0))
    assert macro_f1(conf) == pytest.approx(metrics.f1_score(y, p, average="macro",
                                                            zero_division=0))
    assert cohen_kappa(conf) == pytest.approx(metrics.cohen_kappa_score(y, p))


def test_degenerate_confusions_and_groups():
    conf = np.array([[5, 0, 0], [0, 0, 0], [0, 0, 0]])
    assert math.isnan(f1_per_class(conf)[1]) and math.isnan(cohen_kappa(conf))
    assert math.isnan(cohen_kappa(np.zeros((2, 2))))
    with pytest.raises(ValueError, match="square"):
        f1_per_class(np.zeros((2, 3)))
    acc, n = accuracy_by_group([0, 1, 1, 0, 2], [0, 1, 0, 0, 1], [7, 7, 3, 3, 3])
    assert acc == {3: pytest.approx(1 / 3), 7: 1.0} and n == {3: 3, 7: 2}
    with pytest.raises(ValueError, match="one entry per sample"):
        accuracy_by_group([0, 1], [0], [1, 1])
    assert cohen_kappa(_confusion([0, 1, 1], [1, 1, 0], 2)) < 0  # worse than chance


def test_differences_equal_up_to_rounding_have_no_spread() -> None:
    from swdkit.experiments import equivalence_test, t_test

    diffs = [0.55 - 0.50, 0.60 - 0.55, 0.65 - 0.60]  # all 0.05 up to float noise
    assert len(set(diffs)) > 1
    result = t_test(diffs)
    assert result["sem"] == 0.0 and result["t"] is None and result["p_value"] == 0.0
    assert equivalence_test(diffs, low=0.0, high=0.1) == 0.0
