"""The grid runner with a fake, fast run function: resume, failures, executors, Dask."""

from __future__ import annotations

import json

import pytest
from grid_fakes import expected_accuracy

from swdkit.experiments import parse_grid, run_key
from swdkit.experiments._runner import StoreProblemWarning, run_grid
from swdkit.experiments._store import append_record, read_store

FAKES = {"run": "grid_fakes:fake_run", "load_data": "grid_fakes:fake_load"}


def _spec(**top):
    raw = {"name": "tiny", "functions": dict(FAKES), "data": {"max_train": 100},
           "blocks": [{"name": "m", "methods": ["sar_only", "swd"], "classes": ["lowrise"],
                       "n_labeled": [8, "full"], "seeds": [0, 1, 2]},
                      {"name": "n", "methods": ["swd"], "classes": ["urban"], "n_labeled": [8],
                       "seeds": [0, 1], "norm": ["batch", "instance"]}]}
    raw.update(top)
    return parse_grid(raw)


def _check_store(path, spec):
    contents = read_store(path)
    assert contents.problems == []
    keys = [run_key(r["settings"]) for r in contents.records]
    assert len(keys) == len(set(keys)), "a run was stored twice"
    assert set(keys) == {run_key(s) for s in spec.runs()}, "a run is missing"
    for record in contents.records:
        s = record["settings"]
        assert record["results"]["test_accuracy"] == pytest.approx(expected_accuracy(
            classes=s["classes"], method=s["method"], n_labeled=s["n_labeled"], seed=s["seed"],
            norm=s["norm"], supcon=s["supcon"]))
    return contents.records


def test_runs_everything_then_skips_everything(tmp_path):
    spec = _spec()
    path = tmp_path / "r.jsonl"
    outcome = run_grid(spec, path, progress=False)
    assert (outcome.total, outcome.skipped, outcome.done, outcome.failed) == (16, 0, 16, [])
    assert outcome.complete
    records = _check_store(path, spec)
    record = next(r for r in records if r["settings"]["n_labeled"] == "full")
    assert record["results"]["n_labeled_used"] == 100  # None reached the run function as "all"
    assert len(record["results"]["labeled_digest"]) == 16
    assert set(record["versions"]) >= {"swdkit", "swdkit_source", "python"}
    assert record["seconds"] == pytest.approx(0.01) and record["wall_seconds"] > 0
    assert record["results"]["per_class_accuracy"] == [record["results"]["test_accuracy"]] * 4

    again = run_grid(spec, path, progress=False)
    assert (again.total, again.skipped, again.done) == (16, 16, 0)
    assert len(read_store(path).records) == 16


def test_resume_runs_only_what_is_missing(tmp_path):
    spec = _spec()
    path = tmp_path / "r.jsonl"
    first = run_grid(parse_grid({**_raw_first_block(), "functions": FAKES,
                                 "data": {"max_train": 100}}), path, progress=False)
    assert first.done == 12
    outcome = run_grid(spec, path, progress=False)
    assert (outcome.skipped, outcome.done) == (12, 4)
    _check_store(path, spec)


def _raw_first_block():
    return {"name": "tiny", "blocks": [{"name": "m", "methods": ["sar_only", "swd"],
                                        "classes": ["lowrise"], "n_labeled": [8, "full"],
                                        "seeds": [0, 1, 2]}]}


def test_failed_runs_are_reported_not_stored_and_retried(tmp_path, capsys):
    spec = _spec()
    path = tmp_path / "r.jsonl"
    outcome = run_grid(spec, path, progress=False, functions={"run": "grid_fakes:flaky_run"})
    assert outcome.done == 10 and len(outcome.failed) == 6
    assert all(s["method"] == "sar_only" for s, _ in outcome.failed)
    assert "RuntimeError: fake failure of sar_only" in outcome.failed[0][1]
    assert "run failed (sar_only" in capsys.readouterr().err
    assert not outcome.complete
    outcome = run_grid(spec, path, progress=False)
    assert (outcome.skipped, outcome.done, outcome.failed) == (10, 6, [])
    _check_store(path, spec)


def test_store_problems_are_warned_with_line_numbers_and_good_lines_kept(tmp_path):
    spec = _spec()
    path = tmp_path / "r.jsonl"
    run_grid(spec, path, progress=False)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3][:40]  # corrupt the 4th record
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.warns(StoreProblemWarning, match="line 4: not valid JSON"):
        outcome = run_grid(spec, path, progress=False)
    assert outcome.done == 1 and [p.line for p in outcome.problems] == [4]
    records = read_store(path).records
    assert len(records) == 16


def test_a_second_runner_on_the_same_store_is_refused(tmp_path):
    fcntl = pytest.importorskip("fcntl")
    path = tmp_path / "r.jsonl"
    with open(tmp_path / "r.jsonl.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        with pytest.raises(ValueError, match="being written by another grid run"):
            run_grid(_spec(), path, progress=False)
    assert run_grid(_spec(), path, progress=False).done == 16


def test_local_process_pool_gives_the_same_store(tmp_path):
    spec = _spec()
    path = tmp_path / "r.jsonl"
    outcome = run_grid(spec, path, workers=2, torch_threads=1, progress=False)
    assert outcome.done == 16
    _check_store(path, spec)


def test_a_given_executor_is_used_and_left_open(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    spec = _spec()
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcome = run_grid(spec, tmp_path / "r.jsonl", executor=pool, progress=False)
        assert outcome.done == 16
        assert pool.submit(lambda: 7).result() == 7  # still usable
    _check_store(tmp_path / "r.jsonl", spec)


def test_dask_local_cluster_runs_the_grid(tmp_path):
    distributed = pytest.importorskip("distributed")
    spec = _spec()
    path = tmp_path / "r.jsonl"
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                       protocol="tcp", host="127.0.0.1", dashboard_address=None)
    with cluster, distributed.Client(cluster) as client:
        assert client.scheduler.address.startswith("tcp://127.0.0.1:")
        outcome = run_grid(spec, path, executor=client, progress=False)
        assert outcome.done == 16
        # pure=False: a resubmitted identical job runs again instead of being deduplicated
        append_record(tmp_path / "other.jsonl", json.loads(path.read_text().splitlines()[0]))
        again = run_grid(spec, tmp_path / "other.jsonl", executor=client, progress=False)
        assert (again.skipped, again.done) == (1, 15)
    _check_store(path, spec)
    _check_store(tmp_path / "other.jsonl", spec)


def test_default_run_quiets_progress_and_passes_every_setting(monkeypatch):
    import swdkit.methods
    from swdkit.experiments._worker import default_run

    seen = []
    monkeypatch.setattr(swdkit.methods, "run_method", lambda data, **kw: seen.append(kw))
    default_run(None, method="swd", n_labeled=32, seed=0, config={"gamma": 2.0, "epochs": 3})
    default_run(None, method="semisup", n_labeled=32, seed=0, config={"progress": True})
    assert seen[0]["method"] == "swd"
    assert seen[0]["config"] == {"progress": False, "gamma": 2.0, "epochs": 3}
    assert seen[1]["method"] == "semisup" and seen[1]["config"] == {"progress": True}


def test_every_registered_method_is_a_grid_method_and_unknown_ones_are_named():
    from swdkit.experiments import METHODS as GRID_METHODS
    from swdkit.methods import METHODS, REGISTRY, get_method

    assert GRID_METHODS == METHODS == tuple(REGISTRY)
    assert {"sar_only", "finetune", "swd", "semisup"} <= set(METHODS)
    with pytest.raises(ValueError, match="method must be one of sar_only, finetune, swd"):
        get_method("dann")


def test_the_source_digest_is_taken_before_the_run_imports_its_code(monkeypatch):
    from swdkit.experiments import _worker as grid_worker

    monkeypatch.setattr(grid_worker, "_SOURCE_DIGEST", [])
    seen = []

    def run(data, **kwargs):
        seen.append(list(grid_worker._SOURCE_DIGEST))
        return {"test_accuracy": 0.5, "labeled_indices": [0, 1]}

    settings = parse_grid({"blocks": [{"methods": ["swd"], "classes": ["lowrise"],
                                       "n_labeled": [2], "seeds": [0]}]}).runs()[0]
    record = grid_worker.execute_run({"settings": settings,
                                      "functions": {"run": run, "load_data": lambda d, **k: d}})
    assert seen and seen[0], "the run started before the source was fingerprinted"
    assert record["versions"]["swdkit_source"] == seen[0][0]
