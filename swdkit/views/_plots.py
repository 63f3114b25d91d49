"""Figures of the alignment lesson: alignment curves and UMAP frames of the embeddings.

Every function takes an optional matplotlib ``Axes`` (or an array of them for multi-panel
figures) and returns the ``Figure`` it drew on. Without axes a new ``matplotlib.figure.Figure``
is made outside pyplot (:func:`swdkit.views._axes.figure_axes`), so nothing is kept in global
state and a notebook shows the figure once (return it, or ``display(fig)``). UMAP frames come
from :func:`swdkit.views.embed_snapshots`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from swdkit._checks import check_choice, check_value
from swdkit.views._axes import figure_axes
from swdkit.views._training_figures import readable_log_yaxis

DOMAIN_COLORS = {"EO": "tab:blue", "SAR": "tab:orange"}
DOMAIN_MARKERS = {"EO": "o", "SAR": "^"}
COLOR_BY = ("domain", "class")


def class_colors(n_classes: int) -> list[Any]:
    """``n_classes`` distinct colours, none of them a domain colour (:data:`DOMAIN_COLORS`).

    Up to eight classes: tab10 without its blue and orange (EO and SAR); more: tab20b, whose
    twenty colours hold no tab10 blue or orange either. So a figure that shows EO/SAR in blue and
    orange in one panel and classes in the next never gives a colour two meanings.
    """
    from matplotlib import colormaps

    if n_classes <= 8:
        cmap = colormaps["tab10"]
        return [cmap(2 + i) for i in range(n_classes)]
    cmap = colormaps["tab20b"]
    return [cmap(i % cmap.N) for i in range(n_classes)]


def _curve_values(run: Sequence[Any], *, relative: bool = False,
                  accuracy_key: str = "sar_accuracy") -> tuple[np.ndarray, np.ndarray,
                                                                np.ndarray]:
    """Epochs, SW (raw, or relative to the EO cloud's variance) and an accuracy from snapshots
    (attributes) or history dicts."""
    rows = list(run)
    if not rows:
        raise ValueError("no snapshots or history rows to plot; pass a run's snapshots or its "
                         "history (dicts with epoch, sw_probe or sw, sar_accuracy).")

    def get(r: Any, *names: str) -> float:
        for n in names:
            v = r.get(n) if isinstance(r, Mapping) else getattr(r, n, None)
            if v is not None:
                return float(v)
        return float("nan")

    def sw_of(r: Any) -> float:
        if not relative:
            return get(r, "sw", "sw_probe")
        if get(r, "sw_relative") == get(r, "sw_relative"):  # not NaN: recorded in a history
            return get(r, "sw_relative")
        eo = getattr(r, "eo", None)  # a snapshot: SW over the mean per-dimension EO variance
        if eo is None:
            return float("nan")
        return get(r, "sw") / max(float(np.asarray(eo, dtype=np.float64).var(axis=0).mean()),
                                  1e-12)

    epochs = np.array([get(r, "epoch") for r in rows])
    return epochs, np.array([sw_of(r) for r in rows]), \
        np.array([get(r, accuracy_key) for r in rows])


def plot_alignment_curves(runs: Sequence[Any] | Mapping[str, Sequence[Any]], *,
                          axes: Any = None, chance: float | None = None, relative: bool = False,
                          accuracy_key: str = "sar_accuracy",
                          accuracy_label: str = "SAR probe accuracy") -> Any:
    """SW between the domains (left, log scale) and SAR accuracy (right) against epoch.

    Args:
        runs: one run (snapshots, or history dicts with ``sw``/``sw_probe`` and
            ``sar_accuracy``), or a mapping name -> run to overlay several.
        axes: two axes to draw into.
        chance: draws a dashed "chance" line at this accuracy (e.g. ``1 / K``).
        relative: draw SW relative to the EO cloud's size, ``SW_2^2 / mean_d Var(z_eo[:, d])``
            (a history's ``sw_relative``, or computed from a snapshot's EO embeddings), which
            falls only when the clouds move onto each other, not when both shrink.
        accuracy_key: which accuracy to draw (e.g. a history's ``"val_accuracy"``).
        accuracy_label: its axis label.
    """
    from matplotlib.ticker import MaxNLocator

    named = dict(runs) if isinstance(runs, Mapping) else {"": runs}
    fig, (ax_sw, ax_acc) = figure_axes(axes, 2, panel=(4.8, 3.6))
    for name, run in named.items():
        epochs, sw, acc = _curve_values(run, relative=relative, accuracy_key=accuracy_key)
        ax_sw.plot(epochs, sw, marker=".", label=name or None)
        ax_acc.plot(epochs, acc, marker=".", label=name or None)
    if chance is not None:
        ax_acc.axhline(chance, color="grey", linestyle="--", linewidth=1, label="chance")
    for ax in (ax_sw, ax_acc):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    sw_label = ("SW₂² / EO variance on the probe" if relative
                else "SW₂²(EO, SAR) on the probe")
    ax_sw.set(xlabel="epoch (0: before the SAR phase)", ylabel=sw_label,
              title="domain gap" + (" relative to the EO scale" if relative else ""))
    ax_acc.set(xlabel="epoch (0: before the SAR phase)", ylabel=accuracy_label,
               title="SAR accuracy", ylim=(0, 1))
    ax_sw.set_yscale("log")
    readable_log_yaxis(ax_sw)  # minor ticks unlabelled: no overlap
    if len(named) > 1 or chance is not None:
        ax_acc.legend(fontsize=7)
    return fig


def plot_embedding(frames: Any, epoch: int, *, color_by: str = "domain", ax: Any = None,
                   class_names: Sequence[str] | None = None, title: str | None = None) -> Any:
    """One UMAP frame: EO circles and SAR triangles, coloured by domain or by class.

    Args:
        frames: :class:`swdkit.views.EmbeddingFrames`, coordinates ``(E, n + m, 2)``.
        epoch: which frame (an epoch present in ``frames.epochs``).
        color_by: ``"domain"`` (EO blue, SAR orange) or ``"class"`` (one colour per class;
            the marker still tells the domain).
        ax: axes to draw on. The axis limits cover every frame, so frames compare.
        class_names: legend names for ``color_by="class"``.
        title: axes title; default names the epoch, SW and SAR accuracy.
    """
    check_choice("color_by", color_by, COLOR_BY)
    i = frames.index_of(epoch)
    xy, n = frames.coords[i], frames.n_eo
    parts = (("EO", slice(0, n)), ("SAR", slice(n, None)))
    fig, (ax,) = figure_axes(ax)
    if color_by == "domain":
        for name, rows in parts:
            ax.scatter(xy[rows, 0], xy[rows, 1], s=9.0, c=DOMAIN_COLORS[name],
                       marker=DOMAIN_MARKERS[name], alpha=0.7, linewidths=0, label=name)
    else:
        k = int(frames.labels.max()) + 1
        colors = class_colors(k)
        for name, rows in parts:
            ax.scatter(xy[rows, 0], xy[rows, 1], s=9.0,
                       c=[colors[c] for c in frames.labels[rows]],
                       marker=DOMAIN_MARKERS[name], alpha=0.7, linewidths=0)
        for c in range(k):
            label = class_names[c] if class_names is not None else f"class {c}"
            ax.scatter([], [], s=20, c=[colors[c]], label=label)
    (x0, x1), (y0, y1) = frames.limits()
    ax.set(xlim=(x0, x1), ylim=(y0, y1), xticks=[], yticks=[], xlabel="UMAP 1",
           ylabel="UMAP 2")
    if title is None:
        title = (f"epoch {int(frames.epochs[i])}: SW {frames.sw[i]:.3g}, "
                 f"SAR acc {frames.sar_accuracy[i]:.0%}")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="best", markerscale=1.5)
    return fig


def plot_embedding_views(frames: Any, epoch: int, *, class_names: Sequence[str] | None = None,
                         axes: Any = None) -> Any:
    """The same UMAP frame twice, side by side: coloured by domain and by class."""
    fig, (a, b) = figure_axes(axes, 2)
    plot_embedding(frames, epoch, color_by="domain", ax=a)
    plot_embedding(frames, epoch, color_by="class", ax=b, class_names=class_names,
                   title="by class (circle EO, triangle SAR)")
    return fig


def plot_class_alignment(frames: Any, epoch: int, *, class_names: Sequence[str] | None = None,
                         stats: Sequence[Mapping[str, Any]] | None = None,
                         axes: Any = None) -> Any:
    """One small panel per class: its EO and SAR points in colour, all others in grey.

    Args:
        frames: :class:`swdkit.views.EmbeddingFrames`.
        epoch: which frame.
        class_names: panel titles.
        stats: per-class rows from :func:`swdkit.views.per_class_alignment` for the
            same epoch; their SW and centroid accuracy go into the titles.
        axes: K axes (one per class) to draw into; a new figure has two panels a row up to
            four classes, then three, each large enough to read at a notebook's width.
    """
    i = frames.index_of(epoch)
    xy, labels = frames.coords[i], frames.labels
    k = int(labels.max()) + 1
    fig, axes = figure_axes(axes, k, ncols=min(k, 2 if k <= 4 else 3), panel=(4.4, 4.0))
    (x0, x1), (y0, y1) = frames.limits()
    domain = frames.domains
    for c, ax in enumerate(axes):
        ax.scatter(xy[:, 0], xy[:, 1], s=3.6, c="0.85", linewidths=0)
        for d, name in enumerate(("EO", "SAR")):
            sel = (labels == c) & (domain == d)
            ax.scatter(xy[sel, 0], xy[sel, 1], s=16.0, c=DOMAIN_COLORS[name],
                       marker=DOMAIN_MARKERS[name], alpha=0.8, linewidths=0,
                       label=f"{name}, this class")
        title = class_names[c] if class_names is not None else f"class {c}"
        if stats is not None:
            row = stats[c]
            sw = "n/a" if row["sw"] is None else f"{row['sw']:.3g}"
            acc = "n/a" if row["centroid_accuracy"] is None else f"{row['centroid_accuracy']:.0%}"
            title += f"\nSW {sw}, SAR near own EO {acc}"
        ax.set(xlim=(x0, x1), ylim=(y0, y1), xticks=[], yticks=[], xlabel="UMAP 1",
               ylabel="UMAP 2")
        ax.set_title(title, fontsize=10)
    axes[0].scatter([], [], s=9.0, c="0.85", label="other classes")
    axes[0].legend(fontsize=8)
    return fig


def figure_png(fig: Any, *, dpi: int = 80) -> bytes:
    """The figure rendered as PNG bytes (what the widgets show and cache)."""
    import io

    dpi = check_value("dpi", dpi, "positive integer")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
