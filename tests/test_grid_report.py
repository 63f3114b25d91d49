"""The claims check, the figures and the report on hand-made records."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

from swdkit.experiments._figures import figure_accuracy_vs_labels, figure_norm, figure_supcon
from swdkit.experiments._report import claim_checks, claims_table, write_report

matplotlib.use("Agg")


def _rec(method, seed, acc, *, n=32, classes="lowrise", norm="instance", supcon=False,
         config=None):
    return {"settings": {"data_dir": None, "data": {}, "classes": classes, "method": method,
                         "n_labeled": n, "seed": seed, "norm": norm, "supcon": supcon,
                         "config": config or {}},
            "results": {"test_accuracy": acc, "labeled_digest": f"{classes}{n}{seed}"}}


NOISE = [0.0, 0.01, -0.01, 0.02, -0.02]


def _records():
    recs = []
    for s, e in enumerate(NOISE):
        recs += [_rec("swd", s, 0.70 + e), _rec("sar_only", s, 0.50 - e),
                 _rec("finetune", s, 0.69 + 2 * e),  # swd - finetune = 0.01 - e: noisy
                 _rec("swd", s, 0.80 + e, n="full"), _rec("finetune", s, 0.90 + e, n="full"),
                 _rec("swd", s, 0.26 + e, norm="batch"),
                 _rec("swd", s, 0.70 + 3 * e, supcon=True)]
    return recs


def _verdicts(rows):
    out = {(r["claim"], r["n_labeled"], r["comparison"]): r["verdict"] for r in rows}
    out.update({(r["claim"], r["n_labeled"], r["comparison"], r["norm"]): r["verdict"]
                for r in rows})
    return out


def test_claim_verdicts_follow_the_paired_t_test_with_holm():
    rows = claim_checks(_records())
    v = _verdicts(rows)
    assert v[("a", 32, "swd - sar_only")] == "holds (paired t, Holm)"
    assert v[("a", "full", "swd - finetune")] == "holds (paired t, Holm)"  # overtaken
    assert v[("a", 32, "swd - finetune")] == "not distinguishable (paired t, Holm)"
    assert v[("b", 32, "swd: instance - batch")] == "holds (paired t, Holm)"
    assert v[("b", 32, "swd - chance", "batch")] == "near chance (TOST ±5.0 pp, Holm)"
    assert v[("b", 32, "swd - chance", "instance")] == "above chance (t, Holm)"
    assert v[("c", 32, "swd: supcon - no supcon")] == "not distinguishable (paired t, Holm)"
    row = next(r for r in rows if r["comparison"] == "swd - sar_only")
    assert row["mean"] == pytest.approx(0.20) and row["n"] == 5
    assert row["test"] == "paired t" and row["correction"] == "Holm" and row["df"] == 4
    assert row["city_sem"] is None  # these records have no accuracy per city
    text = claims_table(rows)
    # diffs 0.20, 0.22, 0.18, 0.24, 0.16: s^2 = 0.004 / 4, se = sqrt(0.001 / 5) = 1.4 pp;
    # t_{0.975, 4} = 2.776: interval 20 -+ 3.9; t = 14.1, p = 1.5e-4
    assert ("| a | lowrise | 32 | instance | swd - sar_only | +20.0 ± 1.4 | [+16.1, +23.9] | "
            "<0.001 |") in text
    assert "SE over cities" not in text


def test_the_claim_p_values_are_scipy_s_and_holm_runs_over_the_whole_table():
    from scipy import stats

    rows = claim_checks(_records())
    diffs = [0.20, 0.22, 0.18, 0.24, 0.16]
    row = next(r for r in rows if r["comparison"] == "swd - sar_only")
    ref = stats.ttest_1samp(diffs, 0)
    assert row["p_value"] == pytest.approx(ref.pvalue)
    assert (row["ci_low"], row["ci_high"]) == tuple(pytest.approx(x) for x in
                                                   ref.confidence_interval(0.95))
    # the family: every row's t p-value and every chance row's TOST p-value, adjusted at once
    family = [r["p_value"] for r in rows] + [r["p_equivalence"] for r in rows]
    tested = sorted(p for p in family if p is not None)
    m = len(tested)
    assert m == len(rows) + sum(r["chance"] is not None for r in rows)
    rank = tested.index(row["p_value"])
    expected = max(min(1.0, (m - j) * tested[j]) for j in range(rank + 1))
    assert row["p_holm"] == pytest.approx(expected)
    assert all(r["p_holm"] >= r["p_value"] for r in rows if r["p_value"] is not None)


def _chance_records(accuracies, classes="all", norm="batch"):
    return [_rec("swd", s, a, classes=classes, norm=norm) for s, a in enumerate(accuracies)]


def test_near_chance_on_both_sides_of_the_margin_for_17_classes():
    chance, spread = 1 / 17, [-0.004, 0.002, 0.0, 0.003, -0.001]
    near = claim_checks(_chance_records([chance + 0.01 + e for e in spread]))[0]
    assert near["margin"] == pytest.approx(0.5 / 17)
    assert near["verdict"] == "near chance (TOST ±2.9 pp, Holm)"
    # 2.8 points above chance: inside the margin, but the interval reaches past it
    edge = claim_checks(_chance_records([chance + 0.028 + e for e in spread]))[0]
    assert edge["verdict"] == "above chance (t, Holm)" and edge["p_equivalence_holm"] > 0.05
    # 4 points above chance: near chance with the old "within 5 pp" rule, not any more
    lax = claim_checks(_chance_records([chance + 0.04 + e for e in spread]))[0]
    assert lax["verdict"] == "above chance (t, Holm)"
    noisy = claim_checks(_chance_records([chance + 0.01 + 8 * e for e in spread]))[0]
    assert noisy["verdict"] == "not decided (t and TOST ±2.9 pp, Holm)"
    below = claim_checks(_chance_records([0.01 + e / 4 for e in spread], classes="lowrise"))[0]
    assert below["verdict"] == "below chance (t, Holm)"


def test_a_reversed_claim_is_called_reversed():
    recs = [r for s, e in enumerate(NOISE)
            for r in (_rec("swd", s, 0.40 + e), _rec("sar_only", s, 0.60 + e / 2))]
    assert _verdicts(claim_checks(recs))[("a", 32, "swd - sar_only")] == \
        "reversed (paired t, Holm)"


def test_two_standard_errors_no_longer_suffice_with_five_seeds():
    # diffs with mean / se = 2.5: the old rule said "holds"; p = 0.067 before any correction
    base = [0.01, -0.01, 0.01, -0.01, 0.0]
    shift = 2.5 * 0.01 / 5 ** 0.5
    recs = [r for s, d in enumerate(base)
            for r in (_rec("swd", s, 0.5 + d + shift), _rec("sar_only", s, 0.5))]
    row = claim_checks(recs)[0]
    assert abs(row["mean"]) > 2 * row["sem"]
    assert row["verdict"] == "not distinguishable (paired t, Holm)"


def test_figures_are_drawn_or_none_when_there_is_nothing_to_draw():
    recs = _records()
    fig = figure_accuracy_vs_labels(recs)
    assert [ax.get_title() for ax in fig.axes] == ["lowrise (4 classes)"]
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert set(labels) == {"SWD transfer", "fine-tuning", "SAR only", "chance"}
    assert figure_norm(recs) is not None and figure_supcon(recs) is not None
    plain = [r for r in recs if r["settings"]["norm"] == "instance"
             and not r["settings"]["supcon"]]
    assert figure_norm(plain) is None and figure_supcon(plain) is None
    assert figure_accuracy_vs_labels(recs, methods=("mmd",)) is None


def _grid_records():
    """A batch-norm grid like experiments/reduced.yml: three label counts on two class sets, an
    instance-norm and a SupCon block at 32 labels only."""
    recs = []
    for s, e in enumerate(NOISE[:3]):
        for classes, base in (("lowrise", 0.45), ("urban", 0.25)):
            for i, n in enumerate((32, 128, "full")):
                recs += [_rec(m, s, base + 0.1 * i + d + e, n=n, classes=classes, norm="batch")
                         for m, d in (("sar_only", 0.0), ("finetune", 0.05), ("swd", 0.08))]
        recs += [_rec(m, s, 0.3 + e, norm="instance") for m in ("finetune", "swd")]
        recs += [_rec("swd", s, 0.55 + e, norm="batch", supcon=True)]
    return recs


def test_every_figure_reads_titles_axes_chance_and_legends():
    from swdkit.notebooks import describe_figure, figure_problems

    recs = _grid_records()
    figures = {"fig1": figure_accuracy_vs_labels(recs), "fig2": figure_norm(recs),
               "fig3": figure_supcon(recs), "one seed": figure_accuracy_vs_labels(
                   [r for r in recs if r["settings"]["seed"] == 0])}
    for name, fig in figures.items():
        description = describe_figure(fig)
        assert figure_problems(description) == [], name
        for panel in description["axes"]:
            assert panel["chance_line"] and "chance" in panel["legend"], name
            assert panel["xlabel"].startswith("labeled SAR samples"), name
            assert panel["ylabel"] == "SAR test accuracy (%)", name
            low, high = fig.axes[description["axes"].index(panel)].get_ylim()
            assert high - low >= 10.0, name  # a small gap is not blown up to fill the panel
    fig1 = figures["fig1"]
    # the norm most runs used (batch here), every label count, one panel per class set
    assert "batch norm" in fig1._suptitle.get_text() and "3 seeds" in fig1._suptitle.get_text()
    assert [ax.get_title() for ax in fig1.axes] == ["lowrise (4 classes)", "urban (10 classes)"]
    for ax in fig1.axes:
        assert [t.get_text() for t in ax.get_xticklabels()] == ["32", "128", "full"]
        assert ax.get_legend_handles_labels()[1][-3:] == ["SWD transfer", "fine-tuning",
                                                          "SAR only"]
    assert "one seed each" in figures["one seed"]._suptitle.get_text()
    # the comparisons draw only the label counts measured both ways
    for name in ("fig2", "fig3"):
        ticks = [t.get_text() for t in figures[name].axes[0].get_xticklabels()]
        assert ticks == ["32"] and len(figures[name].axes) == 1, name
    assert set(describe_figure(figures["fig2"])["axes"][0]["legend"]) == {
        "fine-tuning, instance", "fine-tuning, batch", "SWD transfer, instance",
        "SWD transfer, batch", "chance"}
    assert "batch norm" in figures["fig3"]._suptitle.get_text()
    import matplotlib.pyplot as plt

    plt.close("all")


def test_comparison_figures_give_each_variant_its_colour_and_name_full_by_its_count():
    from matplotlib.colors import to_hex

    recs = _grid_records()
    for r in recs:  # what a grid record holds: the label count "full" meant
        n = r["settings"]["n_labeled"]
        r["results"]["n_labeled_used"] = 800 if n == "full" else n
    fig1, fig2, fig3 = figure_accuracy_vs_labels(recs), figure_norm(recs), figure_supcon(recs)
    assert [t.get_text() for t in fig1.axes[0].get_xticklabels()] == ["32", "128", "full (800)"]
    for fig in (fig2, fig3):  # one label count each: points, so no line-style wording
        handles, labels = fig.axes[0].get_legend_handles_labels()
        colours = {label: to_hex(h.lines[0].get_color()) for h, label in zip(handles, labels,
                                                                              strict=True)
                   if label != "chance"}
        assert len(set(colours.values())) == len(colours), colours
        title = fig._suptitle.get_text()
        assert "dashed" not in title and "solid" not in title, title
        assert "squares" in title and "circles" in title, title
    two_counts = recs + [_rec(m, s, 0.4, n=128, norm="instance") for s in range(3)
                         for m in ("finetune", "swd")]
    assert "dashed" in figure_norm(two_counts)._suptitle.get_text()
    import matplotlib.pyplot as plt

    plt.close("all")


def test_figures_refuse_mixed_settings():
    recs = _records() + [_rec("swd", 0, 0.1, config={"epochs": 1})]
    with pytest.raises(ValueError, match="select the records of one grid"):
        figure_accuracy_vs_labels(recs)


def test_write_report_files(tmp_path):
    path = write_report(_records(), tmp_path / "rep", source="x.jsonl", command="swdkit report")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Experiment report: x.jsonl")
    assert "Produced by `swdkit report`." in text
    assert "### method:swd-sar_only" in text and "### supcon:True-False" in text
    assert (tmp_path / "rep" / "fig1_accuracy_vs_labels.png").is_file()
    with pytest.raises(ValueError, match="no results to report"):
        write_report([], tmp_path / "empty")


def test_report_skips_figures_of_mixed_settings_and_says_why(tmp_path):
    recs = _records() + [_rec("swd", 0, 0.1, config={"epochs": 1})]
    text = write_report(recs, tmp_path / "rep").read_text(encoding="utf-8")
    assert "not drawn: fig1_accuracy_vs_labels" in text and "select the records" in text
    assert '| 32 | swd | {"epochs": 1} | 10.0 (1 seed) | - | 1 |' in text


def test_report_notes_runs_from_different_source_versions(tmp_path):
    recs = _records()
    for i, r in enumerate(recs):
        r["versions"] = {"swdkit_source": "aaa" if i % 2 else "bbb"}
    text = write_report(recs, tmp_path / "rep").read_text(encoding="utf-8")
    assert "2 different versions of the swdkit source (aaa, bbb)" in text
    for r in recs:
        r["versions"] = {"swdkit_source": "aaa"}
    assert "different versions" not in write_report(recs, tmp_path / "r2").read_text()


def test_timing_table_medians():
    from swdkit.experiments._report import timing_table

    recs = [dict(_rec("swd", s, 0.5), seconds=t) for s, t in enumerate([10, 30, 20, 40])]
    recs.append(dict(_rec("sar_only", 0, 0.5), seconds=5))
    text = timing_table(recs)
    assert "| lowrise | swd | 4 | 25 | 100 |" in text  # median of 10, 20, 30, 40
    assert "| lowrise | sar_only | 1 | 5 | 5 |" in text


def _with_cities_and_confusion(recs):
    """The records as a run writes them now: accuracy per city (two test cities, 100 and 300
    samples, the second 10 points below the first) and a confusion matrix."""
    out = []
    for r in recs:
        acc = r["results"]["test_accuracy"]
        first = acc + 0.075  # 0.25 * first + 0.75 * (first - 0.1) = acc
        correct = round(400 * acc)
        confusion = [[correct // 2, 200 - correct // 2], [0, correct - correct // 2]]
        confusion[1][0] = 200 - confusion[1][1]
        out.append({**r, "results": {**r["results"], "confusion": confusion,
                                     "city_accuracy": {"4": first, "9": first - 0.1},
                                     "city_n": {"4": 100, "9": 300}}})
    return out


def test_report_shows_scores_and_the_city_variation_when_recorded(tmp_path):
    recs = _with_cities_and_confusion(_records())
    rows = claim_checks(recs)
    row = next(r for r in rows if r["comparison"] == "swd - sar_only")
    # per-city differences: both cities move with the seed alike, so the city SE of the
    # difference is 0; the accuracy of a cell has city values 0.1 apart
    assert row["n_cities"] == 2 and row["city_sem"] == pytest.approx(0, abs=1e-12)
    text = write_report(recs, tmp_path / "rep").read_text(encoding="utf-8")
    assert "| SE over cities (pp) | seeds | verdict |" in text
    # swd at 32: 70 %; cities 77.5 and 67.5; weights 1/4, 3/4: residuals 0.25 * 7.5, 0.75 * 2.5
    # pp -> SE = sqrt(2 * (1.875^2 + 1.875^2)) = 3.75 pp
    assert "| lowrise | instance | False | 32 | swd | 70.0 ± 0.7 | 3.8 (2 cities) | 67.5-77.5 " \
           "| 4: 77.5, 9: 67.5 |" in text
    assert "## Macro F1, Cohen's kappa and F1 per class" in text and "not recorded" not in text


def test_report_on_a_store_written_before_scores_and_cities(tmp_path):
    from swdkit.experiments import read_store

    legacy = Path(__file__).parent / "fixtures" / "legacy" / "results_518f4e2.jsonl"
    text = write_report(read_store(legacy).records, tmp_path / "rep").read_text()
    assert "| lowrise | 32 | swd | not recorded | not recorded | not recorded | 1 |" in text
    assert "Not recorded: these runs were stored before the accuracy per test city" in text
    # with a confusion matrix (as experiments/results/*.jsonl keep) F1 and kappa are read from it
    scored = [{**r, "results": {**r["results"], "confusion": [[3, 1], [0, 4]]}}
              for r in read_store(legacy).records]
    text = write_report(scored, tmp_path / "r2").read_text()
    # F1: 2*3/(2*3+1) = 85.7, 2*4/(2*4+1) = 88.9, macro 87.3; kappa: p_o 7/8, p_e 1/2 -> 0.75
    assert "| lowrise | 32 | swd | 87.3 (1 seed) | 0.750 | 86 / 89 | 1 |" in text


def test_a_run_record_holds_f1_kappa_and_the_accuracy_per_city(tmp_path):
    from types import SimpleNamespace

    import numpy as np
    from test_train import stripes

    from swdkit.data import Split
    from swdkit.experiments import append_record, make_record, read_store
    from swdkit.methods import MethodConfig, run_method
    from swdkit.train._evaluate import cohen_kappa, f1_per_class

    def split(n, seed):
        eo, y = stripes(n, 3, 3, seed=seed)
        sar, _ = stripes(n, 2, 3, seed=seed + 100, noise=0.8)
        return Split(eo=eo.numpy(), sar=sar.numpy(), labels=y.numpy().astype(np.int64),
                     class_names=["a", "b", "c"], city=np.arange(n) % 3 + 10 * seed)

    data = SimpleNamespace(train=split(36, 0), val=split(12, 1), test=split(16, 2),
                           n_classes=3, class_names=["a", "b", "c"], source="synthetic")
    tiny = {"preset": "ci", "width": 4, "embed_dim": 8, "epochs": 1, "steps_per_epoch": 2,
            "probe_size": 12, "unlabeled_batch": 8}
    for method in ("sar_only", "features"):
        result = run_method(data, method=method, n_labeled=6, seed=0, config=tiny, device="cpu")
        assert result.city_n == {20: 6, 21: 5, 22: 5}
        assert result.kappa == pytest.approx(cohen_kappa(result.confusion))
        settings = {"data_dir": None, "data": {}, "classes": "toy", "method": method,
                    "n_labeled": 6, "seed": 0, "norm": "instance", "supcon": False,
                    "config": {}}
        record = make_record(settings, result, wall_seconds=1.0, device="cpu")
        results = record["results"]
        assert set(results["city_accuracy"]) == {"20", "21", "22"}
        weighted = sum(results["city_accuracy"][c] * results["city_n"][c]
                       for c in results["city_n"]) / 16
        assert weighted == pytest.approx(results["test_accuracy"])
        assert results["kappa"] == pytest.approx(cohen_kappa(results["confusion"]))
        f1 = f1_per_class(results["confusion"])
        assert results["f1_per_class"] == [None if np.isnan(v) else pytest.approx(v) for v in f1]
        assert results["macro_f1"] == pytest.approx(np.nanmean(f1))
        if method == "sar_only":  # every setting as it ran, the defaults the overrides left
            assert results["config"]["width"] == 4 and results["config"]["epochs"] == 1
            assert results["config"]["sar_augment"] is MethodConfig().sar_augment
            assert results["config"]["eo_side"] == MethodConfig().eo_side
    path = tmp_path / "r.jsonl"
    append_record(path, record)  # JSON without NaN: the store takes it
    assert read_store(path).records[0]["results"]["city_n"] == {"20": 6, "21": 5, "22": 5}
