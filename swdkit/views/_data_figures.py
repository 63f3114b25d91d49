"""Figures for the data lesson: what the two sensors record, class by class, and how scaling
changes the SAR values.

Each sample is shown with the display helpers of :mod:`swdkit.views._display`: EO in true
colour, SAR as amplitude in dB and as phase. Every plotting function takes optional axes and
returns the matplotlib ``Figure``; without axes it makes a new ``matplotlib.figure.Figure``
outside pyplot, so no global state is kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from swdkit._checks import check_value
from swdkit.views._axes import figure_axes
from swdkit.views._display import (
    DEFAULT_PERCENTILES,
    check_channels,
    rgb_image,
    sar_amplitude_db,
    sar_phase,
    stretch,
    stretch_limits,
)

GALLERY_COLUMNS = ("EO RGB", "SAR |VV| (dB)", "SAR phase of VV")


def gallery_indices(labels: Any, n_classes: int, per_class: int, *, seed: int) -> list[np.ndarray]:
    """Up to ``per_class`` sample indices of each class 0..n_classes-1, drawn with ``seed``.

    Returns:
        A list of ``n_classes`` increasing int64 arrays; a class with fewer samples gives all
        it has (possibly none).

    Raises:
        TypeError: ``n_classes`` or ``per_class`` is not an integer.
        ValueError: either is below 1.
    """
    n_classes = check_value("n_classes", n_classes, "positive integer")
    per_class = check_value("per_class", per_class, "positive integer",
                            hint="the examples shown per class")
    y = np.asarray(labels)
    rng = np.random.default_rng(seed)
    picks = []
    for k in range(n_classes):
        members = np.flatnonzero(y == k)
        chosen = rng.choice(members, size=min(per_class, len(members)), replace=False)
        picks.append(np.sort(chosen).astype(np.int64))
    return picks


def gallery_mosaic(eo: Any, sar: Any, labels: Any, n_classes: int, *, per_class: int = 1,
                   seed: int = 0, percentiles: Sequence[float] = DEFAULT_PERCENTILES,
                   gap: int = 3) -> dict[str, Any]:
    """The class gallery as one RGB image: a row of tiles per class, 3 tiles per example.

    Tile ``(k, 3 j + c)`` shows example j of class k as c = 0: EO true colour
    (:func:`rgb_image`), c = 1: SAR amplitude in dB on a grey scale, c = 2: SAR phase on the
    cyclic ``twilight`` map over [-pi, pi]. The EO and amplitude stretches are shared by the
    whole gallery (computed over every shown value), so brightness compares across classes.
    Tiles are separated by ``gap`` white pixels; a class without samples leaves white tiles.

    Args:
        eo: ``(N, 3, H, W)`` raw EO (B4, B3, B2).
        sar: ``(N, 2, H, W)`` raw SAR (VV real, imaginary).
        labels: ``(N,)`` class indices 0..n_classes-1.
        n_classes: K, the number of rows.
        per_class: examples per class, chosen by :func:`gallery_indices` with ``seed``.
        percentiles: the display stretch of EO and amplitude.
        gap: white pixels between tiles.

    Returns:
        ``{"image": float (K (H + gap) - gap, 3 P (W + gap) - gap, 3) in [0, 1],
        "picks": list of K index arrays, "eo_limits": (lo, hi), "db_limits": (lo, hi),
        "tile": (H, W), "gap": gap}``.
    """
    from matplotlib import colormaps

    eo = check_channels("eo", eo, 3, "B4 red, B3 green, B2 blue")
    sar = check_channels("sar", sar, 2, "VV real, VV imaginary")
    y = np.asarray(labels)
    if eo.ndim != 4 or sar.ndim != 4 or not len(eo) == len(sar) == len(y):
        raise ValueError(f"eo (N, 3, H, W), sar (N, 2, H, W) and labels (N,) must hold the same "
                         f"N samples; got shapes {eo.shape}, {sar.shape}, {y.shape}")
    gap = check_value("gap", gap, "integer >= 0", hint="white pixels between tiles")
    picks = gallery_indices(y, n_classes, per_class, seed=seed)
    shown = np.concatenate(picks)
    if shown.size == 0:
        raise ValueError(f"no sample of any class to show; labels must lie in 0..{n_classes - 1}")
    eo_limits = stretch_limits(eo[shown], percentiles)
    db_limits = stretch_limits(sar_amplitude_db(sar[shown]), percentiles)
    h, w = eo.shape[-2:]
    ncols = 3 * per_class
    image = np.ones((n_classes * (h + gap) - gap, ncols * (w + gap) - gap, 3))
    gray, cyclic = colormaps["gray"], colormaps["twilight"]
    for k, rows in enumerate(picks):
        for j, i in enumerate(rows):
            tiles = (rgb_image(eo[i], limits=eo_limits),
                     gray(stretch(sar_amplitude_db(sar[i]), db_limits))[..., :3],
                     cyclic((sar_phase(sar[i]) + np.pi) / (2 * np.pi))[..., :3])
            for c, tile in enumerate(tiles):
                r0, c0 = k * (h + gap), (3 * j + c) * (w + gap)
                image[r0:r0 + h, c0:c0 + w] = tile
    return {"image": image, "picks": picks, "eo_limits": eo_limits, "db_limits": db_limits,
            "tile": (h, w), "gap": gap}


def plot_class_gallery(eo: Any, sar: Any, labels: Any, class_names: Sequence[str], *,
                       per_class: int = 1, seed: int = 0,
                       percentiles: Sequence[float] = DEFAULT_PERCENTILES,
                       title: str = "Each class seen by both sensors", ax: Any = None) -> Any:
    """One row per class: EO true colour, SAR amplitude (dB) and SAR phase of each example.

    Draws :func:`gallery_mosaic` as one image (fast even for 17 classes), with the class names
    on the left, the column names on top, axis labels that say what rows and columns are, a
    title, and colour bars for amplitude and phase.

    Args:
        eo, sar, labels: as for :func:`gallery_mosaic` (raw values).
        class_names: the K names, one row each, in label order.
        per_class, seed, percentiles: as for :func:`gallery_mosaic`.
        title: the panel's title.
        ax: one axes to draw into.

    Returns:
        The figure.
    """
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    mosaic = gallery_mosaic(eo, sar, labels, len(class_names), per_class=per_class, seed=seed,
                            percentiles=percentiles)
    (h, w), gap = mosaic["tile"], mosaic["gap"]
    fig, (axis,) = figure_axes(ax, figsize=(3.4 + 1.8 * per_class,
                                            0.8 + 0.6 * len(class_names)))
    axis.imshow(mosaic["image"], interpolation="nearest")
    names = [name if len(p) else f"{name} (no sample)"
             for name, p in zip(class_names, mosaic["picks"], strict=True)]
    axis.set_yticks(np.arange(len(class_names)) * (h + gap) + (h - 1) / 2, names, fontsize=7)
    axis.set_xticks(np.arange(3 * per_class) * (w + gap) + (w - 1) / 2,
                    list(GALLERY_COLUMNS) * per_class, fontsize=7, rotation=30, ha="left")
    axis.xaxis.tick_top()
    axis.tick_params(length=0)
    for spine in axis.spines.values():
        spine.set_visible(False)
    axis.set_ylabel("class (local climate zone)")
    axis.set_xlabel(f"{per_class} example(s) per class: EO true colour, SAR amplitude (dB), "
                    "SAR phase (rad)", fontsize=8)
    axis.set_title(title, fontsize=10)
    lo, hi = mosaic["db_limits"]
    fig.colorbar(ScalarMappable(Normalize(lo, hi), "gray"), ax=axis, location="right",
                 shrink=min(0.6, 2.5 / len(class_names)), label="SAR |VV| (dB)")
    fig.colorbar(ScalarMappable(Normalize(-np.pi, np.pi), "twilight"), ax=axis,
                 location="right", shrink=min(0.6, 2.5 / len(class_names)),
                 label="SAR phase (rad)")
    return fig


HISTOGRAM_RANGE_PERCENTILES = (0.01, 99.99)
"""Percentiles of the x range of :func:`plot_sar_histograms` (the far outliers are not drawn)."""


def plot_sar_histograms(raw: Any, normalized: Mapping[str, Any], *, channel: int = 0,
                        bins: int = 120, axes: Any = None) -> Any:
    """Histograms of one SAR channel before and after each normalisation (log-scaled counts).

    Each panel's title gives the standard deviation and the largest |value|. The x axis of each
    panel spans the 0.01th to 99.99th percentile of its values, so the bulk is not squeezed
    into one bin by a few far outliers; the values beyond that range are not drawn and their
    number is written in the title. Dashed lines mark the 1st and 99th percentiles (legend entry
    "P1 / P99"), so the heavy tail beyond them is visible. Every panel labels both axes (raw
    values in the file's units, normalised ones without a unit).

    Args:
        raw: ``(N, 2, H, W)`` SAR before normalisation.
        normalized: name -> ``(N, 2, H, W)`` the same samples after that normalisation.
        channel: 0 (VV real) or 1 (VV imaginary).
        bins: histogram bins per panel (over the drawn range).
        axes: ``1 + len(normalized)`` axes to draw into.

    Returns:
        The figure.
    """
    from matplotlib.ticker import LogLocator, NullLocator

    channel = check_value("channel", channel, "integer >= 0", hint="0 VV real, 1 VV imaginary")
    if channel > 1:
        raise ValueError(f"channel must be 0 (VV real) or 1 (VV imaginary), got {channel!r}")
    bins = check_value("bins", bins, "positive integer")
    panels = {"raw": raw, **dict(normalized)}
    fig, grid = figure_axes(axes, len(panels), figsize=(3.2 * len(panels) + 0.5, 3.8))
    label = ("VV real", "VV imaginary")[channel]
    for ax, (name, values) in zip(grid, panels.items(), strict=True):
        x = check_channels(name, values, 2, "VV real, VV imaginary")[..., channel, :, :]
        x = np.asarray(x, dtype=np.float64).ravel()
        low, high = (float(v) for v in np.percentile(x, HISTOGRAM_RANGE_PERCENTILES))
        if not high > low:  # a (nearly) constant channel: widen the range a little
            low, high = low - 0.5, high + 0.5
        counts, edges = np.histogram(x, bins=bins, range=(low, high))
        beyond = int(x.size - counts.sum())
        ax.stairs(counts, edges, fill=True, color="tab:orange" if name == "raw" else "tab:blue")
        ax.set_yscale("log")
        ax.set_ylim(bottom=0.5)
        ax.set_xlim(low, high)
        ax.yaxis.set_major_locator(LogLocator(numticks=5))
        ax.yaxis.set_minor_locator(NullLocator())  # fewer tick labels: faster layout
        for j, q in enumerate(np.percentile(x, [1, 99])):
            ax.axvline(q, color="k", linestyle="--", linewidth=0.8,
                       label="P1 / P99" if j == 0 else None)
        ax.legend(fontsize=7, loc="upper right", handlelength=1.5)
        ax.set_title(f"{name}\nstd {x.std():.3g}, max |x| {np.abs(x).max():.3g}\n"
                     f"x axis P0.01 to P99.99; {beyond:,} values beyond", fontsize=8)
        unit = "raw value, file units" if name == "raw" else "normalised, no unit"
        ax.set_xlabel(f"SAR {label} ({unit})")
        ax.set_ylabel("pixels (count, log scale)")
    return fig


def plot_class_counts(labels: Mapping[str, Any], class_names: Sequence[str], *,
                      annotate: bool = True, title: str = "Samples per class",
                      ax: Any = None) -> Any:
    """Samples per class, one group of horizontal bars per entry of ``labels``.

    Args:
        labels: name (e.g. ``"training"``) -> ``(N,)`` class indices 0..K-1.
        class_names: the K names (the y axis, first at the top).
        annotate: write each count at the end of its bar.
        title: the panel's title.
        ax: one axes to draw into.

    Returns:
        The figure.
    """
    from matplotlib.ticker import MaxNLocator

    k = len(class_names)
    fig, (axis,) = figure_axes(ax, figsize=(7.5, 0.9 + 0.28 * k * max(1, len(labels)) ** 0.5))
    height = 0.8 / max(1, len(labels))
    positions = np.arange(k)
    for j, (name, y) in enumerate(labels.items()):
        y = np.asarray(y)
        if y.size and (y.min() < 0 or y.max() >= k):
            raise ValueError(f"labels[{name!r}] must lie in 0..{k - 1} (one per class name); "
                             f"got values from {y.min()} to {y.max()}")
        counts = np.bincount(y.astype(np.int64), minlength=k)
        bars = axis.barh(positions + (j - (len(labels) - 1) / 2) * height, counts,
                         height=height, label=f"{name} ({y.size})")
        if annotate:
            axis.bar_label(bars, fontsize=6, padding=1)
    axis.set_yticks(positions, list(class_names), fontsize=7)
    axis.invert_yaxis()
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    axis.set_xlabel("samples (count)")
    axis.set_ylabel("class")
    axis.set_title(title, fontsize=10)
    axis.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # off the bars
    return fig
