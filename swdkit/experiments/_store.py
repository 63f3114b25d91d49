"""The results store: one JSON object per line, appended one finished run at a time.

Each line is a record ``{"settings": {...}, "results": {...}, "seconds": s, "versions": {...},
...}``. The store is crash-safe by construction:

* A record is appended with a single ``write`` of the complete line (newline included) on a file
  opened in append mode, then flushed and ``fsync``-ed before the next run is reported done. A kill
  at any moment therefore loses nothing that finished, and the worst an interruption can leave is
  one partial *last* line (a power cut in the middle of the write).
* :func:`read_store` reports such a partial last line, and any corrupt line elsewhere, with its
  line number, ignores it and loads the rest. A line that parses but is not a finished run's
  record (no numeric ``test_accuracy``, or settings without the fields the summaries read, see
  :data:`RECORD_FIELDS`) is reported and ignored the same way: the report skips it and the grid
  runs that run again. A record whose accuracy is not finite (NaN) is kept and noted. The next
  append starts on a fresh line, so a partial line never swallows a good record.
* Only one process appends (the grid runner's parent; workers send their results back through the
  executor), so there are no concurrent writers.

A run is known by the canonical key of its settings (:func:`swdkit.experiments.run_key`); the
runner skips keys already present. A key present twice (not produced by swdkit, but possible after
concatenating files by hand) is reported and its first record kept.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from swdkit._checks import is_integer, is_real
from swdkit.experiments._spec import run_key

# The settings every record must have: what summaries, figures and the report read.
RECORD_FIELDS = ("classes", "method", "n_labeled", "seed", "norm", "supcon")
# Scores of the SAR test confusion matrix: stored in a record's results since they were added,
# read again from its ``confusion`` in a record written before.
CONFUSION_SCORES = ("f1_per_class", "macro_f1", "kappa")


def _finite_or_none(value: Any) -> float | None:
    return float(value) if value is not None and math.isfinite(float(value)) else None


def confusion_scores(confusion: Any) -> dict[str, Any]:
    """``f1_per_class`` (list, None for a class without F1), ``macro_f1`` and ``kappa`` (None
    when undefined) of a ``(K, K)`` confusion matrix, ready for JSON (no NaN)."""
    from swdkit.train._evaluate import cohen_kappa, f1_per_class, macro_f1

    return {"f1_per_class": [_finite_or_none(v) for v in f1_per_class(confusion)],
            "macro_f1": _finite_or_none(macro_f1(confusion)),
            "kappa": _finite_or_none(cohen_kappa(confusion))}


def record_value(record: dict[str, Any], name: str) -> Any:
    """``record["results"][name]``, or None when the run did not record it.

    The :data:`CONFUSION_SCORES` of a record written before they were stored are read from its
    ``confusion`` (None when it has none either).
    """
    results = record["results"]
    value = results.get(name)
    if value is None and name in CONFUSION_SCORES and results.get("confusion"):
        value = confusion_scores(results["confusion"])[name]
    return value


def record_cities(record: dict[str, Any]) -> tuple[dict[str, float], dict[str, int]] | None:
    """The SAR test accuracy and sample count per test city of a run (``{city: value}`` each,
    cities as strings), or None when the run did not record them (records written before,
    or a test split without cities)."""
    results = record["results"]
    accuracy, counts = results.get("city_accuracy"), results.get("city_n")
    if not accuracy or not counts:
        return None
    return ({str(c): float(v) for c, v in accuracy.items()},
            {str(c): int(v) for c, v in counts.items()})


@dataclass(frozen=True)
class StoreProblem:
    """A line of the store that was not loaded: its 1-based number and why."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class StoreContents:
    """What :func:`read_store` found.

    Attributes:
        records: the good records, in file order, one per key.
        problems: the lines that were skipped, with their line numbers and the reason.
        lines: the line number of each record.
        notes: lines that were kept but deserve a warning (a non-finite ``test_accuracy``).
    """

    records: list[dict[str, Any]] = field(default_factory=list)
    problems: list[StoreProblem] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    notes: list[StoreProblem] = field(default_factory=list)

    def keys(self) -> set[str]:
        """The keys of the runs in the store."""
        return {run_key(r["settings"]) for r in self.records}


def _check_record(obj: Any) -> str | None:
    """Why ``obj`` is not a record, or None when it is one."""
    if not isinstance(obj, dict):
        return f"not a JSON object but {type(obj).__name__}"
    for name in ("settings", "results"):
        if not isinstance(obj.get(name), dict):
            return f"no '{name}' object"
    missing = [name for name in RECORD_FIELDS if name not in obj["settings"]]
    if missing:
        return f"settings without {', '.join(missing)}"
    if not is_integer(obj["settings"]["seed"]):
        return f"seed {obj['settings']['seed']!r} is not an integer"
    if not is_real(obj["results"].get("test_accuracy")):
        return f"test_accuracy {obj['results'].get('test_accuracy')!r} is not a number"
    return None


def read_store(path: str | os.PathLike) -> StoreContents:
    """Load every good record of a JSON-lines results file.

    A missing file is an empty store. Blank lines are skipped silently. A last line without its
    newline is an interrupted write and is reported as such, even if it happens to parse.

    Args:
        path: the results file.

    Returns:
        The records and the problems (see :class:`StoreContents`).
    """
    path = Path(path)
    contents = StoreContents()
    if not path.exists():
        return contents
    if path.is_dir():
        raise ValueError(f"results={str(path)!r} is a folder; give a file such as "
                         "build/experiments/reduced.jsonl")
    data = path.read_bytes()
    lines = data.split(b"\n")
    # After the last newline comes either b"" (a complete file) or a partial line.
    partial = lines.pop()
    seen: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        _add_line(contents, seen, number, raw)
    if partial.strip():
        contents.problems.append(StoreProblem(
            len(lines) + 1, "incomplete last line (no newline: a write was interrupted); ignored"))
    return contents


def _add_line(contents: StoreContents, seen: dict[str, int], number: int, raw: bytes) -> None:
    try:
        obj = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        contents.problems.append(StoreProblem(number, f"not valid JSON ({err}); ignored"))
        return
    why = _check_record(obj)
    if why is not None:
        contents.problems.append(StoreProblem(number, f"not a run record ({why}); ignored"))
        return
    key = run_key(obj["settings"])
    if key in seen:
        contents.problems.append(StoreProblem(
            number, f"the same run as line {seen[key]} (same settings); the first is kept"))
        return
    seen[key] = number
    contents.records.append(obj)
    contents.lines.append(number)
    accuracy = obj["results"]["test_accuracy"]
    if not math.isfinite(accuracy):
        contents.notes.append(StoreProblem(
            number, f"test_accuracy is {accuracy} (a diverged run?); kept, so the mean of its "
            "cell is not a number either"))


def append_record(path: str | os.PathLike, record: dict[str, Any]) -> None:
    """Append one record as one line, durably.

    The line is encoded first and written with a single ``os.write`` on a descriptor opened with
    ``O_APPEND``; then the file is ``fsync``-ed. If the file does not end with a newline (a partial
    line left by an earlier crash), the record is preceded by one so that it starts a line of its
    own.

    Args:
        path: the results file; it and its folder are created when missing.
        record: a JSON-serialisable dict with ``settings`` and ``results`` objects.

    Raises:
        ValueError: ``record`` is not a run record or not JSON-serialisable.
    """
    why = _check_record(record)
    if why is not None:
        raise ValueError(f"record is not a run record ({why}); it needs 'settings' (with "
                         f"{', '.join(RECORD_FIELDS)}) and 'results' (with a numeric "
                         "test_accuracy) objects")
    try:
        line = json.dumps(record, sort_keys=True, allow_nan=False) + "\n"
    except (TypeError, ValueError) as err:
        raise ValueError(f"record cannot be stored as JSON ({err}); convert numpy or torch "
                         "values to plain numbers and keep them finite") from err
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = line.encode("utf-8")
    if _needs_newline(path):
        payload = b"\n" + payload
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
    try:
        written = 0
        while written < len(payload):  # a regular file takes it in one go; loop for safety
            written += os.write(fd, payload[written:])
        os.fsync(fd)
    finally:
        os.close(fd)


def _needs_newline(path: Path) -> bool:
    """True when the file exists, is non-empty and its last byte is not a newline."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            if handle.tell() == 0:
                return False
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) != b"\n"
    except FileNotFoundError:
        return False
