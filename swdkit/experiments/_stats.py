"""The statistics of a report: Student-t intervals and tests, Holm's correction, equivalence to
chance, and the spread over test cities. Plain numbers in, plain numbers out.

**Seeds.** For ``n`` per-seed values ``x_i`` (accuracies, or paired differences
``d_i = a_i(A) - a_i(B)``) with mean ``m`` and standard error ``se = s / sqrt(n)``, the
two-sided Student-t test of ``mu = mu_0`` and the interval at confidence ``1 - alpha`` are

    t = (m - mu_0) / se,   p = 2 P(T_{n-1} >= |t|),   m -+ t_{1 - alpha/2, n-1} se,

with ``T_{n-1}`` Student's t with ``n - 1`` degrees of freedom (:func:`t_test`; the
distributions are :mod:`scipy.stats`'s). With five seeds ``t_{0.975, 4} = 2.78``: "two standard
errors" is a two-sided p of about 0.12, not 0.05.

**Many claims.** A report judges many rows at once. :func:`holm` adjusts their p-values so that
the chance of *any* false call among them stays below ``alpha`` (Holm 1979, "A simple
sequentially rejective multiple test procedure", Scand. J. Statist. 6(2)): with the ``m``
p-values sorted, ``p_(1) <= ... <= p_(m)``,

    p~_(i) = max_{j <= i} min(1, (m - j + 1) p_(j)).

**Near chance.** Not rejecting "equal to chance" does not show "near chance". The equivalence test
(two one-sided tests, TOST; Schuirmann 1987, J. Pharmacokinet. Biopharm. 15(6)) asks whether the
mean lies inside ``(low, high)``:

    p = max(P(T_{n-1} >= (m - low) / se), P(T_{n-1} <= (m - high) / se)),

and ``p < alpha`` exactly when the ``1 - 2 alpha`` t interval lies inside ``(low, high)``
(:func:`equivalence_test`). The margin around chance is :func:`chance_margin`: the smaller of
5 points and half of chance, i.e. +-5 pp for 4 classes (chance 25 %) and 10 classes (10 %) and
+-2.9 pp for 17 classes (chance 5.9 %; a flat 5 pp there would count 1.85 x chance as "near").

**Cities.** The seed SE says how much another set of training seeds would move a number on the
*same* test cities. Test accuracy is a sample-weighted mean over cities, ``a = sum_c w_c a_c``
(``w_c = n_c / N``); :func:`city_spread` gives each city's value (mean over seeds) and the
cluster-robust standard error over cities (cities as the sampling unit; Cameron and Miller 2015,
"A practitioner's guide to cluster-robust inference", J. Human Resources 50(2)),

    se_city^2 = C / (C - 1) * sum_c w_c^2 (a_c - a)^2,

which for equal city sizes is ``sd_c(a_c) / sqrt(C)``: how much another draw of ``C`` test
cities would move the number. With a handful of test cities it is itself rough.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

ALPHA = 0.05  # the level of every test and correction in the report
CONFIDENCE = 0.95  # the t intervals shown
CHANCE_POINTS = 0.05  # near chance: within 5 points of chance ...
CHANCE_SHARE = 0.5  # ... and within half of chance, whichever is tighter


def mean_and_sem(values: Sequence[float]) -> tuple[float, float | None]:
    """Mean and standard error of the mean (sample standard deviation / sqrt(n)).

    Raises:
        ValueError: ``values`` is empty.
    """
    n = len(values)
    if n == 0:
        raise ValueError("values is empty; give at least one number (a cell without runs has "
                         "no mean)")
    mean = sum(values) / n
    if n == 1:
        return mean, None
    var = sum((v - mean) ** 2 for v in values) / (n - 1)
    return mean, math.sqrt(var / n)


def _no_spread(values: Sequence[float]) -> bool:
    """All values equal up to rounding (differences of accuracies k/n carry float noise of
    about 1e-16, which would otherwise make t astronomically large)."""
    scale = max(1.0, max(abs(v) for v in values))
    return max(values) - min(values) <= 1e-12 * scale


def t_test(values: Sequence[float], *, mu: float = 0.0,
           confidence: float = CONFIDENCE) -> dict[str, Any]:
    """Two-sided one-sample Student-t test of ``mean = mu`` and the t interval of the mean.

    Applied to per-seed paired differences it is the paired t test.

    Args:
        values: the per-seed numbers (at least one).
        mu: the mean under the null hypothesis.
        confidence: of the interval, in (0, 1).

    Returns:
        ``mean``, ``sem``, ``df`` (``n - 1``), ``t``, ``p_value``, ``ci_low``, ``ci_high``. With
        one value, or a value that is not finite, the last four are None (nothing to test). When
        all values are equal (no spread: ``sem`` is 0) the interval is the mean itself, ``t`` is
        None and ``p`` is 0 (1 when the mean equals ``mu``).

    Raises:
        ValueError: ``values`` is empty or ``confidence`` is not in (0, 1).
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), e.g. 0.95; got {confidence!r}")
    mean, sem = mean_and_sem(values)
    out = {"mean": mean, "sem": sem, "df": len(values) - 1, "t": None, "p_value": None,
           "ci_low": None, "ci_high": None}
    if sem is None or not math.isfinite(mean) or not math.isfinite(sem):
        return out
    from scipy import stats

    df = len(values) - 1
    half = float(stats.t.ppf(0.5 + confidence / 2, df)) * sem
    out.update(ci_low=mean - half, ci_high=mean + half)
    if _no_spread(values):  # t is left None
        out.update(sem=0.0, ci_low=mean, ci_high=mean, p_value=0.0 if mean != mu else 1.0)
    else:
        t = (mean - mu) / sem
        out.update(t=t, p_value=float(2 * stats.t.sf(abs(t), df)))
    return out


def equivalence_test(values: Sequence[float], *, low: float, high: float) -> float | None:
    """TOST p-value that the mean of ``values`` lies inside ``(low, high)`` (module docstring).

    Returns:
        The larger of the two one-sided Student-t p-values; None for one value or a value that
        is not finite. When all values are equal: 0 when they lie inside, else 1.

    Raises:
        ValueError: ``low >= high`` or ``values`` is empty.
    """
    if not low < high:
        raise ValueError(f"the equivalence margin needs low < high; got low={low}, high={high}")
    mean, sem = mean_and_sem(values)
    if sem is None or not math.isfinite(mean) or not math.isfinite(sem):
        return None
    if _no_spread(values):
        return 0.0 if low < mean < high else 1.0
    from scipy import stats

    df = len(values) - 1
    above_low = float(stats.t.sf((mean - low) / sem, df))
    below_high = float(stats.t.cdf((mean - high) / sem, df))
    return max(above_low, below_high)


def holm(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm's step-down adjusted p-values, in the input's order (module docstring).

    None entries (no test) stay None and do not count towards ``m``. Reject at level ``alpha``
    where the adjusted p-value is below ``alpha``.

    Raises:
        ValueError: a p-value is not a number in [0, 1].
    """
    for p in p_values:
        if p is not None and not (isinstance(p, (int, float)) and 0 <= p <= 1):
            raise ValueError(f"p-values must be numbers in [0, 1] or None; got {p!r}")
    tested = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    m = len(tested)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, (p, i) in enumerate(tested):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[i] = running
    return adjusted


def chance_margin(chance: float, *, points: float = CHANCE_POINTS,
                  share: float = CHANCE_SHARE) -> float:
    """The half-width of "near chance", as a fraction: ``min(points, share * chance)``.

    0.05 for 4 and 10 classes, 0.0294 for 17 classes (chance 1/17).

    Raises:
        ValueError: ``chance`` is not in (0, 1].
    """
    if not 0 < chance <= 1:
        raise ValueError(f"chance must be an accuracy in (0, 1], e.g. 1/17; got {chance!r}")
    return min(points, share * chance)


def city_spread(per_seed: Sequence[dict[str, float]], counts: dict[str, int]
                ) -> dict[str, Any] | None:
    """Each city's value (mean over seeds) and the cluster-robust SE over cities.

    Args:
        per_seed: one ``{city: value}`` per seed (a city's accuracy, or a paired difference of
            accuracies); every seed must name the same cities.
        counts: ``{city: test samples}`` for those cities.

    Returns:
        ``cities`` (``{city: mean over seeds}``, sorted by city), ``n_cities``, ``mean`` (the
        sample-weighted mean over cities), ``sem`` (module docstring; None for one city),
        ``low`` and ``high`` (the smallest and largest city value); None when ``per_seed`` is
        empty or the seeds' cities differ (the runs are not on one test set).
    """
    if not per_seed or any(set(d) != set(per_seed[0]) for d in per_seed):
        return None
    names = sorted(per_seed[0], key=lambda c: (len(c), c))
    if not names or any(counts.get(c, 0) <= 0 for c in names):
        return None
    values = {c: sum(d[c] for d in per_seed) / len(per_seed) for c in names}
    total = sum(counts[c] for c in names)
    weights = {c: counts[c] / total for c in names}
    mean = sum(weights[c] * values[c] for c in names)
    n = len(names)
    sem = None
    if n > 1:
        sem = math.sqrt(n / (n - 1) * sum((weights[c] * (values[c] - mean)) ** 2 for c in names))
    return {"cities": values, "n_cities": n, "mean": mean, "sem": sem,
            "low": min(values.values()), "high": max(values.values())}
