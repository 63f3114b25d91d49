"""The claims check, the figures and the report on hand-made records."""

from __future__ import annotations

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


def test_claim_verdicts_follow_the_two_standard_error_rule():
    rows = claim_checks(_records())
    v = _verdicts(rows)
    assert v[("a", 32, "swd - sar_only")] == "holds"
    assert v[("a", "full", "swd - finetune")] == "holds"  # overtaken with full labels
    assert v[("a", 32, "swd - finetune")] == "not distinguishable"
    assert v[("b", 32, "swd: instance - batch")] == "holds"
    assert v[("b", 32, "swd - chance", "batch")] == "near chance (within 5 pp or 2 SE)"
    assert v[("b", 32, "swd - chance", "instance")] == "above chance"
    assert v[("c", 32, "swd: supcon - no supcon")] == "not distinguishable"
    row = next(r for r in rows if r["comparison"] == "swd - sar_only")
    assert row["mean"] == pytest.approx(0.20) and row["n"] == 5
    text = claims_table(rows)
    # diffs 0.20, 0.22, 0.18, 0.24, 0.16: s^2 = 0.004 / 4, se = sqrt(0.001 / 5) = 1.4 pp
    assert "| a | lowrise | 32 | instance | swd - sar_only | +20.0 ± 1.4 | 5 | holds |" in text


def test_a_reversed_claim_is_called_reversed():
    recs = [r for s, e in enumerate(NOISE)
            for r in (_rec("swd", s, 0.40 + e), _rec("sar_only", s, 0.60 + e / 2))]
    assert _verdicts(claim_checks(recs))[("a", 32, "swd - sar_only")] == "reversed"


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
    assert '| 32 | swd | {"epochs": 1} | 10.0 (1 seed) | 1 |' in text


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
