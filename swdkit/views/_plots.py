"""Figures for the lessons: patches, learning curves, alignment curves and embedding views.

Every function takes an optional matplotlib ``Axes`` (or an array of them for multi-panel
figures) and returns the ``Figure`` it drew on. Without axes a new ``matplotlib.figure.Figure``
is made outside pyplot, so nothing is kept in global state and a notebook shows the figure
once (return it, or ``display(fig)``). UMAP frames come from
:func:`swdkit.views.embed_snapshots`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

DOMAIN_COLORS = {"EO": "tab:blue", "SAR": "tab:orange"}
DOMAIN_MARKERS = {"EO": "o", "SAR": "^"}
COLOR_BY = ("domain", "class")


def _new_axes(ax: Any, ncols: int = 1, *, width: float = 4.5, height: float = 4.0):
    """``(fig, axes)`` from the given axes, or a fresh pyplot-free figure with ``ncols`` axes."""
    from matplotlib.figure import Figure

    if ax is not None:
        axes = np.atleast_1d(ax).ravel()
        if len(axes) != ncols:
            raise ValueError(f"this plot needs {ncols} axes; got {len(axes)}.")
        return axes[0].figure, axes
    fig = Figure(figsize=(width * ncols, height), layout="constrained")
    return fig, np.atleast_1d(fig.subplots(1, ncols)).ravel()


def class_colors(n_classes: int) -> list[Any]:
    """``n_classes`` distinct colours (tab10, then tab20 beyond ten classes)."""
    from matplotlib import colormaps

    cmap = colormaps["tab10" if n_classes <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n_classes)]


def _display_patch(img: np.ndarray) -> np.ndarray:
    """Stretch one image to [0, 1] between its 2nd and 98th percentiles (for display only)."""
    lo, hi = np.percentile(img, [2, 98])
    return np.clip((img - lo) / (hi - lo + 1e-12), 0.0, 1.0)


def plot_patches(eo: np.ndarray, sar: np.ndarray, labels: np.ndarray,
                 class_names: Sequence[str] | None = None, *, per_class: int = 2,
                 axes: Any = None) -> Any:
    """EO true-colour patches beside SAR amplitude patches, ``per_class`` examples per class.

    Args:
        eo: ``(N, 3, 32, 32)`` RGB (any scaling; each patch is stretched for display).
        sar: ``(N, 2, 32, 32)`` VV real and imaginary; shown as log amplitude
            log(1 + sqrt(re^2 + im^2)) after removing the per-patch minimum.
        labels: ``(N,)`` class indices.
        class_names: names for the row titles.
        per_class: examples per class (columns: EO, SAR pairs).
        axes: an array of shape ``(K, 2 * per_class)`` to draw into.
    """
    from matplotlib.figure import Figure

    eo, sar, labels = np.asarray(eo), np.asarray(sar), np.asarray(labels)
    if eo.ndim != 4 or eo.shape[1] != 3 or sar.ndim != 4 or sar.shape[1] != 2:
        raise ValueError(f"eo must be (N, 3, H, W) and sar (N, 2, H, W); got {eo.shape} and "
                         f"{sar.shape}.")
    if not (len(eo) == len(sar) == len(labels)):
        raise ValueError(f"eo, sar and labels need the same N; got {len(eo)}, {len(sar)}, "
                         f"{len(labels)}.")
    classes = np.unique(labels)
    ncols = 2 * per_class
    if axes is None:
        fig = Figure(figsize=(1.3 * ncols + 1, 1.3 * len(classes)), layout="constrained")
        axes = np.atleast_2d(fig.subplots(len(classes), ncols, squeeze=False))
    axes = np.asarray(axes).reshape(len(classes), ncols)
    for row, c in enumerate(classes):
        picks = np.flatnonzero(labels == c)[:per_class]
        for k in range(per_class):
            ax_eo, ax_sar = axes[row, 2 * k], axes[row, 2 * k + 1]
            for ax in (ax_eo, ax_sar):
                ax.set_xticks([])
                ax.set_yticks([])
            if k >= len(picks):
                continue
            i = picks[k]
            ax_eo.imshow(_display_patch(np.transpose(eo[i], (1, 2, 0))))
            amplitude = np.log1p(np.hypot(sar[i, 0], sar[i, 1]))
            ax_sar.imshow(_display_patch(amplitude), cmap="gray")
            if row == 0:
                ax_eo.set_title("EO", fontsize=8)
                ax_sar.set_title("SAR", fontsize=8)
        name = class_names[int(c)] if class_names is not None else f"class {int(c)}"
        axes[row, 0].set_ylabel(name, fontsize=8)
    return axes[0, 0].figure


def plot_history(history: Sequence[Mapping[str, Any]], keys: Sequence[str] | None = None, *,
                 ax: Any = None, logy: bool = False) -> Any:
    """Learning curves: each numeric ``keys`` entry of per-epoch dicts against ``epoch``.

    Args:
        history: a list of per-epoch dicts with ``epoch`` and numbers (a ``TrainResult.history``).
        keys: which entries to draw; default every numeric entry except ``epoch``.
        ax: axes to draw on.
        logy: logarithmic y axis (for losses spanning decades).
    """
    rows = list(history)
    if not rows:
        raise ValueError("history is empty; pass the per-epoch dicts of a training run.")
    if keys is None:
        keys = [k for k in rows[0] if k != "epoch" and isinstance(rows[0][k], (int, float))
                and not isinstance(rows[0][k], bool)]
    missing = [k for k in keys if all(k not in r for r in rows)]
    if missing:
        raise ValueError(f"history has no entry {missing}; it has {sorted(rows[0])}.")
    fig, (ax,) = _new_axes(ax, width=5.5)
    epochs = [r.get("epoch", i) for i, r in enumerate(rows)]
    for k in keys:
        pts = [(e, r[k]) for e, r in zip(epochs, rows, strict=True) if r.get(k) is not None]
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=".", label=k)
    ax.set_xlabel("epoch")
    if logy:
        ax.set_yscale("log")
    ax.legend(fontsize=8)
    return fig


def _curve_values(run: Sequence[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Epochs, SW and SAR accuracy from snapshots (attributes) or history dicts."""
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

    epochs = np.array([get(r, "epoch") for r in rows])
    return epochs, np.array([get(r, "sw", "sw_probe") for r in rows]), \
        np.array([get(r, "sar_accuracy") for r in rows])


def plot_alignment_curves(runs: Sequence[Any] | Mapping[str, Sequence[Any]], *,
                          axes: Any = None, logy: bool = True) -> Any:
    """SW between the domains (left) and SAR probe accuracy (right) against epoch.

    Args:
        runs: one run (snapshots, or history dicts with ``sw``/``sw_probe`` and
            ``sar_accuracy``), or a mapping name -> run to overlay several.
        axes: two axes to draw into.
        logy: logarithmic SW axis.
    """
    named = dict(runs) if isinstance(runs, Mapping) else {"": runs}
    fig, (ax_sw, ax_acc) = _new_axes(axes, 2, width=4.2, height=3.2)
    for name, run in named.items():
        epochs, sw, acc = _curve_values(run)
        ax_sw.plot(epochs, sw, marker=".", label=name or None)
        ax_acc.plot(epochs, acc, marker=".", label=name or None)
    from matplotlib.ticker import MaxNLocator

    for ax in (ax_sw, ax_acc):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax_sw.set(xlabel="epoch", ylabel="SW₂²(EO, SAR) on the probe", title="domain gap")
    ax_acc.set(xlabel="epoch", ylabel="SAR probe accuracy", title="SAR accuracy", ylim=(0, 1))
    if logy:
        ax_sw.set_yscale("log")
    if len(named) > 1:
        ax_acc.legend(fontsize=7)
    return fig


def plot_embedding(frames: Any, epoch: int, *, color_by: str = "domain", ax: Any = None,
                   class_names: Sequence[str] | None = None, title: str | None = None,
                   point_size: float = 9.0, legend: bool = True) -> Any:
    """One UMAP frame: EO circles and SAR triangles, coloured by domain or by class.

    Args:
        frames: :class:`swdkit.views.EmbeddingFrames`.
        epoch: which frame (an epoch present in ``frames.epochs``).
        color_by: ``"domain"`` (EO blue, SAR orange) or ``"class"`` (one colour per class;
            the marker still tells the domain).
        ax: axes to draw on. The axis limits cover every frame, so frames compare.
        class_names: legend names for ``color_by="class"``.
        title: axes title; default names the epoch, SW and SAR accuracy.
        point_size: marker area.
        legend: draw a legend.
    """
    if color_by not in COLOR_BY:
        raise ValueError(f"color_by must be one of {COLOR_BY}; got {color_by!r}.")
    i = frames.index_of(epoch)
    xy, n = frames.coords[i], frames.n_eo
    fig, (ax,) = _new_axes(ax)
    if color_by == "domain":
        for name, sl in (("EO", slice(0, n)), ("SAR", slice(n, None))):
            ax.scatter(xy[sl, 0], xy[sl, 1], s=point_size, c=DOMAIN_COLORS[name],
                       marker=DOMAIN_MARKERS[name], alpha=0.7, linewidths=0, label=name)
    else:
        k = int(frames.labels.max()) + 1
        colors = class_colors(k)
        for name, sl in (("EO", slice(0, n)), ("SAR", slice(n, None))):
            lab = frames.labels[sl]
            ax.scatter(xy[sl, 0], xy[sl, 1], s=point_size, c=[colors[c] for c in lab],
                       marker=DOMAIN_MARKERS[name], alpha=0.7, linewidths=0)
        for c in range(k):
            label = class_names[c] if class_names is not None else f"class {c}"
            ax.scatter([], [], s=20, c=[colors[c]], label=label)
    (x0, x1), (y0, y1) = frames.limits()
    ax.set(xlim=(x0, x1), ylim=(y0, y1), xticks=[], yticks=[])
    if title is None:
        title = (f"epoch {int(frames.epochs[i])}: SW {frames.sw[i]:.3g}, "
                 f"SAR acc {frames.sar_accuracy[i]:.0%}")
    ax.set_title(title, fontsize=9)
    if legend:
        ax.legend(fontsize=7, loc="best", markerscale=1.5)
    return fig


def plot_embedding_views(frames: Any, epoch: int, *, class_names: Sequence[str] | None = None,
                         axes: Any = None) -> Any:
    """The same UMAP frame twice, side by side: coloured by domain and by class."""
    fig, (a, b) = _new_axes(axes, 2)
    plot_embedding(frames, epoch, color_by="domain", ax=a)
    plot_embedding(frames, epoch, color_by="class", ax=b, class_names=class_names,
                   title="by class (circle EO, triangle SAR)")
    return fig


def plot_class_alignment(frames: Any, epoch: int, *, class_names: Sequence[str] | None = None,
                         stats: Sequence[Mapping[str, Any]] | None = None,
                         axes: Any = None, point_size: float = 9.0) -> Any:
    """One small panel per class: its EO and SAR points in colour, all others in grey.

    Args:
        frames: :class:`swdkit.views.EmbeddingFrames`.
        epoch: which frame.
        class_names: panel titles.
        stats: per-class rows from :func:`swdkit.views.per_class_alignment` for the
            same epoch; their SW and centroid accuracy go into the titles.
        axes: K axes to draw into.
    """
    from matplotlib.figure import Figure

    i = frames.index_of(epoch)
    xy, labels = frames.coords[i], frames.labels
    k = int(labels.max()) + 1
    if axes is None:
        ncols = min(k, 5)
        nrows = -(-k // ncols)
        fig = Figure(figsize=(2.6 * ncols, 2.6 * nrows), layout="constrained")
        axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
        for extra in axes[k:]:
            extra.set_visible(False)
    axes = np.atleast_1d(axes).ravel()
    if len(axes) < k:
        raise ValueError(f"plot_class_alignment needs {k} axes (one per class); got {len(axes)}.")
    (x0, x1), (y0, y1) = frames.limits()
    domain = frames.domains
    for c, ax in zip(range(k), axes[:k], strict=True):
        ax.scatter(xy[:, 0], xy[:, 1], s=point_size * 0.4, c="0.85", linewidths=0)
        for d, name in enumerate(("EO", "SAR")):
            sel = (labels == c) & (domain == d)
            ax.scatter(xy[sel, 0], xy[sel, 1], s=point_size, c=DOMAIN_COLORS[name],
                       marker=DOMAIN_MARKERS[name], alpha=0.8, linewidths=0, label=name)
        title = class_names[c] if class_names is not None else f"class {c}"
        if stats is not None:
            row = stats[c]
            sw = "n/a" if row["sw"] is None else f"{row['sw']:.3g}"
            acc = "n/a" if row["centroid_accuracy"] is None else f"{row['centroid_accuracy']:.0%}"
            title += f"\nSW {sw}, SAR near own EO {acc}"
        ax.set(xlim=(x0, x1), ylim=(y0, y1), xticks=[], yticks=[])
        ax.set_title(title, fontsize=8)
    axes[0].legend(fontsize=7)
    return axes[0].figure


def figure_png(fig: Any, *, dpi: int = 80) -> bytes:
    """The figure rendered as PNG bytes (what the widgets show and cache)."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
