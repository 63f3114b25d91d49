"""The controls table pairs runs that differ in one training setting, and only those."""

from __future__ import annotations

import pytest
from scipy import stats

from swdkit.experiments._controls import control_checks, controls_table


def record(method, seed, accuracy, config=None, n_labeled=32, norm="batch", data=None):
    return {"settings": {"method": method, "seed": seed, "classes": "lowrise",
                         "n_labeled": n_labeled, "norm": norm, "supcon": False,
                         "data": dict(data or {}), "data_dir": None,
                         "config": dict(config or {})},
            "results": {"test_accuracy": accuracy}}


SEEDS = range(5)
SWD = [0.60, 0.62, 0.58, 0.65, 0.61]
OFF = [0.55, 0.58, 0.57, 0.59, 0.56]


def store():
    out = [record("swd", s, a) for s, a in zip(SEEDS, SWD, strict=True)]
    out += [record("swd", s, a, {"alpha": 0.0, "beta": 0.0})
            for s, a in zip(SEEDS, OFF, strict=True)]
    # another cell (paper configuration) must not pair with the default one
    out += [record("swd", s, 0.3, {"eo_side": "train"}, norm="instance") for s in SEEDS]
    return out


def test_alignment_control_is_the_paired_t_test_on_matching_runs() -> None:
    rows = [r for r in control_checks(store()) if r["control"] == "SWD - no alignment"]
    assert len(rows) == 1
    row = rows[0]
    ref = stats.ttest_rel(SWD, OFF)
    assert row["n"] == 5 and row["p_value"] == pytest.approx(ref.pvalue)
    assert row["mean"] == pytest.approx(sum(SWD) / 5 - sum(OFF) / 5)
    assert row["p_holm"] == pytest.approx(ref.pvalue)  # the only row of its family
    assert row["verdict"].startswith("A ahead" if ref.pvalue < 0.05 else "not distinguishable")
    assert row["norm"] == "batch" and row["config"] == {}


def test_holm_runs_over_every_control_row() -> None:
    records = store() + [record("sar_only", s, a - 0.1) for s, a in zip(SEEDS, OFF, strict=True)]
    rows = control_checks(records)
    names = {r["control"] for r in rows}
    assert names == {"SWD - no alignment", "Y-net without alignment - SAR-only"}
    for row in rows:
        assert row["p_holm"] == pytest.approx(min(1.0, 2 * row["p_value"])) or \
            row["p_holm"] >= row["p_value"]


def test_runs_differing_in_another_setting_do_not_pair() -> None:
    records = [record("swd", s, a) for s, a in zip(SEEDS, SWD, strict=True)]
    records += [record("swd", s, a, {"alpha": 0.0, "beta": 0.0, "lr": 0.01})
                for s, a in zip(SEEDS, OFF, strict=True)]
    assert control_checks(records) == []
    assert "No control runs" in controls_table([])


def test_table_shows_each_row() -> None:
    text = controls_table(control_checks(store()))
    assert "SWD - no alignment" in text and "| 5 |" in text


def test_a_setting_left_at_its_default_matches_the_default_written_out() -> None:
    records = [record("swd", s, a, {"beta": 0.0}) for s, a in zip(SEEDS, SWD, strict=True)]
    records += [record("swd", s, a, {"alpha": 0.0, "beta": 0.0})
                for s, a in zip(SEEDS, OFF, strict=True)]
    records += [record("sar_only", s, a, {"sar_augment": False})
                for s, a in zip(SEEDS, OFF, strict=True)]
    names = {r["control"] for r in control_checks(records)}
    assert names == {"marginal term alone - no alignment",
                     "Y-net without alignment - SAR-only"}


def test_control_runs_are_left_out_of_the_claims_but_a_grid_wide_setting_is_not() -> None:
    from swdkit.experiments import claim_checks
    from swdkit.experiments._controls import without_control_runs

    records = store()
    kept = without_control_runs(records)
    assert all(r["settings"]["config"] != {"alpha": 0.0, "beta": 0.0} for r in kept)
    assert len(kept) == 10  # swd default cell and the eo_side=train cell
    only_changed = [record("swd", s, a, {"alpha": 1.0}) for s, a in zip(SEEDS, SWD, strict=True)]
    assert without_control_runs(only_changed) == only_changed
    rows = claim_checks(records)
    assert all("alpha=0.0" not in str(r.get("variant")) for r in rows)


def with_config(rec, **ran):
    """A record as the grid writes it today: its whole config, defaults included."""
    from swdkit.methods import resolve_config

    config = resolve_config(dict(rec["settings"]["config"])).to_dict()
    return {**rec, "results": {**rec["results"], "config": {**config, **ran}}}


def test_augmentation_rows_read_what_ran_not_todays_default() -> None:
    # stored before records held their config: {} ran without augmentation
    legacy = [record("sar_only", s, a, {"sar_augment": True})
              for s, a in zip(SEEDS, SWD, strict=True)]
    legacy += [record("sar_only", s, a) for s, a in zip(SEEDS, OFF, strict=True)]
    # written today: {} ran with whatever its config says
    today = [with_config(record("sar_only", s, a, n_labeled=128), sar_augment=True)
             for s, a in zip(SEEDS, SWD, strict=True)]
    today += [with_config(record("sar_only", s, a, {"sar_augment": False}, n_labeled=128))
              for s, a in zip(SEEDS, OFF, strict=True)]
    rows = [r for r in control_checks(legacy + today)
            if r["control"] == "SAR-only with augmentation - without"]
    assert sorted(r["n_labeled"] for r in rows) == [32, 128]
    for row in rows:  # A is the augmented side in both stores
        assert row["mean_a"] == pytest.approx(sum(SWD) / 5)
        assert row["mean_b"] == pytest.approx(sum(OFF) / 5)


def test_a_cells_preset_gives_the_defaults_a_run_leaves_out() -> None:
    # the paper's protocol has no SAR augmentation: there {} is the side without it
    paper = {"preset": "paper_lesson"}
    recs = [with_config(record("swd", s, a, {**paper, "sar_augment": True}))
            for s, a in zip(SEEDS, SWD, strict=True)]
    recs += [record("swd", s, a, paper) for s, a in zip(SEEDS, OFF, strict=True)]
    rows = [r for r in control_checks(recs) if r["control"] == "SWD with augmentation - without"]
    assert len(rows) == 1 and rows[0]["mean"] == pytest.approx((sum(SWD) - sum(OFF)) / 5)
