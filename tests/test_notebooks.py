"""Every lesson notebook, executed headless with the CI parameters, and the numbers it records.

The whole series runs once per test session through the project's own runner (``swdkit
notebooks`` with ``notebooks/params/ci.yml``), into a temporary folder, on a synthetic data set
made in a temporary folder (set ``SWDKIT_DATA_DIR`` to reuse one). A new notebook is picked up
with no edit here: it must run, record metrics, and pass the generic checks; notebooks listed in
``SPECIFIC`` are also held to their own expectations.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from swdkit.notebooks import figure_problems, read_figure_description
from swdkit.notebooks._runner import discover, load_param_file, run_notebooks

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CI_PARAMS = NOTEBOOKS / "params" / "ci.yml"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def executed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the whole series once; map notebook stem -> its run record."""
    data_dir = os.environ.get("SWDKIT_DATA_DIR") or str(tmp_path_factory.mktemp("data"))
    out = tmp_path_factory.mktemp("notebooks")
    previous = os.environ.get("SWDKIT_DATA_DIR")
    os.environ["SWDKIT_DATA_DIR"] = data_dir  # inherited by the kernels
    try:
        runs = run_notebooks(NOTEBOOKS, params=load_param_file(CI_PARAMS), out=out)
    finally:
        if previous is None:
            os.environ.pop("SWDKIT_DATA_DIR", None)
        else:
            os.environ["SWDKIT_DATA_DIR"] = previous
    return {Path(r.name).stem: r for r in runs}


def numbers(metrics: dict[str, Any], prefix: str = "") -> list[tuple[str, float]]:
    """Every number in a (possibly nested) metrics dictionary, with its dotted name."""
    found: list[tuple[str, float]] = []
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            found += numbers(value, f"{name}.")
        elif isinstance(value, list):
            found += [(f"{name}[{i}]", v) for i, v in enumerate(value)
                      if isinstance(v, (int, float)) and not isinstance(v, bool)]
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            found.append((name, value))
    return found


def above_chance(metrics: dict[str, Any], name: str, margin: float) -> None:
    chance = metrics["chance_accuracy"]
    assert metrics[name] >= chance + margin, \
        f"{name} = {metrics[name]:.3f} is not above chance {chance:.3f} + {margin}"


def check_welcome(m: dict[str, Any]) -> None:
    assert m["dataset_present"] is True
    assert m["training_samples"] > 0 and m["test_samples"] > 0
    assert m["device"] == "cpu"  # ci.yml forces the CPU
    assert m["torch_version"]
    assert m["chance_accuracy"] == pytest.approx(0.25)  # the exercise's answer, checked
    assert m["checks"]["exercise_chance"] is True
    if m["dataset_made_now"]:
        assert m["dataset_make_seconds"] > 0  # the time printed is measured
    assert m["total_seconds"] > 0  # 00 prints its own time, like every notebook


def check_data(m: dict[str, Any]) -> None:
    assert m["chance_accuracy"] == pytest.approx(1 / m["n_classes"])
    counts = m["few_shot_counts"]
    assert sum(counts) == m["n_labeled"] and max(counts) - min(counts) <= 1
    # Standardisation fitted on training gives training SAR channels mean 0 and std 1.
    for std in m["sar_stats"]["standard"]["std"]:
        assert std == pytest.approx(1.0, abs=1e-3)
    assert m["checks"]["exercises"] is True  # every exercise filled (solutions) and checked


def check_eo_pretraining(m: dict[str, Any]) -> None:
    # Even the CI preset learns EO well above chance with one of the two norms.
    best = max(m["eo_test_accuracy_batch"], m["eo_test_accuracy_instance"])
    assert best >= m["chance_accuracy"] + 0.2, f"EO test accuracy {best:.3f}"
    # "What this run shows" judged the two norms with the shared rule, and said so.
    assert m["norm_verdict"] in ("higher", "lower", "not distinguishable")
    a, b = m["norm_pair"]  # the difference is a - b
    assert m["norm_difference"] == pytest.approx(
        m[f"eo_test_accuracy_{a}"] - m[f"eo_test_accuracy_{b}"])
    assert (m["norm_verdict"] == "not distinguishable") == (m["norm_p_value"] >= 0.05)
    assert m["checks"]["exercise_parameter_count"] and m["checks"]["exercise_precision"]


def check_supcon(m: dict[str, Any]) -> None:
    for name in ("knn_accuracy_ce", "knn_accuracy_supcon"):
        above_chance(m, name, 0.1)
    for name in ("silhouette_ce", "silhouette_supcon"):
        assert -1.0 <= m[name] <= 1.0
    # "What this run shows" reports the direction the run measured, whichever it was.
    larger = ("with SupCon" if m["silhouette_supcon"] > m["silhouette_ce"] else
              "without SupCon" if m["silhouette_supcon"] < m["silhouette_ce"] else "equal")
    assert m["tighter_by_silhouette"] == larger
    for name in ("knn_verdict_vs_ce", "knn_verdict_vs_views"):
        assert m[name] in ("higher", "lower", "not distinguishable")
    assert m["checks"]["exercise_temperature"] is True


def check_swd_alignment(m: dict[str, Any]) -> None:
    assert m["toy_sw_after"] < 0.1 * m["toy_sw_before"], "the SW flow did not move the toy cloud"
    assert m["swd_sw_probe_last_epoch"] < m["swd_sw_probe_before"], \
        "SWD training did not reduce SW between the EO and SAR probes"
    assert m["swd_sw_relative_before"] > 0 and 0.0 <= m["control_no_alignment_accuracy"] <= 1.0
    outcomes = {"higher", "lower", "not distinguishable"}
    assert set(m["verdicts"].values()) <= outcomes, m["verdicts"]
    for method in ("swd", "sar_only", "finetune"):
        assert f"{method}_instance_accuracy" in m and f"{method}_batch_accuracy" in m
    assert len(m["twin"]) == 3 and all(0.0 <= v <= 1.0 for v in m["twin"].values())
    assert "twin_gap_closed" in m
    assert 0.0 <= m["known_pairs_accuracy"] <= 1.0 and "known_pairs_vs_swd" in m["verdicts"]
    assert 0.0 <= m["exact_wasserstein_accuracy"] <= 1.0
    assert m["collapse_factor"]["frozen EO teacher"] == pytest.approx(1.0, abs=1e-4)


def check_umap(m: dict[str, Any]) -> None:
    assert m["sw_after"] < m["sw_before"], "alignment did not reduce SW in the reference run"
    assert m["umap_frames"] >= 2 and m["umap_points_per_frame"] > 0
    # Recorded, not judged here: benchmarks/bench_notebooks.py prints how fast it answers.
    assert {"explorer_callback_seconds", "explorer_draw_seconds"} <= set(m)


def check_paper_figures(m: dict[str, Any]) -> None:
    assert m["runs_failed"] == 0
    assert m["runs_stored"] == m["runs"] > 0
    assert len(m["figures"]) == 3
    assert len(m["label_counts"]) >= 3  # Figure 1 draws lines, not one x position
    assert {f"exercise_{k}" for k in (1, 2, 3, 4)} <= set(m["checks"])
    assert m["run_shows"] and set(m["run_shows"].values()) <= {
        "higher", "lower", "not distinguishable"}


# Per-notebook expectations beyond the generic ones (keyed by file stem).
SPECIFIC: dict[str, Callable[[dict[str, Any]], None]] = {
    "00_welcome": check_welcome,
    "01_data": check_data,
    "02_eo_pretraining": check_eo_pretraining,
    "03_supcon": check_supcon,
    "04_swd_alignment": check_swd_alignment,
    "05_umap_embeddings": check_umap,
    "06_paper_figures": check_paper_figures,
}


@pytest.mark.parametrize("stem", [p.stem for p in discover(NOTEBOOKS)])
def test_notebook_runs_and_records_sound_metrics(stem: str, executed: dict[str, Any]) -> None:
    run = executed[stem]
    assert run.status == "ok", f"{stem} failed: {run.error}\nexecuted copy: {run.output}"
    assert Path(run.output).exists()
    metrics = run.metrics
    assert metrics, f"{stem} recorded no metrics (call swdkit.record_metrics in its last cell)"
    for name, value in numbers(metrics):
        assert math.isfinite(value), f"{stem}: {name} = {value}"
        leaf = name.rsplit(".", 1)[-1].split("[")[0]
        if leaf.endswith("accuracy"):
            assert 0.0 <= value <= 1.0, f"{stem}: {name} = {value} is not a fraction"
        if leaf.endswith("seconds"):
            assert value >= 0.0, f"{stem}: {name} = {value}"
    checks = metrics.get("checks", {})
    failed = [name for name, ok in checks.items() if ok is not True]
    assert not failed, f"{stem}: self-checks failed: {failed}"
    if stem in SPECIFIC:
        SPECIFIC[stem](metrics)


def test_summary_lists_every_notebook(executed: dict[str, Any]) -> None:
    assert sorted(executed) == sorted(p.stem for p in discover(NOTEBOOKS))


def test_every_saved_figure_reads(executed: dict[str, Any]) -> None:
    """Every figure the series saves has a title, labelled axes, and a chance line where it shows
    accuracy (swdkit.notebooks.figure_problems reads what save_figure stored in the PNG)."""
    found, problems = 0, []
    for stem, run in executed.items():
        for png in sorted(Path(run.out_dir).glob("*.png")):
            description = read_figure_description(png)
            found += 1
            if description is None:
                problems.append(f"{stem}/{png.name}: not saved with swdkit.save_figure")
                continue
            problems += [f"{stem}/{png.name}: {p}" for p in figure_problems(description)]
    assert found > 0, "the series saved no figures"
    assert not problems, "\n".join(problems)


def test_exercises_start_blank_and_never_stop_a_run(tmp_path: Path) -> None:
    """With solutions=False (a student's default) every notebook still runs to the end (a blank
    answer only says "not attempted yet"), and every exercise check reports False: no answer was
    filled in advance. With the CI parameters (solutions=True) the same checks are all True
    (test_notebook_runs_and_records_sound_metrics)."""
    data_dir = os.environ.get("SWDKIT_DATA_DIR") or str(tmp_path / "data")
    previous = os.environ.get("SWDKIT_DATA_DIR")
    os.environ["SWDKIT_DATA_DIR"] = data_dir
    try:
        params = load_param_file(CI_PARAMS)
        params.command_line["solutions"] = False
        runs = run_notebooks(NOTEBOOKS, params=params, out=tmp_path / "blank")
    finally:
        if previous is None:
            os.environ.pop("SWDKIT_DATA_DIR", None)
        else:
            os.environ["SWDKIT_DATA_DIR"] = previous
    for run in runs:
        assert run.status == "ok", f"{run.name} stopped with blank exercises: {run.error}"
        source = Path(NOTEBOOKS / run.name).read_text(encoding="utf-8")
        if "fill_solutions(globals()" not in source:
            continue
        flags = {k: v for k, v in run.metrics.get("checks", {}).items() if "exercise" in k}
        assert flags, f"{run.name} records no exercise check"
        assert not any(flags.values()), f"{run.name}: answered before the student did: {flags}"
