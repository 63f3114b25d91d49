"""The JSON-lines results store: durable appends, corrupt and partial lines, duplicates."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from swdkit.experiments import _store as results_store
from swdkit.experiments._store import append_record, read_store


def _record(seed, acc=0.5, method="swd"):
    return {"settings": {"method": method, "seed": seed, "classes": "lowrise", "n_labeled": 32,
                         "norm": "instance", "supcon": False},
            "results": {"test_accuracy": acc}, "seconds": 1.0}


def test_round_trip_keeps_order_and_values(tmp_path):
    path = tmp_path / "sub" / "r.jsonl"
    records = [_record(s, acc=0.1 * s) for s in range(4)]
    for r in records:
        append_record(path, r)
    contents = read_store(path)
    assert contents.problems == []
    assert contents.records == records
    assert path.read_text(encoding="utf-8").count("\n") == 4


def test_missing_file_is_an_empty_store(tmp_path):
    contents = read_store(tmp_path / "none.jsonl")
    assert contents.records == [] and contents.problems == []


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(ValueError, match="is a folder"):
        read_store(tmp_path)


def test_each_record_is_one_write_of_a_whole_line_then_fsync(tmp_path, monkeypatch):
    calls = []
    real_write, real_fsync = os.write, os.fsync
    monkeypatch.setattr(results_store.os, "write",
                        lambda fd, data: calls.append(("write", bytes(data))) or
                        real_write(fd, data))
    monkeypatch.setattr(results_store.os, "fsync",
                        lambda fd: calls.append(("fsync", None)) or real_fsync(fd))
    append_record(tmp_path / "r.jsonl", _record(0))
    assert [c[0] for c in calls] == ["write", "fsync"]
    line = calls[0][1]
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line) == _record(0)


def test_corrupt_lines_are_reported_with_numbers_and_the_rest_loads(tmp_path):
    path = tmp_path / "r.jsonl"
    good = [_record(s) for s in range(3)]
    lines = [json.dumps(good[0]), "{not json", json.dumps(good[1]), "[1, 2]", "",
             json.dumps({"settings": {"seed": 9}}), json.dumps(good[2])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    contents = read_store(path)
    assert contents.records == good
    assert [p.line for p in contents.problems] == [2, 4, 6]
    assert "not valid JSON" in contents.problems[0].reason
    assert "not a JSON object" in contents.problems[1].reason
    assert "no 'results' object" in contents.problems[2].reason
    assert str(contents.problems[0]).startswith("line 2:")


def test_partial_last_line_is_reported_and_the_next_append_starts_a_new_line(tmp_path):
    path = tmp_path / "r.jsonl"
    append_record(path, _record(0))
    append_record(path, _record(1))
    whole = json.dumps(_record(2))
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(whole[: len(whole) // 2])  # a write cut short by a crash
    contents = read_store(path)
    assert contents.records == [_record(0), _record(1)]
    assert len(contents.problems) == 1 and contents.problems[0].line == 3
    assert "incomplete last line" in contents.problems[0].reason

    append_record(path, _record(3))
    contents = read_store(path)
    assert contents.records == [_record(0), _record(1), _record(3)]
    assert [p.line for p in contents.problems] == [3]
    assert "not valid JSON" in contents.problems[0].reason


def test_a_complete_last_line_without_newline_still_counts_as_interrupted(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(_record(0)) + "\n" + json.dumps(_record(1)), encoding="utf-8")
    contents = read_store(path)
    assert contents.records == [_record(0)]
    assert contents.problems[0].line == 2


def test_duplicate_runs_keep_the_first(tmp_path):
    path = tmp_path / "r.jsonl"
    append_record(path, _record(0, acc=0.3))
    append_record(path, _record(1))
    append_record(path, _record(0, acc=0.9))
    contents = read_store(path)
    assert [r["results"]["test_accuracy"] for r in contents.records] == [0.3, 0.5]
    assert contents.problems[0].line == 3 and "same run as line 1" in contents.problems[0].reason
    assert len(contents.keys()) == 2


@pytest.mark.parametrize(("record", "words"), [
    ({"settings": {}}, "no 'results' object"),
    ({"settings": {"seed": 0}, "results": {"test_accuracy": 0.5}}, "settings without classes"),
    ({**_record(0), "results": {"test_accuracy": "0.5"}}, "test_accuracy '0.5' is not a number"),
    ({**_record(0), "results": {"test_accuracy": float("nan")}}, "keep them finite"),
    ({**_record(0), "results": {"test_accuracy": 0.5, "a": object()}},
     "cannot be stored as JSON"),
])
def test_append_refuses_bad_records_and_writes_nothing(tmp_path, record, words):
    path = tmp_path / "r.jsonl"
    with pytest.raises(ValueError, match=words):
        append_record(path, record)
    assert not path.exists()


LEGACY_STORE = Path(__file__).parent / "fixtures" / "legacy" / "results_518f4e2.jsonl"


def test_a_store_written_before_the_relayout_still_loads_and_summarizes():
    from swdkit.experiments import paired_differences, parse_grid, read_store, run_key, summarize

    contents = read_store(LEGACY_STORE)  # written by the code of commit 518f4e2
    assert contents.problems == []
    assert [r["settings"]["method"] for r in contents.records] == ["sar_only", "swd"]
    keys = [run_key(r["settings"]) for r in contents.records]
    assert len(set(keys)) == 2 and contents.keys() == set(keys)
    # Today's grid gives the same settings the same keys, so a resumed grid skips these runs
    # (the store recorded instance norm, the default then; today's default is batch).
    spec = parse_grid({"config": {"preset": "ci"}, "blocks": [
        {"methods": ["sar_only", "swd"], "classes": "lowrise", "n_labeled": 32, "seeds": 0,
         "norm": "instance"}]})
    assert {run_key(s) for s in spec.runs()} == set(keys)
    rows = summarize(contents.records)
    assert [(r["method"], r["n"], r["sem"]) for r in rows] == [("sar_only", 1, None),
                                                               ("swd", 1, None)]
    assert [r["mean"] for r in rows] == pytest.approx([0.5741740693571046, 0.5522063971264288])
    (paired,) = paired_differences(contents.records, a="swd", b="sar_only")
    assert paired["n"] == 1 and paired["unpaired"] == 0
    assert paired["mean"] == pytest.approx(0.5522063971264288 - 0.5741740693571046)
