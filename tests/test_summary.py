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


# t tests, intervals, per-class scores and test cities ----------------------------------------

def _with(record, **results):
    return {**record, "results": {**record["results"], **results}}


def test_paired_differences_carry_the_paired_t_test_of_scipy():
    from scipy import stats

    row = paired_differences(RECORDS, a="swd", b="finetune")[0]
    ref = stats.ttest_rel([0.5, 0.6, 0.7], [0.4, 0.45, 0.65])
    assert row["test"] == "paired t" and row["df"] == 2
    assert row["p_value"] == pytest.approx(ref.pvalue)
    low, high = ref.confidence_interval(0.95)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    # by hand: mean 0.1, se 0.05 / sqrt(3), t_{0.975, 2} = 4.303
    assert row["ci_high"] - 0.1 == pytest.approx(4.302653 * 0.05 / math.sqrt(3), rel=1e-6)
    one = paired_differences([*RECORDS, _rec("finetune", 0, 0.7, n="full")])[-1]
    assert one["n"] == 1 and one["p_value"] is None and one["ci_low"] is None


def test_summarize_gives_the_t_interval_of_each_cell():
    from scipy import stats

    swd = summarize(RECORDS)[1]
    low, high = stats.ttest_1samp([0.5, 0.6, 0.7], 0).confidence_interval(0.95)
    assert (swd["ci_low"], swd["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    assert summarize(RECORDS)[2]["ci_low"] is None  # one seed


CITY_N = {"4": 100, "9": 300}


def _city_rec(method, seed, by_city):
    acc = (100 * by_city["4"] + 300 * by_city["9"]) / 400
    return _with(_rec(method, seed, acc), city_accuracy=by_city, city_n=CITY_N)


def test_cells_and_pairs_carry_the_spread_over_test_cities():
    recs = [_city_rec("swd", 0, {"4": 0.8, "9": 0.6}), _city_rec("swd", 1, {"4": 0.9, "9": 0.6}),
            _city_rec("finetune", 0, {"4": 0.7, "9": 0.6}),
            _city_rec("finetune", 1, {"4": 0.7, "9": 0.5})]
    finetune, swd = summarize(recs)
    # swd: city means 0.85, 0.6; weights 1/4, 3/4; mean 0.6625; residuals 0.0469, -0.0469
    assert swd["city"]["cities"] == pytest.approx({"4": 0.85, "9": 0.6})
    assert swd["city"]["mean"] == pytest.approx(swd["mean"])
    assert swd["city"]["sem"] == pytest.approx(math.sqrt(2 * 2 * (0.25 * 0.75 * 0.25) ** 2))
    row = paired_differences(recs, a="swd", b="finetune")[0]
    # per-city differences: 4 -> (0.1 + 0.2) / 2 = 0.15, 9 -> (0 + 0.1) / 2 = 0.05
    assert row["city"]["cities"] == pytest.approx({"4": 0.15, "9": 0.05})
    assert row["city"]["mean"] == pytest.approx(row["mean"])
    # an old record without cities: the cell says nothing about cities
    recs[0] = _rec("swd", 0, 0.65)
    assert summarize(recs)[1]["city"] is None and summarize(recs)[0]["city"] is not None
    assert paired_differences(recs, a="swd", b="finetune")[0]["city"] is None


def test_class_scores_from_stored_scores_or_from_the_confusion_matrix():
    from swdkit.experiments._summary import class_scores

    old = [_with(_rec("swd", s, 0.75), confusion=[[2, 0], [1, 1]]) for s in range(2)]
    new = [_with(_rec("finetune", s, 0.5), f1_per_class=[0.5, None], macro_f1=0.5,
                 kappa=0.1 * s) for s in range(2)]
    bare = [_rec("sar_only", 0, 0.5)]
    rows = {r["method"]: r for r in class_scores(old + new + bare)}
    # confusion [[2, 0], [1, 1]]: F1 = 4/5 and 2/3; kappa: p_o 0.75, p_e 0.5 * 0.75 + 0.5 * 0.25
    assert rows["swd"]["f1"] == pytest.approx([0.8, 2 / 3])
    assert rows["swd"]["macro_f1"] == pytest.approx((0.8 + 2 / 3) / 2)
    assert rows["swd"]["kappa"] == pytest.approx(0.5) and rows["swd"]["kappa_sem"] == 0
    assert rows["finetune"]["f1"] == [0.5, None]
    assert rows["finetune"]["kappa"] == pytest.approx(0.05)
    assert rows["sar_only"]["macro_f1"] is None and rows["sar_only"]["f1"] is None


def test_markdown_table_with_intervals_and_p_values():
    lines = markdown_table(summarize(RECORDS), interval=True).splitlines()
    assert lines[0] == "| classes | n_labeled | method | accuracy (%) | 95 % t interval (%) | n |"
    # swd: 60 ± 5.77, t_{0.975, 2} = 4.303 -> half-width 24.8
    assert lines[3] == "| lowrise | 32 | swd | 60.0 ± 5.8 | [35.2, 84.8] | 3 |"
    assert lines[4] == "| lowrise | full | swd | 80.0 (1 seed) | - | 1 |"
    text = markdown_table(paired_differences(RECORDS, a="swd", b="finetune"), interval=True)
    assert "| A - B (pp) | 95 % t interval (pp) | p (paired t) | A wins | n |" in text
    # t = 0.1 / (0.05 / sqrt 3) = 3.46 on 2 df: p = 0.074
    assert "| lowrise | 32 | swd | finetune | +10.0 ± 2.9 | [-2.4, +22.4] | 0.074 | 3/3 | 3 |" \
        in text
