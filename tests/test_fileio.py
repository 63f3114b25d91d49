"""Crash-safe writing and JSON conversion (swdkit.fileio) and notebook metrics."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from swdkit import fileio
from swdkit.fileio import (
    atomic_path,
    foreign_entries,
    json_ready,
    remove_stale_temporaries,
    temporary_owner,
    write_json_atomic,
    write_text_atomic,
)
from swdkit.notebooks._records import record_metrics


def test_a_failed_write_keeps_the_good_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "result.txt"
    write_text_atomic(path, "good")
    with pytest.raises(RuntimeError, match="half way"), atomic_path(path) as tmp:
        tmp.write_text("half a fi", encoding="utf-8")
        raise RuntimeError("half way")
    assert path.read_text(encoding="utf-8") == "good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.txt"]


def test_a_finished_write_replaces_the_file(tmp_path):
    path = tmp_path / "sub" / "result.json"
    write_json_atomic(path, {"a": 1})
    write_json_atomic(path, {"a": 2, "b": [1.5]})
    assert json.loads(path.read_text(encoding="utf-8")) == {"a": 2, "b": [1.5]}
    assert sorted(p.name for p in path.parent.iterdir()) == ["result.json"]


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_get_the_mode_the_umask_gives(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        path = write_text_atomic(tmp_path / "out.txt", "x")
        with atomic_path(tmp_path / "fig.png") as tmp:
            assert tmp.suffix == ".png" and tmp.stat().st_mode & 0o777 == mode
            tmp.write_bytes(b"png")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == mode
    assert (tmp_path / "fig.png").stat().st_mode & 0o777 == mode


def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


def test_temporary_names_say_who_made_them(tmp_path):
    with atomic_path(tmp_path / "training.h5") as tmp:
        assert temporary_owner(tmp.name) == (fileio._host(), os.getpid())
        assert tmp.name.startswith(".training.h5.swdkit-tmp-") and tmp.suffix == ".h5"
    for name in ("training.h5", ".training.h5.ab12cd34.tmp.h5", ".x.swdkit-tmp-h-12-ab12cd34.h5",
                 ".x.h5.swdkit-tmp-h-12-nothex!!.h5"):
        assert temporary_owner(name) is None, name


def test_only_temporaries_of_dead_processes_on_this_host_are_removed(tmp_path):
    host, dead = fileio._host(), _dead_pid()
    names = {"dead": f".a.h5.swdkit-tmp-{host}-{dead}-0123abcd.h5",
             "alive": f".a.h5.swdkit-tmp-{host}-1-0123abcd.h5",  # pid 1 always runs
             "mine": f".a.h5.swdkit-tmp-{host}-{os.getpid()}-0123abcd.h5",
             "other host": f".a.h5.swdkit-tmp-elsewhere{host}-{dead}-0123abcd.h5",
             "old style": ".a.h5.k2j4h5g6.tmp.h5", "user's": "a.h5"}
    for name in names.values():
        (tmp_path / name).write_bytes(b"x")
    assert remove_stale_temporaries(tmp_path) == [tmp_path / names["dead"]]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        n for k, n in names.items() if k != "dead")
    assert remove_stale_temporaries(tmp_path / "missing") == []
    assert foreign_entries(tmp_path, lambda p: p.name == "a.h5") == [
        tmp_path / names["old style"]]


def test_json_ready_turns_numpy_and_torch_values_into_python():
    value = {1: np.float32(0.5), "n": np.int64(3), "t": torch.tensor([1, 2]),
             "a": np.arange(4).reshape(2, 2), "nested": (np.bool_(True), None, "x")}
    plain = json_ready(value)
    assert plain == {"1": 0.5, "n": 3, "t": [1, 2], "a": [[0, 1], [2, 3]],
                     "nested": [True, None, "x"]}
    assert type(plain["n"]) is int and type(plain["1"]) is float
    json.dumps(plain)  # would raise on anything left over


def test_json_ready_strict_names_the_bad_value_and_lax_keeps_it():
    with pytest.raises(TypeError, match="object"):
        json_ready({"x": object()})
    marker = object()
    assert json_ready([marker], strict=False) == [marker]


def test_record_metrics_merges_and_refuses_nan(tmp_path):
    record_metrics(tmp_path, accuracy=np.float64(0.25))
    merged = record_metrics(tmp_path, seconds=3)
    assert merged == {"accuracy": 0.25, "seconds": 3}
    with pytest.raises(ValueError, match="finite"):
        record_metrics(tmp_path, accuracy=float("nan"))
    stored = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    assert stored == {"accuracy": 0.25, "seconds": 3}
