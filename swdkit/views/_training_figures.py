"""Figures of training results: confusion matrices and runs compared epoch by epoch.

Small matplotlib helpers shared by notebooks 02-04. Each draws on the ``ax`` given, or on a new
figure made outside pyplot, and returns the figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from swdkit.views._axes import figure_axes


def readable_log_yaxis(ax: Any) -> None:
    """Plain tick labels on a log y axis (0.2, 0.5, 1, not 2x10^-1), minor ticks unlabelled.

    Over two decades or less the major ticks are 1, 2 and 5 times each power of ten, so a narrow
    range still has a few labelled ticks; the minor ticks never carry labels, which would overlap.
    """
    from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter

    low, high = ax.get_ylim()
    if 0 < low and high < 100 * low:
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FormatStrFormatter("%.3g"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def plot_confusion(confusion: Any, class_names: Sequence[str], *, ax: Any = None,
                   title: str | None = None) -> Any:
    """A confusion matrix as row-normalised shares, with the share and the count in each cell.

    The colour scale runs from 0 to the largest share in the matrix (not to 1), so a matrix of
    a run well below 100 % still shows its strong and weak cells apart.

    Args:
        confusion: ``(K, K)`` counts, rows = true class, columns = predicted class.
        class_names: the K names (shortened to their first two words on the axes).
        ax: axes to draw on.
        title: the axes title.
    """
    conf = np.asarray(confusion, dtype=np.float64)
    k = len(class_names)
    if conf.shape != (k, k):
        raise ValueError(f"confusion must have shape ({k}, {k}) for {k} class names, got "
                         f"{conf.shape}")
    fig, (ax,) = figure_axes(ax, figsize=(1.2 + 0.55 * k, 1.0 + 0.5 * k))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.nan_to_num(conf / conf.sum(axis=1, keepdims=True))
    top = max(float(share.max()), 1e-9)
    ax.imshow(share, vmin=0, vmax=top, cmap="viridis")
    if k <= 12:
        size = 8 if k <= 6 else 6
        for i in range(k):
            for j in range(k):
                ax.text(j, i, f"{share[i, j]:.0%}\n({int(conf[i, j])})", ha="center",
                        va="center", fontsize=size,
                        color="black" if share[i, j] > 0.6 * top else "white")
    short = [" ".join(name.split()[:2]) for name in class_names]
    ax.set_xticks(range(k), short, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(k), short, fontsize=7)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class (row shares, counts)")
    if title:
        ax.set_title(title, fontsize=9)
    return fig


def plot_runs(histories: Mapping[str, Sequence[Mapping[str, Any]]], key: str, *,
              ax: Any = None, ylabel: str | None = None, chance: float | None = None,
              logy: bool = False, styles: Mapping[str, Mapping[str, Any]] | None = None,
              legend: bool = True) -> Any:
    """One history key (e.g. ``"val_accuracy"``) against epoch, one line per named run.

    Args:
        histories: run name -> per-epoch dicts (a ``TrainResult.history``).
        key: the entry to draw; runs without it are skipped.
        ax: axes to draw on.
        ylabel: the y label (default ``key``).
        chance: draws a dashed line at this value (e.g. 1/K for accuracies).
        logy: logarithmic y axis.
        styles: run name -> keyword arguments of ``Axes.plot`` (``color``, ``linestyle``...),
            so that several panels draw each run alike; runs not named take the colour cycle.
        legend: draw the legend on the axes (False: leave it to the caller, e.g. one
            figure legend outside the panels).
    """
    fig, (ax,) = figure_axes(ax, figsize=(5.0, 3.4))
    drawn = 0
    for name, history in histories.items():
        points = [(h["epoch"], h[key]) for h in history if key in h]
        if points:
            style = {"marker": ".", **dict((styles or {}).get(name, {}))}
            ax.plot(*zip(*points, strict=True), label=name, **style)
            drawn += 1
    if not drawn:
        raise ValueError(f"no run has the history entry {key!r}")
    if chance is not None:
        ax.axhline(chance, color="grey", linestyle="--", linewidth=1, label="chance")
    if logy:
        ax.set_yscale("log")
        readable_log_yaxis(ax)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel or key)
    if legend:
        ax.legend(fontsize=7)
    return fig
