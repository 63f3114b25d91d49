"""Where and why a notebook run by the runner failed, for its log line and ``summary.json``.

Cell numbers are 1-based positions in the executed copy (the parameters cell papermill injects
counts), the numbers a reader sees when opening it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def describe_error(err: Exception) -> dict[str, Any]:
    """Where and why a notebook failed, from papermill's error (cell numbers are 1-based)."""
    info: dict[str, Any] = {"type": type(err).__name__, "message": str(err).strip()[-2000:]}
    for attr in ("cell_index", "exec_count", "ename", "evalue"):
        if getattr(err, attr, None) is not None:
            info[attr] = getattr(err, attr)
    if "cell_index" in info:
        info["cell"] = int(info["cell_index"]) + 1
    return info


def _cell_number(executed: Path, cell: Any) -> int | None:
    """The 1-based number of ``cell`` in the executed copy (found by its id, else its source)."""
    import nbformat

    try:
        cells = nbformat.read(executed, as_version=4).cells
    except Exception:  # an unreadable copy: the number is a nicety, not worth failing over
        return None
    for same in (lambda c: cell.get("id") is not None and c.get("id") == cell.get("id"),
                 lambda c: c.get("source") == cell.get("source")):
        for index, candidate in enumerate(cells):
            if same(candidate):
                return index + 1
    return None


def timeout_error(executed: Path, cell: Any, timeout: float) -> dict[str, Any]:
    """The ``error`` entry of a notebook stopped at its time limit, naming the cell."""
    number = _cell_number(executed, cell) if cell is not None else None
    first = (cell.get("source") or "").strip().splitlines()[:1] if cell is not None else []
    quoted = f" ({first[0][:60]!r})" if first else ""
    info: dict[str, Any] = {
        "type": "Timeout", "ename": "Timeout", "timeout": timeout,
        "evalue": f"the notebook ran past its time limit of {timeout:g} s{quoted}; give it "
                  "more time with --timeout SECONDS (0: no limit) or smaller parameters"}
    info["message"] = info["evalue"]
    if number is not None:
        info["cell"] = number
    return info
