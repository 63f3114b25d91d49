"""Faults of runs, checkpoints, the grid, the report and the notebook runner (issue 13).

Each test reproduces one fault a careless or hostile user met: it failed on the code before the
fix. The numbers in the test names are the issue's points (2, 4, 5, 6, 7, 10, 11, 12).
"""

from __future__ import annotations

import errno
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
import torch
import yaml
from test_pipeline import TINY, split

from swdkit.cli import main
from swdkit.experiments import NonFiniteWarning, claim_checks, parse_grid, run_key, summarize
from swdkit.experiments._runner import StoreProblemWarning, run_grid
from swdkit.experiments._store import read_store
from swdkit.methods import CheckpointWarning, MethodConfig, load_or_pretrain_eo, resolve_config
from swdkit.models import YNet, load_checkpoint, read_checkpoint, save_checkpoint
from swdkit.notebooks import run_notebooks

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
FAKES = {"run": "grid_fakes:fake_run", "load_data": "grid_fakes:fake_load"}


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), str(REPO), env.get("PYTHONPATH", "")])
    return env


# --- 2 and 4: checkpoints -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def data():
    from types import SimpleNamespace

    return SimpleNamespace(train=split(36, 0), val=split(12, 1), test=split(15, 2),
                           n_classes=3, class_names=["a", "b", "c"], source="synthetic")


def _pretrain(data, folder):
    return load_or_pretrain_eo(data, seed=0, config=TINY, device="cpu", checkpoint_dir=folder)


def _eo_weights(net):
    return {k: v.clone() for k, v in net.state_dict().items() if not k.startswith("sar_")}


def test_2_a_cached_checkpoint_with_other_keys_is_named_and_retrained_never_used(data, tmp_path):
    net, info = _pretrain(data, tmp_path)
    trained = _eo_weights(net)
    payload = torch.load(info.path, weights_only=True)
    payload["state_dict"] = {k.replace("eo_encoder.", "encoder."): v
                             for k, v in payload["state_dict"].items()}
    payload["eo_val_accuracy"] = 0.123  # what the wrong run would have recorded
    torch.save(payload, info.path)
    with pytest.warns(CheckpointWarning, match=rf"{info.path.name}.*does not match.*missing "
                      r"eo_encoder\..*pretrained again"):
        again, second = _pretrain(data, tmp_path)
    assert not second.cached and second.eo_val_accuracy != 0.123
    for key, value in trained.items():  # trained again from the same seed, not left untrained
        assert torch.equal(again.state_dict()[key], value), key
    assert any(k.startswith("eo_encoder.") for k in read_checkpoint(info.path)["state_dict"])
    assert _pretrain(data, tmp_path)[1].cached  # the replaced file is used from now on


def test_2_a_cached_checkpoint_with_another_shape_is_not_loaded(data, tmp_path):
    net, info = _pretrain(data, tmp_path)
    payload = torch.load(info.path, weights_only=True)
    payload["state_dict"]["head.weight"] = torch.zeros(5, 5)
    torch.save(payload, info.path)
    with pytest.warns(CheckpointWarning, match=r"head\.weight has shape \(5, 5\)"):
        assert not _pretrain(data, tmp_path)[1].cached


def test_2_the_cache_key_includes_the_code_that_pretrains(data, tmp_path, monkeypatch):
    from swdkit.methods import _pretrained

    _, before = _pretrain(data, tmp_path)
    monkeypatch.setattr(_pretrained, "digest_sources", lambda *parts: "edited-code")
    _, after = _pretrain(data, tmp_path)
    assert after.path != before.path and not after.cached
    assert len(list(tmp_path.glob("eo_*.pt"))) == 2


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_4_a_corrupt_cached_checkpoint_is_named_retrained_and_replaced(data, tmp_path, damage):
    _, info = _pretrain(data, tmp_path)
    whole = info.path.read_bytes()
    info.path.write_bytes({"garbage": b"not a checkpoint" * 8, "truncated": whole[:len(whole) // 2],
                           "empty": b""}[damage])
    with pytest.warns(CheckpointWarning, match=rf"{info.path.name}.*damaged") as caught:
        _, again = _pretrain(data, tmp_path)
    assert "weights_only" not in str(caught[0].message)
    assert not again.cached and read_checkpoint(info.path)["config"]  # replaced by a good file


def _object_file(path):
    torch.save({"config": {}, "state_dict": {}, "note": Path("x")}, path)


@pytest.mark.parametrize("write", [
    lambda p: p.write_bytes(b"\x00garbage" * 10),
    lambda p: p.write_bytes(b""),
    _object_file,
])
def test_4_load_checkpoint_names_a_bad_file_and_never_advises_an_unsafe_load(tmp_path, write):
    path = tmp_path / "net.pt"
    write(path)
    with pytest.raises(ValueError, match=r"net\.pt.*delete it") as caught:
        load_checkpoint(path)
    assert "weights_only" not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_4_load_checkpoint_is_strict(tmp_path):
    net = YNet(n_classes=3, norm="instance", width=4, embed_dim=8)
    path = save_checkpoint(tmp_path / "net.pt", net)
    payload = torch.load(path, weights_only=True)
    del payload["state_dict"]["head.bias"]
    torch.save(payload, path)
    with pytest.raises(ValueError, match=r"net\.pt.*does not match.*missing head\.bias"):
        load_checkpoint(path)


# --- 5: the results lock -------------------------------------------------------------------------

def _spec(**top):
    raw = {"name": "faults", "functions": dict(FAKES), "data": {"max_train": 100},
           "blocks": [{"name": "m", "methods": ["sar_only", "swd"], "classes": ["lowrise"],
                       "n_labeled": [8, "full"], "seeds": [0, 1, 2]}]}
    raw.update(top)
    return parse_grid(raw)


def test_5_the_lock_follows_a_symlink_to_the_real_store(tmp_path):
    fcntl = pytest.importorskip("fcntl")
    real = tmp_path / "real.jsonl"
    link = tmp_path / "link.jsonl"
    real.touch()
    link.symlink_to(real)
    with open(tmp_path / "real.jsonl.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        with pytest.raises(ValueError, match="being written by another grid run"):
            run_grid(_spec(), link, progress=False)
    assert read_store(real).records == []


# --- 6: hangs ------------------------------------------------------------------------------------

def _notebook(path, *cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    first = nbformat.v4.new_code_cell("out_dir = 'x'")
    first.metadata["tags"] = ["parameters"]
    nb.cells = [first, *[nbformat.v4.new_code_cell(c) for c in cells]]
    nbformat.write(nb, path)


def test_6_a_notebook_past_its_time_limit_is_stopped_and_the_cell_named(tmp_path, capsys):
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    _notebook(nbdir / "01_sleepy.ipynb", "x = 1", "import time\ntime.sleep(600)", "y = 2")
    out = tmp_path / "out"
    start = time.monotonic()
    assert main(["notebooks", "--notebooks", str(nbdir), "--out", str(out),
                 "--timeout", "25"]) == 1
    assert time.monotonic() - start < 120
    log = capsys.readouterr().out
    # cells: 1 parameters, 2 injected parameters, 3 "x = 1", 4 the sleep
    assert "at cell 4" in log and "time limit of 25 s" in log and "--timeout" in log
    (entry,) = json.loads((out / "summary.json").read_text())["notebooks"]
    assert entry["status"] == "failed" and entry["error"]["cell"] == 4
    assert 25 <= entry["seconds"] < 120


_WATCHED_PARENT = """
import os, sys, time
from swdkit.experiments._executors import local_executor
pool = local_executor(1, torch_threads=1)
print(pool.submit(os.getpid).result(), flush=True)
time.sleep(600)
"""


def _alive(pid):
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_6_pool_workers_exit_when_the_grid_parent_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", _WATCHED_PARENT], env=_env(),
                              stdout=subprocess.PIPE, text=True)
    worker = None
    try:
        worker = int(parent.stdout.readline())
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=30)
        deadline = time.monotonic() + 30
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(worker), "the worker outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()
        if worker is not None and _alive(worker):
            os.kill(worker, signal.SIGKILL)


# --- 7: report on malformed and NaN records ------------------------------------------------------

def _store_with_bad_lines(tmp_path):
    path = tmp_path / "r.jsonl"
    assert run_grid(_spec(), path, progress=False).done == 12
    records = read_store(path).records
    lines = path.read_text(encoding="utf-8").splitlines()
    broken = dict(records[0], results={**records[0]["results"], "test_accuracy": "n/a"})
    nan = dict(records[1], results={**records[1]["results"], "test_accuracy": math.nan})
    lines[0] = json.dumps(broken)
    lines[1] = json.dumps(nan)  # NaN: Python writes it, a hand-edited file may hold it
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, records


def test_7_report_skips_and_names_a_record_without_a_numeric_accuracy_and_flags_nan(tmp_path,
                                                                                   capsys):
    path, _ = _store_with_bad_lines(tmp_path)
    out = tmp_path / "report"
    assert main(["report", str(path), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "line 1: not a run record (test_accuracy 'n/a' is not a number)" in err
    assert "warning:" in err and "line 2: test_accuracy is nan" in err
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "line 1: not a run record" in report
    assert "**Warning:**" in report and "| NaN |" in report


def test_7_the_grid_runs_again_what_the_store_holds_without_an_accuracy(tmp_path):
    path, records = _store_with_bad_lines(tmp_path)
    with pytest.warns(StoreProblemWarning, match="line 1"):
        outcome = run_grid(_spec(), path, progress=False)
    assert (outcome.skipped, outcome.done) == (11, 1)
    keys = {run_key(r["settings"]) for r in read_store(path).records}
    assert run_key(records[0]["settings"]) in keys and len(keys) == 12


def test_7_nan_is_flagged_and_never_judged(tmp_path):
    path, _ = _store_with_bad_lines(tmp_path)
    records = read_store(path).records
    with pytest.warns(NonFiniteWarning, match="not a finite number"):
        rows = summarize(records)
    assert any(math.isnan(r["mean"]) for r in rows)
    with pytest.warns(NonFiniteWarning):
        verdicts = {r["verdict"] for r in claim_checks(records) if math.isnan(r["mean"])}
    assert verdicts <= {"not judged: a run without a finite accuracy"}


def test_7_a_run_whose_record_the_store_refuses_fails_without_stopping_the_grid(tmp_path):
    def nan_run(data, **kwargs):
        return {"test_accuracy": math.nan, "labeled_indices": [0, 1]}

    outcome = run_grid(_spec(), tmp_path / "r.jsonl", functions={"run": nan_run},
                       progress=False)
    assert len(outcome.failed) == 12 and "keep them finite" in outcome.failed[0][1]
    assert read_store(tmp_path / "r.jsonl").records == []


# --- 10: --only merges into the summary ----------------------------------------------------------

def test_10_only_merges_into_the_existing_summary(tmp_path):
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    for name in ("01_a", "02_b", "03_c"):
        _notebook(nbdir / f"{name}.ipynb", "z = 0")
    out = tmp_path / "out"
    out.mkdir()
    earlier = [{"name": n, "status": "ok", "seconds": 2.0, "metrics": {"old": True}}
               for n in ("01_a.ipynb", "02_b.ipynb", "03_c.ipynb")]
    (out / "summary.json").write_text(json.dumps({"notebooks": earlier, "total_seconds": 6.0}))
    run_notebooks(nbdir, out=out, only="02", log=lambda *_: None)
    summary = json.loads((out / "summary.json").read_text())
    assert [n["name"] for n in summary["notebooks"]] == ["01_a.ipynb", "02_b.ipynb",
                                                         "03_c.ipynb"]
    assert [n["metrics"] for n in summary["notebooks"]] == [{"old": True}, {}, {"old": True}]
    assert summary["total_seconds"] == pytest.approx(4.0 + summary["notebooks"][1]["seconds"],
                                                     abs=0.02)
    assert sorted(p.name for p in out.glob(".*")) == []  # written atomically, nothing left


# --- 11: one clear error, before any run ---------------------------------------------------------

@pytest.mark.parametrize(("code", "words"), [
    (errno.EACCES, "choose a place you may write to"),
    (errno.EROFS, "read-only"),
    (errno.ENOSPC, "disk is full"),
    (errno.EISDIR, "give a file path"),
])
def test_11_an_operating_system_error_is_one_line_with_a_remedy(tmp_path, capsys, monkeypatch,
                                                                 code, words):
    from swdkit.experiments import _runner

    def refused(*args, **kwargs):
        raise OSError(code, os.strerror(code), str(tmp_path / "r.jsonl"))

    monkeypatch.setattr(_runner, "run_grid", refused)
    config = tmp_path / "grid.yml"
    config.write_text(yaml.safe_dump({"functions": FAKES, "blocks": [
        {"methods": ["swd"], "classes": ["lowrise"], "n_labeled": [8], "seeds": [0]}]}))
    assert main(["grid", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("swdkit grid: error: ") and "r.jsonl" in err and words in err
    assert len(err.splitlines()) == 1, err


def test_11_a_file_in_the_way_of_the_report_is_one_line(tmp_path, capsys):
    path = tmp_path / "r.jsonl"
    run_grid(_spec(), path, progress=False)
    (tmp_path / "taken").write_text("a file, not a folder")
    assert main(["report", str(path), "--out", str(tmp_path / "taken" / "report")]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "taken" in err and "Traceback" not in err


def test_11_a_bad_training_setting_is_one_error_before_any_run(tmp_path, capsys):
    config = tmp_path / "grid.yml"
    config.write_text(yaml.safe_dump({
        "name": "bad", "functions": {"load_data": "grid_fakes:fake_load"},
        "blocks": [{"name": "ok", "methods": ["swd"], "classes": ["lowrise"],
                    "n_labeled": [8], "seeds": [0, 1]},
                   {"name": "typo", "methods": ["swd", "sar_only"], "classes": ["lowrise"],
                    "n_labeled": [8], "seeds": [0, 1, 2], "config": {"epochs": 0}}]}))
    results = tmp_path / "r.jsonl"
    assert main(["grid", "--config", str(config), "--results", str(results),
                 "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert "block 'typo'" in err and "epochs must be a positive integer, got 0" in err
    assert not results.exists()


def test_11_a_checkpoint_folder_no_run_could_write_is_one_error_before_any_run(tmp_path):
    (tmp_path / "taken").write_text("a file, not a folder")
    results = tmp_path / "r.jsonl"
    with pytest.raises(OSError):
        run_grid(_spec(checkpoint_dir=str(tmp_path / "taken" / "ckpt")), results, progress=False)
    assert not results.exists()


def test_11_the_same_failure_shows_its_traceback_once(tmp_path, capsys):
    outcome = run_grid(_spec(), tmp_path / "r.jsonl", progress=False,
                       functions={"run": "grid_fakes:flaky_run"})
    assert len(outcome.failed) == 6  # every sar_only run
    err = capsys.readouterr().err
    assert err.count("run failed") == 6 and err.count("Traceback") == 1
    assert err.count("the same error as an earlier run") == 5


def test_11_bad_data_settings_are_refused_when_the_config_is_read():
    with pytest.raises(ValueError, match="under 'data': max_train must be a positive integer"):
        _spec(data={"max_train": 0})
    with pytest.raises(ValueError, match="sar_norm must be one of"):
        _spec(data={"sar_norm": "log"})


def test_11_a_dead_worker_is_reported_once_and_the_grid_stops_cleanly(tmp_path, capsys):
    spec = _spec(functions={"run": "grid_fakes:deadly_run", "load_data": "grid_fakes:fake_load"})
    path = tmp_path / "r.jsonl"
    outcome = run_grid(spec, path, workers=2, torch_threads=1, progress=False)
    err = capsys.readouterr().err
    assert outcome.stopped and "Run the same grid again" in outcome.stopped
    assert err.count("worker process died") == 1 and "Traceback" not in err
    assert outcome.failed == [] and not outcome.complete
    assert len(read_store(path).records) == outcome.done
    resumed = run_grid(_spec(), path, progress=False)
    assert resumed.skipped == outcome.done and resumed.complete
    assert len(read_store(path).records) == 12


# --- 12: settings are checked when a MethodConfig is built ---------------------------------------

@pytest.mark.parametrize(("settings", "error", "words"), [
    ({"steps_per_epoch": 0}, ValueError, "steps_per_epoch must be a positive integer or None"),
    ({"steps_per_epoch": "5"}, TypeError, "steps_per_epoch must be a positive integer"),
    ({"pretrain_epochs": 0}, ValueError, "pretrain_epochs must be a positive integer"),
    ({"contrastive_temperature": 0.0}, ValueError, "contrastive_temperature must be"),
    ({"alpha": "10"}, TypeError, "alpha must be a finite number >= 0, got str"),
    ({"compile": "no"}, TypeError, "compile must be True or False"),
    ({"depth": 2}, ValueError, "depth must be an integer >= 3"),
])
def test_12_method_config_checks_its_fields_when_built(settings, error, words):
    with pytest.raises(error, match=words):
        resolve_config({"preset": "ci", **settings})
    with pytest.raises(error, match=words):
        MethodConfig(**settings)


def test_12_a_valid_steps_per_epoch_reaches_the_run(data):
    from swdkit.methods import start_run

    run = start_run(data, n_labeled=6, seed=0, norm="instance", supcon=False,
                    config={**TINY, "steps_per_epoch": 3}, device="cpu", checkpoint_dir=None,
                    snapshots=False, pretrain=False)
    assert run.common["steps_per_epoch"] == 3
    default = start_run(data, n_labeled=6, seed=0, norm="instance", supcon=False,
                        config={**TINY, "steps_per_epoch": None}, device="cpu",
                        checkpoint_dir=None, snapshots=False, pretrain=False)
    assert default.common["steps_per_epoch"] == math.ceil(36 / TINY["unlabeled_batch"])
