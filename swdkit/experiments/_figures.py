"""The seed paper's three figures, drawn from a results store.

* :func:`figure_accuracy_vs_labels` (its Figure 1): SAR test accuracy against the number of
  labeled SAR samples, one panel per class set, mean and standard error over seeds for SWD
  transfer, fine-tuning and SAR-only (and any other method asked for), chance as a dotted line.
* :func:`figure_norm` (Figure 2): the same axes, batch norm (dashed) against instance norm
  (solid) for fine-tuning and SWD transfer.
* :func:`figure_supcon` (Figure 3): EO pretraining with SupCon (solid) and without (dashed) on
  ``lowrise``.

Each takes store records (``read_store(path).records``), returns a matplotlib figure, or None when
the store has no runs for it. The x axis is categorical (32, 128, 1024, full): "full" is a
different count per class set. Matplotlib is imported when a figure is drawn.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from swdkit.experiments._spec import FULL
from swdkit.experiments._summary import summarize
from swdkit.views._axes import figure_axes

N_CLASSES = {"lowrise": 4, "urban": 10, "all": 17}
LABELS = {"sar_only": "SAR only", "finetune": "fine-tuning", "swd": "SWD transfer",
          "mmd": "MMD transfer", "coral": "CORAL transfer", "max_sliced": "max-sliced SW",
          "semisup": "SWD + semi-sup. contrastive"}
COLORS = {"sar_only": "tab:gray", "finetune": "tab:orange", "swd": "tab:blue", "mmd": "tab:green",
          "coral": "tab:purple", "max_sliced": "tab:brown", "semisup": "tab:red"}


def _n_order(value: Any) -> float:
    return math.inf if value == FULL else float(value)


def _select(rows: list[dict[str, Any]], **where: Any) -> list[dict[str, Any]]:
    return [r for r in rows if all(r.get(k) == v for k, v in where.items())]


def _series(rows: list[dict[str, Any]], xs: list[Any], **where: Any
            ) -> tuple[list[int], list[float], list[float]]:
    """Positions, means and standard errors (in percent) of the rows matching ``where``."""
    pos, means, sems = [], [], []
    for i, n in enumerate(xs):
        found = _select(rows, n_labeled=n, **where)
        if len(found) > 1:
            raise ValueError(f"the records hold {len(found)} different settings for {where} at "
                             f"n_labeled={n} (different data or training config); select the "
                             "records of one grid before drawing")
        if found:
            pos.append(i)
            means.append(100 * found[0]["mean"])
            sems.append(100 * (found[0]["sem"] or 0.0))
    return pos, means, sems


def _panels(class_sets: Sequence[str], title: str) -> tuple[Any, list[Any]]:
    fig, axes = figure_axes(None, len(class_sets), panel=(4.2, 3.6), layout=None, pyplot=True)
    fig.suptitle(title)
    return fig, list(axes)


def _decorate(ax: Any, xs: list[Any], classes: str) -> None:
    ax.set_xticks(range(len(xs)), [str(x) for x in xs])
    ax.set_xlim(-0.5, len(xs) - 0.5)
    ax.set_xlabel("labeled SAR samples")
    ax.set_ylabel("SAR test accuracy (%)")
    ax.set_title(f"{classes} ({N_CLASSES.get(classes, '?')} classes)")
    if classes in N_CLASSES:
        ax.axhline(100 / N_CLASSES[classes], color="black", lw=0.8, ls=":", label="chance")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)


def _draw(records: Iterable[dict[str, Any]], *, lines: list[tuple[str, dict[str, Any], str]],
          class_sets: Sequence[str] | None, title: str) -> Any:
    rows = summarize(records)
    wanted = [dict(where) for _, where, _ in lines]
    used = [r for r in rows if any(all(r.get(k) == v for k, v in w.items()) for w in wanted)]
    if not used:
        return None
    present = {r["classes"] for r in used}
    order = [c for c in ("lowrise", "urban", "all") if c in present]
    class_sets = [c for c in (class_sets or order) if c in present]
    if not class_sets:
        return None
    fig, axes = _panels(class_sets, title)
    for ax, classes in zip(axes, class_sets, strict=True):
        xs = sorted({r["n_labeled"] for r in used if r["classes"] == classes}, key=_n_order)
        for j, (label, where, style) in enumerate(lines):
            pos, means, sems = _series(rows, xs, classes=classes, **where)
            shift = 0.04 * (j - (len(lines) - 1) / 2)  # keep error bars apart
            if pos:
                ax.errorbar([p + shift for p in pos], means, yerr=sems, label=label, ls=style,
                            marker="o" if style == "-" else "s", ms=4, capsize=3,
                            color=COLORS.get(where.get("method")))
        _decorate(ax, xs, classes)
    fig.tight_layout()
    return fig


def figure_accuracy_vs_labels(records: Iterable[dict[str, Any]], *,
                              methods: Sequence[str] = ("swd", "finetune", "sar_only"),
                              norm: str = "instance", supcon: bool = False,
                              class_sets: Sequence[str] | None = None) -> Any:
    """Figure 1: accuracy against n_labeled per class set, mean +- standard error over seeds."""
    lines = [(LABELS.get(m, m), {"method": m, "norm": norm, "supcon": supcon}, "-")
             for m in methods]
    return _draw(records, lines=lines, class_sets=class_sets,
                 title=f"SAR accuracy vs labeled SAR samples ({norm} norm)")


def figure_norm(records: Iterable[dict[str, Any]], *,
                methods: Sequence[str] = ("finetune", "swd"), supcon: bool = False,
                class_sets: Sequence[str] | None = None) -> Any:
    """Figure 2: batch norm (dashed) against instance norm (solid) for each method."""
    records = list(records)
    if not any(r["settings"]["norm"] == "batch" for r in records):
        return None
    lines = []
    for m in methods:
        lines.append((f"{LABELS.get(m, m)}, instance", {"method": m, "norm": "instance",
                                                       "supcon": supcon}, "-"))
        lines.append((f"{LABELS.get(m, m)}, batch", {"method": m, "norm": "batch",
                                                    "supcon": supcon}, "--"))
    batch_sets = {r["settings"]["classes"] for r in records if r["settings"]["norm"] == "batch"}
    return _draw(records, lines=lines, class_sets=class_sets or sorted(
        batch_sets, key=("lowrise", "urban", "all").index), title="Batch vs instance norm")


def figure_supcon(records: Iterable[dict[str, Any]], *, methods: Sequence[str] = ("swd",),
                  norm: str = "instance", class_sets: Sequence[str] = ("lowrise",)) -> Any:
    """Figure 3: EO pretraining with SupCon (solid) and without (dashed)."""
    records = list(records)
    if not any(r["settings"]["supcon"] for r in records):
        return None
    lines = []
    for m in methods:
        lines.append((f"{LABELS.get(m, m)}, SupCon EO", {"method": m, "norm": norm,
                                                        "supcon": True}, "-"))
        lines.append((f"{LABELS.get(m, m)}, CE-only EO", {"method": m, "norm": norm,
                                                         "supcon": False}, "--"))
    return _draw(records, lines=lines, class_sets=class_sets,
                 title="EO pretraining with and without SupCon")
