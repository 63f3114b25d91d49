"""The seed paper's three claims, judged on a results store with stated tests and a correction.

:func:`claim_checks` states the claims as paired comparisons and says, for each cell, whether the
measurements support them. The rules are fixed in advance (:mod:`swdkit.experiments._stats`):

- A difference (claims a, b: instance - batch, c) is tested with the two-sided paired Student-t
  test on the per-seed differences (``n - 1`` degrees of freedom). It "holds" (or is "reversed")
  when its Holm-adjusted p-value is below ``alpha = 0.05``, otherwise it is "not
  distinguishable".
- "Near chance" (claim b) is an equivalence test: two one-sided t tests (TOST) that the accuracy
  minus chance lies within the margin ``min(5 pp, chance / 2)`` (+-5 pp for 4 and 10 classes,
  +-2.9 pp for 17), Holm-adjusted like the rest. When equivalence is not shown, the row is
  "above chance" or "below chance" if the t test of "accuracy = chance" rejects (Holm), else
  "not decided".
- Runs that change a control setting of a cell the store also holds unchanged (no alignment,
  one term alone, psi from phi, SAR augmentation: :mod:`swdkit.experiments._controls`) are
  judged in the controls table, not as claims.
- Holm's correction runs over every p-value of one report's claim rows at once (the t test of
  each row and the TOST of each chance row), so the chance of any false call among them stays
  below 5 %. The verdict names the test and the correction.

Each row also carries the 95 % t interval (not adjusted) and the SE over test cities
(``city_sem``) when the runs recorded their accuracy per city.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from swdkit.experiments._controls import without_control_runs
from swdkit.experiments._figures import N_CLASSES
from swdkit.experiments._stats import ALPHA, chance_margin, equivalence_test, holm, t_test
from swdkit.experiments._summary import paired_differences, summarize
from swdkit.experiments._tables import NOT_RECORDED, fmt_interval, fmt_p
from swdkit.experiments._verdicts import HIGHER, LOWER, SAME, decide

NOT_A_NUMBER = "not judged: a run without a finite accuracy"
TEST, CORRECTION = "paired t", "Holm"


def _judge(row: dict[str, Any], alpha: float) -> str:
    """The verdict of a row whose ``p_holm`` (and, for a chance row, ``p_equivalence_holm``)
    are set."""
    mean, sem = row["mean"], row["sem"]
    if not math.isfinite(mean):
        return NOT_A_NUMBER
    if sem is None:
        return "one seed: not distinguishable"
    outcome = decide(row["p_holm"], mean, alpha=alpha)  # the rule the notebooks use too
    if row["chance"] is None:
        if outcome == SAME:
            return f"{SAME} ({TEST}, {CORRECTION})"
        expected = HIGHER if row["_expect_positive"] else LOWER
        return f"{'holds' if outcome == expected else 'reversed'} ({TEST}, {CORRECTION})"
    tost = f"TOST ±{100 * row['margin']:.1f} pp"
    if row["p_equivalence_holm"] is not None and row["p_equivalence_holm"] < alpha:
        return f"near chance ({tost}, {CORRECTION})"
    if outcome != SAME:
        return f"{'above' if outcome == HIGHER else 'below'} chance (t, {CORRECTION})"
    return f"not decided (t and {tost}, {CORRECTION})"


def claim_checks(records: Iterable[dict[str, Any]], *, alpha: float = ALPHA
                 ) -> list[dict[str, Any]]:
    """The paper's claims (a), (b), (c) as measured, one row per comparison and cell.

    (a) SWD transfer beats SAR-only and fine-tuning at 32 and 128 labels and is overtaken with
    full labels; (b) with batch norm SWD transfer is near chance while instance norm trains
    (reported: instance - batch, paired, and each norm's accuracy minus chance, judged by the
    equivalence rule of the module docstring); (c) SupCon pretraining improves SWD transfer on
    lowrise. The paper's setting is instance norm; (a) and (c) are also reported for batch norm
    when the store has those runs (the ``norm`` of each row says which).

    Args:
        records: store records.
        alpha: the family-wise error level of the Holm-corrected verdicts.

    Returns:
        Rows with ``claim``, ``classes``, ``n_labeled``, ``norm`` ("" when the row compares
        norms), ``variant`` (non-default data and training settings, "" for none),
        ``comparison``, ``mean`` and ``sem`` (fractions), ``n``, ``verdict``, and the test:
        ``test``, ``correction``, ``df``, ``p_value`` (two-sided t, not adjusted), ``p_holm``
        (Holm-adjusted over the report's rows), ``ci_low``, ``ci_high`` (95 % t interval),
        ``city_sem`` and ``n_cities`` (SE over test cities; None when not recorded); chance
        rows add ``chance``, ``margin``, ``p_equivalence`` and ``p_equivalence_holm`` (None on
        the other rows).
    """
    records = without_control_runs(records)  # judged in the controls table instead
    out = []
    for other in ("sar_only", "finetune"):
        for row in paired_differences(records, factor="method", a="swd", b=other):
            full = row["n_labeled"] == "full"
            if row["supcon"] or (not full and row["n_labeled"] not in (32, 128)):
                continue
            out.append(_claim_row("a", row, f"swd - {other}", expect_positive=not full))
    for row in paired_differences(records, factor="norm", a="instance", b="batch"):
        if row["method"] == "swd" and not row["supcon"]:
            out.append(_claim_row("b", row, "swd: instance - batch"))
    for cell in summarize(records):
        if cell["method"] == "swd" and not cell["supcon"] and cell["norm"] in ("batch",
                                                                               "instance"):
            out.append(_chance_row(cell))
    for row in paired_differences(records, factor="supcon", a=True, b=False):
        if row["method"] == "swd" and row["classes"] == "lowrise":
            out.append(_claim_row("c", row, "swd: supcon - no supcon"))
    family = [r["p_value"] for r in out] + [r["p_equivalence"] for r in out]
    adjusted = holm(family)
    for i, row in enumerate(out):
        row["p_holm"], row["p_equivalence_holm"] = adjusted[i], adjusted[len(out) + i]
        row["verdict"] = _judge(row, alpha)
        del row["_expect_positive"]
    return out


def _chance_row(cell: dict[str, Any]) -> dict[str, Any]:
    """An SWD cell's accuracy minus chance, tested both ways (t and TOST)."""
    chance = 1 / N_CLASSES.get(cell["classes"], 1)
    margin = chance_margin(chance)
    diffs = [v - chance for v in cell["values"]]
    test = t_test(diffs)
    row = _claim_row("b", {**cell, **test, "mean": cell["mean"] - chance}, "swd - chance")
    row.update(chance=chance, margin=margin, test="one-sample t; TOST",
               p_equivalence=equivalence_test(diffs, low=-margin, high=margin)
               if all(math.isfinite(d) for d in diffs) else None)
    return row


def _variant(row: dict[str, Any]) -> str:
    """The data and training settings of a row, compactly ("" for the defaults)."""
    settings = {**(row.get("data") or {}), **(row.get("config") or {})}
    return ", ".join(f"{k}={v}" for k, v in sorted(settings.items()))


def _claim_row(claim: str, row: dict[str, Any], comparison: str, *,
               expect_positive: bool = True) -> dict[str, Any]:
    city = row.get("city")
    return {"claim": claim, "classes": row["classes"], "n_labeled": row["n_labeled"],
            "norm": row.get("norm", ""), "variant": _variant(row), "comparison": comparison,
            "mean": row["mean"], "sem": row["sem"], "n": row["n"], "verdict": "",
            "test": TEST, "correction": CORRECTION, "df": row.get("df"),
            "p_value": row.get("p_value"), "p_holm": None, "ci_low": row.get("ci_low"),
            "ci_high": row.get("ci_high"), "city_sem": None if city is None else city["sem"],
            "n_cities": None if city is None else city["n_cities"], "chance": None,
            "margin": None, "p_equivalence": None, "p_equivalence_holm": None,
            "_expect_positive": expect_positive}


def claims_table(rows: list[dict[str, Any]]) -> str:
    """The claim rows as markdown (differences and intervals in percentage points).

    Columns: the difference (mean ± SE over seeds), its 95 % t interval, the two-sided t
    p-value and its Holm adjustment, the equivalence (TOST) p-value after Holm on chance rows,
    the SE over test cities (when any run recorded it), the seeds and the verdict.
    """
    if not rows:
        return "(no runs for these claims)\n"
    variants = any(r.get("variant") for r in rows)
    chance = any(r.get("chance") is not None for r in rows)
    cities = any(r.get("city_sem") is not None or r.get("n_cities") for r in rows)
    head = ["claim", "classes", "n_labeled", "norm", *(["settings"] if variants else []),
            "comparison", "difference (pp)", "95 % t interval (pp)", "p (t)", "p (Holm)",
            *(["p equivalence (TOST, Holm)"] if chance else []),
            *(["SE over cities (pp)"] if cities else []), "seeds", "verdict"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        diff = f"{100 * r['mean']:+.1f}"
        if r["sem"] is not None:
            diff += f" ± {100 * r['sem']:.1f}"
        city = NOT_RECORDED if r.get("n_cities") is None else (
            "- (1 city)" if r.get("city_sem") is None else f"{100 * r['city_sem']:.1f}")
        cells = [r["claim"], r["classes"], r["n_labeled"], r.get("norm") or "-",
                 *([r.get("variant") or "-"] if variants else []), r["comparison"], diff,
                 fmt_interval(r.get("ci_low"), r.get("ci_high"), signed=True),
                 fmt_p(r.get("p_value")), fmt_p(r.get("p_holm")),
                 *([fmt_p(r.get("p_equivalence_holm"))] if chance else []),
                 *([city] if cities else []), r["n"], r["verdict"]]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"
