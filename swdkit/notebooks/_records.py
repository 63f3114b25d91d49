"""What a notebook leaves behind for people and for the runner: metrics and figures.

Each lesson notebook has an ``out_dir`` parameter. Its key numbers go to
``out_dir/metrics.json`` (read by ``swdkit notebooks`` into ``summary.json`` and asserted on by
the tests) and its figures to ``out_dir/<name>.png`` beside the executed notebook.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from swdkit.fileio import atomic_path, json_ready, write_json_atomic

METRICS_FILE = "metrics.json"


def record_metrics(out_dir: str | os.PathLike, **metrics: Any) -> dict[str, Any]:
    """Merge ``metrics`` into ``out_dir/metrics.json`` (written atomically) and return them all.

    Values may be Python or numpy/torch numbers, strings, bools, lists or dicts of those.
    Non-finite floats are refused: a NaN accuracy is a bug to report, not a number to keep.

    Example:
        >>> record_metrics("build/notebooks/02", eo_test_accuracy=0.91)  # doctest: +SKIP
    """
    out = Path(out_dir)
    path = out / METRICS_FILE
    current: dict[str, Any] = {}
    if path.exists():
        current = json.loads(path.read_text(encoding="utf-8"))
    for name, value in metrics.items():
        plain = json_ready(value)
        if isinstance(plain, float) and not math.isfinite(plain):
            raise ValueError(f"metric {name!r} is {plain}; record only finite numbers")
        current[name] = plain
    write_json_atomic(path, current)
    return current


def load_metrics(out_dir: str | os.PathLike) -> dict[str, Any]:
    """Read ``out_dir/metrics.json``; an empty dict when the notebook recorded nothing."""
    path = Path(out_dir) / METRICS_FILE
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


FIGURE_AXES_KEY = "swdkit-axes"  # PNG text chunk: what each panel of a saved figure shows
CHANCE = "chance"  # the gid or legend label of a chance line


def describe_figure(fig: Any) -> dict[str, Any]:
    """What a reader needs from each panel of ``fig``, as plain data (checked by the tests).

    Returns:
        ``{"suptitle": str, "axes": [...]}`` with, per axes: ``title``, ``xlabel``, ``ylabel``,
        ``axis_on`` (False for a picture shown without axes), ``colorbar`` (a colour bar's
        axes), ``chance_line`` (a line whose gid or label is ``"chance"``, e.g. from
        ``ax.axhline(0.25, label="chance")``) and ``legend`` (the legend's entries).
    """
    suptitle = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) is not None else ""
    panels = []
    for ax in fig.get_axes():
        lines = list(ax.get_lines()) + list(ax.collections)
        legend = ax.get_legend()
        panels.append({
            "title": ax.get_title() or ax.get_title("left") or ax.get_title("right"),
            "xlabel": ax.get_xlabel(),
            "ylabel": ax.get_ylabel(),
            "axis_on": bool(ax.axison),
            "colorbar": hasattr(ax, "_colorbar"),
            "chance_line": any(CHANCE in (str(a.get_gid() or ""), str(a.get_label()))
                               for a in lines),
            "legend": [t.get_text() for t in legend.get_texts()] if legend else [],
        })
    return {"suptitle": suptitle, "axes": panels}


def read_figure_description(path: str | os.PathLike) -> dict[str, Any] | None:
    """The :func:`describe_figure` record stored in a PNG by :func:`save_figure` (None: none)."""
    from PIL import Image

    with Image.open(path) as image:
        text = getattr(image, "text", {}).get(FIGURE_AXES_KEY)
    return None if text is None else json.loads(text)


def save_figure(fig: Any, out_dir: str | os.PathLike, name: str, *, dpi: int = 110) -> Path:
    """Save a matplotlib figure as ``out_dir/<name>.png`` (atomically) and return the path.

    The PNG carries :func:`describe_figure`'s record in its ``swdkit-axes`` text chunk, so a test
    can check every saved figure's titles, axis labels and chance lines without looking at it.
    """
    path = Path(out_dir) / f"{name}.png"
    meta = {"Title": name, FIGURE_AXES_KEY: json.dumps(describe_figure(fig))}
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight", format="png", metadata=meta)
    return path


def figure_problems(description: dict[str, Any]) -> list[str]:
    """What a saved figure lacks for a reader, from :func:`describe_figure`'s record.

    The rules: the figure has a title (a suptitle, or a title on every panel); every panel that
    shows axes (not a picture with its axes off, not a colour bar) labels both axes; every panel
    whose title or axis labels mention accuracy draws a chance line. Empty list: nothing lacks.
    """
    panels = [p for p in description["axes"] if not p["colorbar"]]
    problems = []
    if not description["suptitle"] and not all(p["title"] for p in panels):
        problems.append("no title: set fig.suptitle(...) or a title on every panel")
    for i, panel in enumerate(panels):
        name = f"panel {i} ({panel['title'] or 'untitled'})"
        if panel["axis_on"] and not (panel["xlabel"] and panel["ylabel"]):
            problems.append(f"{name}: label both axes, with units (or turn its axes off for a "
                            "picture)")
        text = " ".join((panel["title"], panel["xlabel"], panel["ylabel"])).lower()
        if panel["axis_on"] and "accuracy" in text and not panel["chance_line"]:
            problems.append(f"{name}: shows accuracy without a chance line (a line labelled "
                            "'chance')")
    return problems
