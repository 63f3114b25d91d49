"""Verdicts in words: the one rule that turns a measured difference into "ahead", "behind" or
"not distinguishable", shared by the grid report (:mod:`swdkit.experiments._claims`) and the
"What this run shows" cells of the lesson notebooks.

**The rule** (:func:`decide`). A difference ``d`` with a two-sided p-value ``p`` of the test of
``d = 0`` is called in the direction of its sign when ``p < alpha`` (0.05), and "not
distinguishable" otherwise. The report applies Holm's correction to ``p`` first; a notebook
judges a handful of comparisons of its own and says that it did not correct.

**The tests**, by what was measured:

- *Several seeds* (lists of per-seed accuracies of A and B, paired by seed): the paired Student-t
  test on ``d_i = a_i - b_i`` (:func:`swdkit.experiments._stats.t_test`), interval
  ``mean(d) -+ t_{0.975, n-1} se(d)``.
- *One run each* (two accuracies on the same ``n`` test samples): the two-proportion z test,

      se = sqrt(a (1 - a) / n + b (1 - b) / n),   z = (a - b) / se,   p = 2 (1 - Phi(|z|)),

  interval ``(a - b) -+ 1.96 se``. It treats the two runs' errors as independent; on one test
  set they are positively correlated, so the test is conservative (it calls fewer differences
  than a paired test on the per-sample predictions would).
- *Against chance* (:func:`versus_chance`): one run, the exact binomial test of ``k`` right out
  of ``n`` against ``p_0 = 1/K`` with its Clopper-Pearson interval (``scipy.stats.binomtest``);
  several seeds, the t test of the mean against chance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from swdkit.experiments._stats import ALPHA, CONFIDENCE, t_test

HIGHER, LOWER, SAME = "higher", "lower", "not distinguishable"
# With fewer seeds than this, equal per-seed differences (no spread) are not tested; from this
# many on, the t test's convention holds (p = 0 for a nonzero difference without spread).
MIN_SEEDS_WITHOUT_SPREAD = 3


def decide(p_value: float | None, difference: float, *, alpha: float = ALPHA) -> str:
    """The shared rule: ``"higher"`` or ``"lower"`` (the sign of ``difference``) when
    ``p_value < alpha``, else ``"not distinguishable"`` (also when there is no test: None)."""
    if p_value is None or not math.isfinite(difference) or not p_value < alpha:
        return SAME
    return HIGHER if difference > 0 else LOWER


@dataclass(frozen=True)
class Comparison:
    """A measured difference ``a - b`` (fractions), its test and its verdict.

    Attributes:
        name_a, name_b: what was compared.
        difference: ``a - b`` (mean over seeds, or the one run's).
        ci_low, ci_high: the 95 % interval of the difference (None: not testable).
        p_value: two-sided p of ``difference = 0`` (None: not testable, e.g. one seed without n).
        test: which test (``"paired t, 5 seeds"``, ``"two-proportion z, n = 400"``).
        outcome: :func:`decide`'s word.
    """

    name_a: str
    name_b: str
    difference: float
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    test: str
    outcome: str

    @property
    def sentence(self) -> str:
        """One line: what is ahead, by how much, the interval and the test."""
        points = f"{100 * self.difference:+.1f} points"
        if self.ci_low is None or self.p_value is None:
            return f"{self.name_a} vs {self.name_b}: {points}; {SAME} (no test: {self.test})"
        detail = (f"{points}, 95 % interval {100 * self.ci_low:+.1f} to {100 * self.ci_high:+.1f};"
                  f" {self.test}, p = {self.p_value:.2g}")
        if self.outcome == SAME:
            return f"{self.name_a} and {self.name_b}: {SAME} ({detail})"
        words = ("above", "below") if self.name_b == "chance" else ("ahead of", "behind")
        verb = words[0] if self.outcome == HIGHER else words[1]
        return f"{self.name_a} is {verb} {self.name_b} ({detail})"


def compare(a: float | Sequence[float], b: float | Sequence[float], *, n_test: int | None = None,
            names: tuple[str, str] = ("A", "B"), alpha: float = ALPHA) -> Comparison:
    """Compare accuracies ``a`` and ``b`` (module docstring: which test when).

    Args:
        a, b: one accuracy each (a fraction), or equally long lists of per-seed accuracies
            paired by position.
        n_test: test samples behind a single-run accuracy (needed for one run each).
        names: how the sentence names A and B.
        alpha: the level of :func:`decide`.

    Raises:
        ValueError: lists of different lengths, a mix of one number and a list, or one run each
            without a positive ``n_test``.
    """
    single = [isinstance(x, (int, float)) for x in (a, b)]
    if single[0] != single[1]:
        raise ValueError("compare: give one accuracy for both a and b, or a list of per-seed "
                         "accuracies for both")
    if single[0]:
        return _one_run_each(float(a), float(b), n_test, names, alpha)  # type: ignore[arg-type]
    a, b = [float(x) for x in a], [float(x) for x in b]  # type: ignore[union-attr]
    if len(a) != len(b) or not a:
        raise ValueError(f"compare: a and b need the same number of seeds (>= 1), got {len(a)} "
                         f"and {len(b)}; pair them by seed")
    if len(a) == 1:
        return _one_run_each(a[0], b[0], n_test, names, alpha)
    test = t_test([x - y for x, y in zip(a, b, strict=True)], confidence=CONFIDENCE)
    if test["sem"] == 0 and len(a) < MIN_SEEDS_WITHOUT_SPREAD:
        # two equal differences (accuracies move in steps of 1/n) are no evidence of a sure gap
        return Comparison(names[0], names[1], test["mean"], None, None, None,
                          f"{len(a)} seeds with the same difference: no spread to test", SAME)
    return Comparison(names[0], names[1], test["mean"], test["ci_low"], test["ci_high"],
                      test["p_value"], f"paired t, {len(a)} seeds",
                      decide(test["p_value"], test["mean"], alpha=alpha))


def _one_run_each(a: float, b: float, n_test: int | None, names: tuple[str, str],
                  alpha: float) -> Comparison:
    if n_test is None:
        return Comparison(names[0], names[1], a - b, None, None, None,
                          "one run each and no test size given", SAME)
    if not isinstance(n_test, int) or n_test <= 0:
        raise ValueError(f"compare: n_test must be a positive number of test samples, got "
                         f"{n_test!r}")
    from scipy import stats

    se = math.sqrt(max(a * (1 - a), 0.0) / n_test + max(b * (1 - b), 0.0) / n_test)
    diff = a - b
    if se == 0:
        p = 1.0 if diff == 0 else 0.0
        low = high = diff
    else:
        p = float(2 * stats.norm.sf(abs(diff) / se))
        half = float(stats.norm.ppf(0.5 + CONFIDENCE / 2)) * se
        low, high = diff - half, diff + half
    return Comparison(names[0], names[1], diff, low, high, p,
                      f"two-proportion z, one run each, n = {n_test}", decide(p, diff, alpha=alpha))


def versus_chance(accuracy: float | Sequence[float], chance: float, *, n_test: int | None = None,
                  name: str = "accuracy", alpha: float = ALPHA) -> Comparison:
    """Accuracy against chance ``1/K``: the binomial test for one run (``n_test`` needed), the t
    test for several seeds (module docstring)."""
    if not 0 < chance < 1:
        raise ValueError(f"chance must be an accuracy in (0, 1), e.g. 1/4; got {chance!r}")
    values = [float(accuracy)] if isinstance(accuracy, (int, float)) else [float(x) for x in
                                                                           accuracy]
    if not values:
        raise ValueError("versus_chance: no accuracy given")
    if len(values) > 1:
        test = t_test(values, mu=chance, confidence=CONFIDENCE)
        diff = test["mean"] - chance
        low = None if test["ci_low"] is None else test["ci_low"] - chance
        high = None if test["ci_high"] is None else test["ci_high"] - chance
        return Comparison(name, "chance", diff, low, high, test["p_value"],
                          f"t against chance, {len(values)} seeds",
                          decide(test["p_value"], diff, alpha=alpha))
    if n_test is None or not isinstance(n_test, int) or n_test <= 0:
        raise ValueError("versus_chance: one run needs n_test, the number of test samples "
                         f"behind it, as a positive integer; got {n_test!r}")
    from scipy import stats

    k = round(values[0] * n_test)
    result = stats.binomtest(k, n_test, chance)
    ci = result.proportion_ci(confidence_level=CONFIDENCE, method="exact")
    diff = k / n_test - chance
    return Comparison(name, "chance", diff, ci.low - chance, ci.high - chance,
                      float(result.pvalue), f"exact binomial, n = {n_test}",
                      decide(float(result.pvalue), diff, alpha=alpha))


def gap_closed(low: float, high: float, value: float, *, n_test: int) -> tuple[float, float]:
    """The share of the gap from ``low`` to ``high`` that ``value`` closes, and its standard error.

    ``share = (value - low) / (high - low)`` (e.g. SWD at few labels between SAR-only at few
    labels and SAR-only with all labels). Its standard error by first-order error propagation of
    the three accuracies' binomial variances ``p (1 - p) / n`` (one run each on the same ``n``
    test samples, treated as independent):

        se^2 = [v (1 - v) + (1 - s)^2 l (1 - l) + s^2 h (1 - h)] / (n (h - l)^2).

    Raises:
        ValueError: ``high <= low`` (there is no gap to close) or ``n_test`` is not positive.
    """
    if not high > low:
        raise ValueError(f"gap_closed needs high > low (a gap to close); got low={low}, "
                         f"high={high}. Compare them first (compare) and report no share")
    if not isinstance(n_test, int) or n_test <= 0:
        raise ValueError(f"n_test must be a positive number of test samples, got {n_test!r}")
    share = (value - low) / (high - low)
    variance = (value * (1 - value) + (1 - share) ** 2 * low * (1 - low)
                + share**2 * high * (1 - high)) / n_test
    return share, math.sqrt(variance) / (high - low)
