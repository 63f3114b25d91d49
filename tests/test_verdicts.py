"""The shared verdict rule (swdkit.experiments._verdicts) against scipy on known inputs."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from swdkit.experiments import compare, decide, versus_chance


def test_decide_calls_a_direction_only_below_alpha() -> None:
    assert decide(0.049, 0.02) == "higher"
    assert decide(0.049, -0.02) == "lower"
    assert decide(0.05, 0.02) == "not distinguishable"
    assert decide(None, 0.5) == "not distinguishable"
    assert decide(0.01, 0.02, alpha=0.001) == "not distinguishable"


def test_paired_seeds_use_the_paired_t_test() -> None:
    a = [0.62, 0.58, 0.66, 0.60, 0.64]
    b = [0.55, 0.57, 0.58, 0.52, 0.61]
    result = compare(a, b, names=("swd", "sar_only"))
    ref = stats.ttest_rel(a, b)
    assert result.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    diffs = [x - y for x, y in zip(a, b, strict=True)]
    mean = sum(diffs) / 5
    se = stats.sem(diffs)
    half = stats.t.ppf(0.975, 4) * se
    assert (result.ci_low, result.ci_high) == pytest.approx((mean - half, mean + half))
    assert result.outcome == ("higher" if ref.pvalue < 0.05 else "not distinguishable")
    assert "swd is ahead of sar_only" in result.sentence and "paired t, 5 seeds" in result.sentence


def test_small_gaps_over_few_seeds_are_not_distinguishable() -> None:
    result = compare([0.60, 0.55, 0.63], [0.58, 0.57, 0.59])
    assert result.outcome == "not distinguishable"
    assert "not distinguishable" in result.sentence


def test_one_run_each_uses_the_two_proportion_z_test() -> None:
    a, b, n = 0.55, 0.50, 400
    result = compare(a, b, n_test=n)
    se = math.sqrt(a * (1 - a) / n + b * (1 - b) / n)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(0.05 / se))
    assert result.outcome == "not distinguishable"  # 5 points on 400 samples: p about 0.16
    big = compare(0.70, 0.50, n_test=n, names=("x", "y"))
    assert big.outcome == "higher" and big.sentence.startswith("x is ahead of y")
    assert compare(0.4, 0.6, n_test=n).outcome == "lower"


def test_one_run_without_a_test_size_is_not_judged() -> None:
    result = compare(0.9, 0.1)
    assert result.p_value is None and result.outcome == "not distinguishable"


def test_versus_chance_one_run_is_the_exact_binomial_test() -> None:
    result = versus_chance(0.30, 0.25, n_test=400, name="swd")
    ref = stats.binomtest(120, 400, 0.25)
    assert result.p_value == pytest.approx(ref.pvalue)
    ci = ref.proportion_ci(method="exact")
    assert result.ci_low == pytest.approx(ci.low - 0.25)
    assert result.outcome == ("higher" if ref.pvalue < 0.05 else "not distinguishable")
    assert versus_chance(0.26, 0.25, n_test=100).outcome == "not distinguishable"
    assert "below chance" in versus_chance(0.10, 0.25, n_test=400).sentence


def test_versus_chance_over_seeds_is_the_t_test_against_chance() -> None:
    values = [0.31, 0.29, 0.35, 0.33]
    result = versus_chance(values, 0.25)
    assert result.p_value == pytest.approx(stats.ttest_1samp(values, 0.25).pvalue)


@pytest.mark.parametrize("call", [
    lambda: compare([0.5, 0.6], [0.5]),
    lambda: compare(0.5, [0.5]),
    lambda: compare(0.5, 0.6, n_test=0),
    lambda: versus_chance(0.5, 0.25),
    lambda: versus_chance(0.5, 1.5, n_test=10),
])
def test_bad_input_is_refused_with_a_reason(call) -> None:
    with pytest.raises(ValueError):
        call()


def test_gap_closed_share_and_its_propagated_error() -> None:
    from swdkit.experiments import gap_closed

    share, se = gap_closed(0.60, 0.80, 0.70, n_test=400)
    assert share == pytest.approx(0.5)
    # the same by a numerical derivative of the share in each accuracy
    eps = 1e-6
    f = lambda lo, hi, v: (v - lo) / (hi - lo)  # noqa: E731
    grads = [(f(0.60 + eps, 0.80, 0.70) - f(0.60 - eps, 0.80, 0.70)) / (2 * eps),
             (f(0.60, 0.80 + eps, 0.70) - f(0.60, 0.80 - eps, 0.70)) / (2 * eps),
             (f(0.60, 0.80, 0.70 + eps) - f(0.60, 0.80, 0.70 - eps)) / (2 * eps)]
    variances = [p * (1 - p) / 400 for p in (0.60, 0.80, 0.70)]
    expected = math.sqrt(sum(g * g * v for g, v in zip(grads, variances, strict=True)))
    assert se == pytest.approx(expected, rel=1e-5)
    with pytest.raises(ValueError, match="high > low"):
        gap_closed(0.7, 0.6, 0.65, n_test=100)


def test_two_equal_differences_are_not_called() -> None:
    result = compare([0.55, 0.60], [0.50, 0.55])  # +5 points twice: no spread, two seeds
    assert result.outcome == "not distinguishable" and result.p_value is None
    assert "no spread" in result.sentence
    three = compare([0.55, 0.60, 0.65], [0.50, 0.55, 0.60])
    assert three.outcome == "higher" and three.p_value == 0.0
