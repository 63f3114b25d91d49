"""The one axes helper of every figure: use the axes given, or make a figure with new ones.

Figures are made outside pyplot by default (a ``matplotlib.figure.Figure``), so nothing is kept
in global state and a notebook shows a returned figure once. matplotlib is imported only here,
when a figure is made.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def figure_axes(axes: Any = None, n: int = 1, *, ncols: int | None = None,
                panel: tuple[float, float] = (4.5, 4.0),
                figsize: tuple[float, float] | None = None, layout: str | None = "constrained",
                pyplot: bool = False, **subplots_kw: Any) -> tuple[Any, np.ndarray]:
    """``(figure, axes)`` for a figure of ``n`` panels: the given axes, or a new figure.

    Args:
        axes: one Axes or any array of exactly ``n`` of them (drawn into as given; their
            figure is returned), or None for a new figure.
        n: the number of panels.
        ncols: panels per row of a new figure (default ``n``: one row); the rows are
            ``ceil(n / ncols)`` and the cells beyond ``n`` are hidden.
        panel: ``(width, height)`` in inches of one cell of a new figure.
        figsize: the whole new figure's size instead of ``panel`` times the grid.
        layout: the new figure's layout engine (None: fixed positions, which are faster to
            draw; place them with ``gridspec_kw``).
        pyplot: make the new figure through pyplot, so ``plt.show()`` shows it.
        **subplots_kw: passed to ``Figure.subplots`` (``width_ratios``, ``gridspec_kw``, ...).

    Returns:
        The figure and an object array of shape ``(n,)`` with its first ``n`` axes, row by row.

    Raises:
        ValueError: ``axes`` does not hold exactly ``n`` axes.
    """
    if axes is not None:
        given = np.atleast_1d(np.asarray(axes, dtype=object)).ravel()
        if len(given) != n:
            raise ValueError(f"this figure needs {n} axes; got {len(given)}.")
        return given[0].figure, given
    ncols = n if ncols is None else ncols
    nrows = -(-n // ncols)
    size = figsize if figsize is not None else (panel[0] * ncols, panel[1] * nrows)
    if pyplot:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=size, layout=layout)
    else:
        from matplotlib.figure import Figure

        fig = Figure(figsize=size, layout=layout)
    cells = np.asarray(fig.subplots(nrows, ncols, squeeze=False, **subplots_kw),
                       dtype=object).ravel()
    for extra in cells[n:]:
        extra.set_visible(False)
    return fig, cells[:n]
