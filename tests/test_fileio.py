"""Crash-safe writing and JSON conversion (swdkit.fileio) and notebook metrics."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from swdkit.fileio import atomic_path, json_ready, write_json_atomic, write_text_atomic
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
