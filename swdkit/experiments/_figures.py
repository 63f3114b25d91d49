"""The seed paper's three figures, drawn from a results store.

* :func:`figure_accuracy_vs_labels` (its Figure 1): SAR test accuracy against the number of
  labeled SAR samples, one panel per class set, mean and standard error over seeds for SWD
  transfer, fine-tuning and SAR-only (and any other method asked for), at one normalisation
  (by default the one most of these runs used), chance as a dotted line.
* :func:`figure_norm` (Figure 2): the same axes, batch norm (dashed, square markers) against
  instance norm (solid, round markers) for fine-tuning and SWD transfer, each in a colour of its
  own.
* :func:`figure_supcon` (Figure 3): EO pretraining with SupCon (solid) and without (dashed) on
  ``lowrise``, each in a colour of its own.

Each takes store records (``read_store(path).records``), returns a matplotlib figure, or None when
the store has no runs for it; Figures 2 and 3 draw only the label counts measured both ways (both
norms; with and without SupCon), so every point there has its partner. The x axis is categorical
(32, 128, 1024, full): "full" is a different count per class set; a method drawn at one count
only is a point, not a line, and a title speaks of line styles only when some series has a line
to style. "full" is labelled with the number of labels it meant (``full (800)``), read from the
records' ``n_labeled_used``. Every panel has a title, both axes labelled (accuracy in percent), a
chance line labelled "chance" and a legend below it naming each line; the y range always
includes chance and spans at least :data:`MIN_SPAN` points, so a small gap is not blown up to
fill the panel. The suptitle says how many seeds each error bar (one standard error) stands on.
Matplotlib is imported when a figure is drawn.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from swdkit.experiments._spec import FULL
from swdkit.experiments._summary import summarize
from swdkit.models import DEFAULT_NORM
from swdkit.views._axes import figure_axes

N_CLASSES = {"lowrise": 4, "urban": 10, "all": 17}
LABELS = {"sar_only": "SAR only", "finetune": "fine-tuning", "swd": "SWD transfer",
          "mmd": "MMD transfer", "coral": "CORAL transfer", "max_sliced": "max-sliced SW",
          "wasserstein": "exact W2 transfer", "semisup": "SWD + semi-sup. contrastive",
          "known_pairs": "known pairs (control)"}
COLORS = {"sar_only": "tab:gray", "finetune": "tab:orange", "swd": "tab:blue", "mmd": "tab:green",
          "coral": "tab:purple", "max_sliced": "tab:brown", "semisup": "tab:red",
          "known_pairs": "tab:olive", "wasserstein": "goldenrod"}
# Figures 2 and 3: the second variant of a method (batch norm; no SupCon) in a colour of its own
SECOND_COLORS = {"sar_only": "black", "finetune": "tab:brown", "swd": "tab:cyan",
                 "mmd": "tab:olive", "coral": "tab:pink", "max_sliced": "tab:olive",
                 "semisup": "tab:pink", "known_pairs": "tab:green", "wasserstein": "khaki"}
MIN_SPAN = 10.0  # the smallest y range of a panel, in accuracy points


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
    fig, axes = figure_axes(None, len(class_sets), panel=(4.4, 4.2), layout=None, pyplot=True)
    fig.suptitle(title)
    return fig, list(axes)


def _seeds_text(counts: set[int]) -> str:
    if not counts:
        return ""
    low, high = min(counts), max(counts)
    seeds = f"{low} seed" if low == high == 1 else (
        f"{low} seeds" if low == high else f"{low}-{high} seeds")
    return f"mean ± 1 SE over {seeds}" if high > 1 else "one seed each, no error bars"


def _full_counts(records: Iterable[dict[str, Any]]) -> dict[str, set[int]]:
    """Class set -> the label counts "full" meant in its runs (``n_labeled_used``)."""
    counts: dict[str, set[int]] = {}
    for r in records:
        used = r.get("results", {}).get("n_labeled_used")
        if r["settings"]["n_labeled"] == FULL and used is not None:
            counts.setdefault(r["settings"]["classes"], set()).add(int(used))
    return counts


def _tick(value: Any, full: set[int]) -> str:
    if value != FULL or not full:
        return str(value)
    return f"full ({min(full)})" if len(full) == 1 else f"full ({min(full)}-{max(full)})"


def _decorate(ax: Any, xs: list[Any], classes: str, spans: list[tuple[float, float]],
              n_lines: int, full: set[int] | None = None) -> None:
    ax.set_xticks(range(len(xs)), [_tick(x, full or set()) for x in xs])
    ax.set_xlim(-0.5, len(xs) - 0.5)
    ax.set_xlabel("labeled SAR samples (per class set)")
    ax.set_ylabel("SAR test accuracy (%)")
    ax.set_title(f"{classes} ({N_CLASSES.get(classes, '?')} classes)")
    if classes in N_CLASSES:
        chance = 100 / N_CLASSES[classes]
        ax.axhline(chance, color="black", lw=0.8, ls=":", label="chance")
        spans = spans + [(chance, chance)]
    if spans:  # include chance and every error bar; at least MIN_SPAN points, within 0-100
        low, high = min(s[0] for s in spans), max(s[1] for s in spans)
        pad = max(0.1 * (high - low), (MIN_SPAN - (high - low)) / 2, 1.0)
        low, high = max(0.0, low - pad), min(100.0, high + pad)
        ax.set_ylim(low, high)
    ax.grid(alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: labels[i] == "chance")  # chance last
    ax.legend([handles[i] for i in order], [labels[i] for i in order], fontsize=7,
              loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2 if n_lines > 2 else 1,
              frameon=False)


def _draw(records: Iterable[dict[str, Any]], *,
          lines: list[tuple[str, dict[str, Any], str, str | None]],
          class_sets: Sequence[str] | None, title: str, title_points: str | None = None) -> Any:
    """Draw ``lines`` (label, selection, line style, colour or None for the method's).

    ``title_points`` replaces ``title`` when no series has two points (so no line is drawn and
    a title naming line styles would describe nothing).
    """
    records = list(records)
    rows = summarize(records)
    full_counts = _full_counts(records)
    wanted = [dict(where) for _, where, _, _ in lines]
    used = [r for r in rows if any(all(r.get(k) == v for k, v in w.items()) for w in wanted)]
    if not used:
        return None
    present = {r["classes"] for r in used}
    order = [c for c in ("lowrise", "urban", "all") if c in present]
    class_sets = [c for c in (class_sets or order) if c in present]
    if not class_sets:
        return None
    fig, axes = _panels(class_sets, title)
    seeds: set[int] = set()
    longest = 0  # the most points of one series: 1 means no line was drawn
    for ax, classes in zip(axes, class_sets, strict=True):
        xs = sorted({r["n_labeled"] for r in used if r["classes"] == classes}, key=_n_order)
        spans, drawn = [], 0
        for j, (label, where, style, color) in enumerate(lines):
            pos, means, sems = _series(rows, xs, classes=classes, **where)
            shift = 0.04 * (j - (len(lines) - 1) / 2)  # keep error bars apart
            if pos:
                longest = max(longest, len(pos))
                ax.errorbar([p + shift for p in pos], means, yerr=sems, label=label, ls=style,
                            marker="o" if style == "-" else "s", ms=4, capsize=3,
                            color=color or COLORS.get(where.get("method")))
                spans += [(m - e, m + e) for m, e in zip(means, sems, strict=True)
                          if math.isfinite(m) and math.isfinite(e)]
                seeds |= {r["n"] for r in _select(rows, classes=classes, **where)
                          if r["n_labeled"] in xs}
                drawn += 1
        _decorate(ax, xs, classes, spans, drawn + 1, full_counts.get(classes))
    if longest < 2 and title_points is not None:
        title = title_points
    note = _seeds_text(seeds)
    fig.suptitle(f"{title}\n{note}" if note else title)
    fig.tight_layout()
    return fig


def _most_used_norm(records: list[dict[str, Any]], **where: Any) -> str:
    """The norm of most records matching ``where`` (values may be tuples of allowed values);
    ties go to :data:`swdkit.models.DEFAULT_NORM`."""
    counts: dict[str, int] = {}
    for r in records:
        s = r["settings"]
        if all(s.get(k) in (v if isinstance(v, tuple) else (v,)) for k, v in where.items()):
            counts[s["norm"]] = counts.get(s["norm"], 0) + 1
    if not counts:
        return DEFAULT_NORM
    return max(counts, key=lambda n: (counts[n], n == DEFAULT_NORM))


def figure_accuracy_vs_labels(records: Iterable[dict[str, Any]], *,
                              methods: Sequence[str] = ("swd", "finetune", "sar_only"),
                              norm: str | None = None, supcon: bool = False,
                              class_sets: Sequence[str] | None = None) -> Any:
    """Figure 1: accuracy against n_labeled per class set, mean +- standard error over seeds.

    ``norm=None`` draws the normalisation most of these methods' runs used (a grid's blocks
    that name no norm run :data:`swdkit.models.DEFAULT_NORM`); the title names it.
    """
    records = list(records)
    if norm is None:
        norm = _most_used_norm(records, method=tuple(methods), supcon=supcon)
    lines = [(LABELS.get(m, m), {"method": m, "norm": norm, "supcon": supcon}, "-", None)
             for m in methods]
    return _draw(records, lines=lines, class_sets=class_sets,
                 title=f"SAR accuracy vs labeled SAR samples ({norm} norm)")


def _measured_both(records: list[dict[str, Any]], factor: str, levels: tuple[Any, Any],
                   methods: Sequence[str], **where: Any) -> list[dict[str, Any]]:
    """The records of (class set, n_labeled) pairs where some method of ``methods`` has runs
    at both ``levels`` of ``factor`` (matching ``where``): a comparison figure draws only those."""
    seen: dict[Any, set[Any]] = {}
    for r in records:
        s = r["settings"]
        if s["method"] in methods and s[factor] in levels and all(
                s.get(k) == v for k, v in where.items()):
            seen.setdefault((s["classes"], s["n_labeled"], s["method"]), set()).add(s[factor])
    both = {(c, n) for (c, n, _), found in seen.items() if len(found) == 2}
    return [r for r in records if (r["settings"]["classes"], r["settings"]["n_labeled"]) in both]


def figure_norm(records: Iterable[dict[str, Any]], *,
                methods: Sequence[str] = ("finetune", "swd"), supcon: bool = False,
                class_sets: Sequence[str] | None = None) -> Any:
    """Figure 2: batch norm (dashed) against instance norm (solid) for each method, at the label
    counts measured with both norms (None when there are none)."""
    records = _measured_both(list(records), "norm", ("batch", "instance"), methods,
                             supcon=supcon)
    if not records:
        return None
    lines = []
    for m in methods:
        lines.append((f"{LABELS.get(m, m)}, instance", {"method": m, "norm": "instance",
                                                       "supcon": supcon}, "-", None))
        lines.append((f"{LABELS.get(m, m)}, batch", {"method": m, "norm": "batch",
                                                    "supcon": supcon}, "--",
                      SECOND_COLORS.get(m)))
    batch_sets = {r["settings"]["classes"] for r in records if r["settings"]["norm"] == "batch"}
    return _draw(records, lines=lines, class_sets=class_sets or sorted(
        batch_sets, key=("lowrise", "urban", "all").index),
        title="Batch norm (dashed, squares) vs instance norm (solid, circles)",
        title_points="Batch norm (squares) vs instance norm (circles)")


def figure_supcon(records: Iterable[dict[str, Any]], *, methods: Sequence[str] = ("swd",),
                  norm: str | None = None, class_sets: Sequence[str] = ("lowrise",)) -> Any:
    """Figure 3: EO pretraining with SupCon (solid) and without (dashed), at the label counts
    measured both ways (None when there are none).

    ``norm=None`` draws the normalisation most of these methods' SupCon runs used.
    """
    records = list(records)
    if not any(r["settings"]["supcon"] for r in records):
        return None
    if norm is None:
        norm = _most_used_norm(records, method=tuple(methods), supcon=True)
    records = _measured_both(records, "supcon", (True, False), methods, norm=norm)
    if not records:
        return None
    lines = []
    for m in methods:
        lines.append((f"{LABELS.get(m, m)}, SupCon EO", {"method": m, "norm": norm,
                                                        "supcon": True}, "-", None))
        lines.append((f"{LABELS.get(m, m)}, CE-only EO", {"method": m, "norm": norm,
                                                         "supcon": False}, "--",
                      SECOND_COLORS.get(m)))
    return _draw(records, lines=lines, class_sets=class_sets,
                 title="EO pretraining with SupCon (solid, circles) and without\n"
                       f"(dashed, squares), {norm} norm",
                 title_points="EO pretraining with SupCon (circles) and without (squares),\n"
                              f"{norm} norm")
