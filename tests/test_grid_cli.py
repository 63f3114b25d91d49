"""`swdkit grid` and `swdkit report` as a user runs them, including a SIGKILL mid-grid."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from swdkit.cli import main
from swdkit.experiments import load_grid, run_key
from swdkit.experiments._store import read_store

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent


def _write_config(path, *, sleep=0.0, seeds=(0, 1, 2), extra_blocks=()):
    config = {
        "name": "cli", "data": {"max_train": 100}, "config": {"sleep": sleep},
        "functions": {"run": "grid_fakes:fake_run", "load_data": "grid_fakes:fake_load"},
        "blocks": [
            {"name": "methods", "methods": ["sar_only", "finetune", "swd"],
             "classes": ["lowrise"], "n_labeled": [8, 16, "full"], "seeds": list(seeds)},
            {"name": "norm", "methods": ["finetune", "swd"], "classes": ["lowrise"],
             "n_labeled": [8], "seeds": list(seeds), "norm": ["batch", "instance"]},
            {"name": "supcon", "methods": ["swd"], "classes": ["lowrise"], "n_labeled": [8],
             "seeds": list(seeds), "supcon": [False, True]},
            *extra_blocks,
        ],
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), str(REPO), env.get("PYTHONPATH", "")])
    return env


def _grid_cmd(config, results, *extra):
    return [sys.executable, "-m", "swdkit.cli", "grid", "--config", str(config), "--results",
            str(results), "--no-progress", *extra]


def _lines(path):
    return path.read_bytes().count(b"\n") if path.exists() else 0


def test_sigkill_mid_grid_then_resume_loses_and_duplicates_nothing(tmp_path):
    config = _write_config(tmp_path / "grid.yml", sleep=0.15)
    results = tmp_path / "results.jsonl"
    total = len(load_grid(config).runs())
    assert total == 9 * 3 + 2 * 3 + 1 * 3  # methods, batch norm extras, supcon extras
    proc = subprocess.Popen(_grid_cmd(config, results), env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while _lines(results) < 5 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    killed = read_store(results)
    assert killed.problems == [], "a kill left a broken line"
    done_before = len(killed.records)
    assert 5 <= done_before < total, "the kill did not land mid-grid"

    resumed = subprocess.run(_grid_cmd(config, results), env=_env(), capture_output=True,
                             text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert (f"{total} runs, {done_before} already done, {total - done_before} run now, "
            "0 failed") in resumed.stdout
    final = read_store(results)
    assert final.problems == []
    keys = [run_key(r["settings"]) for r in final.records]
    assert len(keys) == total and set(keys) == {run_key(s) for s in load_grid(config).runs()}
    assert _lines(results) == total


def test_report_writes_tables_figures_and_reports_corrupt_lines(tmp_path, capsys):
    config = _write_config(tmp_path / "grid.yml")
    results = tmp_path / "results.jsonl"
    assert main(["grid", "--config", str(config), "--results", str(results),
                 "--no-progress"]) == 0
    lines = results.read_text(encoding="utf-8").splitlines()
    lines.insert(2, "{truncated")
    results.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "report"
    assert main(["report", str(results), "--out", str(out)]) == 0
    assert "line 3: not valid JSON" in capsys.readouterr().err
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "line 3: not valid JSON" in report
    assert "| lowrise | instance | False | 8 | swd |" in report
    assert "swd - sar_only" in report and "swd: instance - batch" in report
    for name in ("fig1_accuracy_vs_labels", "fig2_norm", "fig3_supcon"):
        assert (out / f"{name}.png").stat().st_size > 1000
        assert f"![{name}]({name}.png)" in report
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["runs"] == len(lines) - 1
    assert {c["method"] for c in summary["cells"]} == {"sar_only", "finetune", "swd"}


@pytest.mark.parametrize(("argv", "words"), [
    (["report", "missing.jsonl", "--out", "x"], "does not exist"),
    (["grid", "--config", "missing.yml"], "experiments/reduced.yml"),
    (["grid", "--config", "{cfg}", "--workers", "0"], "--workers 0"),
    (["grid", "--config", "{cfg}", "--scheduler", "tcp://x:1"], "add --executor dask"),
])
def test_cli_errors_are_clear(tmp_path, capsys, argv, words):
    config = _write_config(tmp_path / "grid.yml")
    argv = [a.replace("{cfg}", str(config)) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err
    assert len(err.splitlines()) == 1, err


def test_a_type_error_in_a_command_is_one_line_with_exit_status_2(tmp_path, capsys,
                                                                    monkeypatch):
    from swdkit.experiments import _runner

    def wrong_type(*args, **kwargs):
        raise TypeError("workers must be a positive integer, got str '2';\n  give --workers 2")

    monkeypatch.setattr(_runner, "run_grid", wrong_type)
    config = _write_config(tmp_path / "grid.yml")
    assert main(["grid", "--config", str(config), "--results", str(tmp_path / "r.jsonl")]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "swdkit grid: error: workers must be a positive integer, got str '2'; give --workers 2"]
    assert "Traceback" not in captured.out + captured.err


def test_a_yaml_error_of_several_lines_is_printed_as_one(tmp_path, capsys):
    config = tmp_path / "grid.yml"
    config.write_text("blocks: [\n  {methods: [swd]\n", encoding="utf-8")
    assert main(["grid", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert "is not valid YAML" in err and "experiments/reduced.yml" in err


def test_unknown_method_in_config_names_the_choices(tmp_path, capsys):
    config = _write_config(tmp_path / "grid.yml", extra_blocks=[
        {"name": "bad", "methods": ["dann"], "classes": ["lowrise"], "n_labeled": [8],
         "seeds": [0]}])
    assert main(["grid", "--config", str(config), "--results", str(tmp_path / "r.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "unknown method 'dann'" in err and "sar_only, finetune, swd" in err


def test_failed_runs_give_exit_status_1(tmp_path, capsys):
    config = _write_config(tmp_path / "grid.yml")
    raw = yaml.safe_load(config.read_text(encoding="utf-8"))
    raw["functions"]["run"] = "grid_fakes:flaky_run"
    config.write_text(yaml.safe_dump(raw), encoding="utf-8")
    assert main(["grid", "--config", str(config), "--results", str(tmp_path / "r.jsonl"),
                 "--no-progress"]) == 1
    assert "run the same command again to retry" in capsys.readouterr().err


def test_grid_on_a_local_dask_cluster_from_the_command_line(tmp_path):
    pytest.importorskip("distributed")
    config = _write_config(tmp_path / "grid.yml", seeds=(0,))
    results = tmp_path / "results.jsonl"
    done = subprocess.run(_grid_cmd(config, results, "--executor", "dask", "--workers", "2"),
                          env=_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert len(read_store(results).records) == len(load_grid(config).runs())
