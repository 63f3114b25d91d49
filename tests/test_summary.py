"""summarize and paired_differences against values computed by hand."""

from __future__ import annotations

import math

import pytest

from swdkit.experiments._summary import (
    markdown_table,
    mean_and_sem,
    methods_side_by_side,
    paired_differences,
    summarize,
)


def _rec(method, seed, acc, *, n=32, classes="lowrise", norm="instance", supcon=False,
         digest=None):
    digest = digest if digest is not None else f"subset-{classes}-{n}-{seed}"
    return {"settings": {"data_dir": None, "data": {}, "classes": classes, "method": method,
                         "n_labeled": n, "seed": seed, "norm": norm, "supcon": supcon,
                         "config": {}},
            "results": {"test_accuracy": acc, "labeled_digest": digest}}


RECORDS = [
    _rec("swd", 0, 0.5), _rec("swd", 1, 0.6), _rec("swd", 2, 0.7),
    _rec("finetune", 0, 0.4), _rec("finetune", 1, 0.45), _rec("finetune", 2, 0.65),
    _rec("swd", 0, 0.8, n="full"),
]


def test_mean_and_sem_by_hand():
    mean, sem = mean_and_sem([0.5, 0.6, 0.7])
    assert mean == pytest.approx(0.6)
    # deviations -0.1, 0, 0.1: s^2 = 0.02 / 2 = 0.01, se = 0.1 / sqrt(3)
    assert sem == pytest.approx(0.1 / math.sqrt(3))
    assert mean_and_sem([0.3]) == (0.3, None)
    with pytest.raises(ValueError, match="values is empty"):
        mean_and_sem([])


def test_summarize_cells_by_hand():
    rows = summarize(RECORDS)
    assert [(r["method"], r["n_labeled"]) for r in rows] == [
        ("finetune", 32), ("swd", 32), ("swd", "full")]
    finetune, swd, full = rows
    assert finetune["mean"] == pytest.approx(0.5)
    # deviations -0.1, -0.05, 0.15: sum of squares 0.035, s^2 = 0.0175
    assert finetune["sem"] == pytest.approx(math.sqrt(0.0175 / 3))
    assert swd["mean"] == pytest.approx(0.6) and swd["n"] == 3 and swd["seeds"] == [0, 1, 2]
    assert full["sem"] is None and full["n"] == 1
    assert "seed" not in swd


def test_summarize_other_metric_and_missing_metric():
    recs = [dict(r, results=dict(r["results"], eo_test_accuracy=0.9)) for r in RECORDS[:3]]
    assert summarize(recs, metric="eo_test_accuracy")[0]["mean"] == pytest.approx(0.9)
    with pytest.raises(ValueError, match="metric='nope' is missing"):
        summarize(RECORDS, metric="nope")


def test_paired_differences_by_hand():
    rows = paired_differences(RECORDS, factor="method", a="swd", b="finetune")
    assert len(rows) == 1  # the full-label cell has no finetune partner
    row = rows[0]
    assert row["diffs"] == pytest.approx([0.1, 0.15, 0.05])
    assert row["mean"] == pytest.approx(0.1)
    # deviations 0, 0.05, -0.05: s^2 = 0.005 / 2 = 0.0025, se = 0.05 / sqrt(3)
    assert row["sem"] == pytest.approx(0.05 / math.sqrt(3))
    assert row["wins"] == 3 and row["n"] == 3 and row["unpaired"] == 0
    assert "method" not in row and row["n_labeled"] == 32
    # unpaired SE: swd 0.5/0.6/0.7 -> se 0.1/sqrt(3); finetune 0.4/0.45/0.65: mean 0.5,
    # deviations -0.1, -0.05, 0.15 -> s^2 = 0.035 / 2, se^2 = 0.0175 / 3
    assert row["sem_if_unpaired"] == pytest.approx(math.sqrt(0.01 / 3 + 0.0175 / 3))


def test_paired_differences_skip_different_labeled_subsets():
    recs = [*RECORDS, _rec("swd", 3, 0.9, digest="x"), _rec("finetune", 3, 0.1, digest="y")]
    row = paired_differences(recs, a="swd", b="finetune")[0]
    assert row["n"] == 3 and row["unpaired"] == 1 and row["seeds"] == [0, 1, 2]


def test_paired_differences_over_norm_and_supcon():
    recs = [_rec("swd", s, 0.6 + 0.01 * s, norm="instance") for s in range(3)]
    recs += [_rec("swd", s, 0.3, norm="batch") for s in range(3)]
    row = paired_differences(recs, factor="norm", a="instance", b="batch")[0]
    assert row["mean"] == pytest.approx(0.31) and row["method"] == "swd"
    recs = [_rec("swd", 0, 0.7, supcon=True), _rec("swd", 0, 0.75, supcon=False)]
    row = paired_differences(recs, factor="supcon", a=True, b=False)[0]
    assert row["mean"] == pytest.approx(-0.05) and row["wins"] == 0 and row["sem"] is None


def test_paired_differences_bad_arguments():
    with pytest.raises(ValueError, match="valid choices are method, norm, supcon"):
        paired_differences(RECORDS, factor="seed")
    with pytest.raises(ValueError, match="two different levels"):
        paired_differences(RECORDS, a="swd", b="swd")


def test_markdown_tables():
    text = markdown_table(summarize(RECORDS))
    lines = text.strip().splitlines()
    assert lines[0] == "| classes | n_labeled | method | accuracy (%) | n |"
    assert lines[2] == "| lowrise | 32 | finetune | 50.0 ± 7.6 | 3 |"
    assert lines[3] == "| lowrise | 32 | swd | 60.0 ± 5.8 | 3 |"
    assert lines[4] == "| lowrise | full | swd | 80.0 (1 seed) | 1 |"
    text = markdown_table(paired_differences(RECORDS, a="swd", b="finetune"))
    assert "| lowrise | 32 | swd | finetune | +10.0 ± 2.9 | 3/3 | 3 |" in text
    assert markdown_table([]) == "(no results)\n"


def test_methods_side_by_side_puts_one_method_per_column():
    # finetune at 32: mean 0.5, SE 0.0764 (by hand); swd at 32: 0.6 +- 0.0577; full: swd only.
    text = methods_side_by_side(summarize(RECORDS))
    lines = text.strip().splitlines()
    assert lines[0] == "| classes | n_labeled | finetune (%) | swd (%) | seeds |"
    assert lines[2] == "| lowrise | 32 | 50.0 ± 7.6 | 60.0 ± 5.8 | 3 |"
    assert lines[3] == "| lowrise | full | - | 80.0 (1 seed) | 1 |"
    chosen = methods_side_by_side(summarize(RECORDS), methods=["swd", "sar_only"])
    assert chosen.splitlines()[0] == "| classes | n_labeled | swd (%) | sar_only (%) | seeds |"
    assert "| lowrise | 32 | 60.0 ± 5.8 | - | 3 |" in chosen
    assert methods_side_by_side([]) == "(no results)\n"
