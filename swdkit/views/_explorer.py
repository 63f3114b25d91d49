"""ipywidgets explorers for the lessons (ipywidgets is imported only when one is built).

- :class:`AlignmentExplorer`: an epoch slider over a run's UMAP frames, a colour-by toggle
  (domain / class) and a run chooser; the frames are fitted once, up front, and each picture is
  cached after it is first drawn, so moving the slider only swaps a PNG.
- :class:`swdkit.views.SWDPlayground` : the sliced-Wasserstein
  playground on two 2-D clouds.

Displaying either object shows the live widget in JupyterLab or Voila. The same output also
carries a PNG of the current picture, which is what a front end without widgets (papermill's
executed copy, nbconvert, GitHub) shows instead, so an executed notebook keeps a static figure
for the default slider positions.
"""

from __future__ import annotations

import base64
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from swdkit._checks import check_choice
from swdkit.views._axes import figure_axes
from swdkit.views._plots import COLOR_BY, figure_png, plot_embedding
from swdkit.views._snapshot_checks import check_runs
from swdkit.views._umap_frames import embed_snapshots


class LiveFigureWidget:
    """Shared plumbing: a status line, an output area holding a PNG, and a static fallback.

    Subclasses build ``self.controls`` (a list of widgets) and implement :meth:`state` (a
    hashable description of what the controls show), :meth:`draw` (a Figure for that state) and
    :meth:`status_html`.
    """

    dpi = 90
    max_cached = 512  # pictures kept (each a few tens of kB)

    def _build(self, controls: list[Any], css_class: str) -> None:
        """Lay out ``controls``, a status line and the picture; ``css_class`` names the box.

        The CSS classes (``css_class`` on the box, ``swdkit-status`` on the status line) give
        browser tests and custom styles a stable handle.
        """
        import ipywidgets as widgets

        self._png: dict[Any, bytes] = {}
        self.controls = controls
        self.status = widgets.HTML()
        self.status.add_class("swdkit-status")
        self.output = widgets.Output()
        self.widget = widgets.VBox([widgets.HBox(controls), self.status, self.output])
        self.widget.add_class(css_class)
        for control in controls:
            control.observe(self._on_change, names="value")
        self.render()

    def state(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def draw(self, state: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def status_html(self, state: Any) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def pictures_drawn(self) -> int:
        """How many pictures are drawn and kept (a slider move to one of them only swaps it)."""
        return len(self._png)

    def png(self, state: Any = None) -> bytes:
        """PNG bytes of the picture for ``state`` (default: the current one), drawn once."""
        state = self.state() if state is None else state
        if state not in self._png:
            if len(self._png) >= self.max_cached:
                self._png.pop(next(iter(self._png)))
            self._png[state] = figure_png(self.draw(state), dpi=self.dpi)
        return self._png[state]

    def render(self) -> None:
        """Show the current state's picture and status line.

        The output area's content is replaced in one assignment (no flicker, and it works from
        any thread or without a kernel); the front end shows it as an ``<img>`` with a PNG data
        URL.
        """
        state = self.state()
        image = base64.b64encode(self.png(state)).decode("ascii")
        self.status.value = self.status_html(state)
        self.output.outputs = ({"output_type": "display_data", "metadata": {},
                                "data": {"image/png": image, "text/plain": repr(state)}},)

    def _on_change(self, change: dict) -> None:
        if not getattr(self, "_quiet", False):
            self.render()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = dict(self.widget._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["image/png"] = base64.b64encode(self.png()).decode("ascii")
        return bundle

    def show(self) -> None:
        """Display the live widget together with a static PNG for widget-less front ends."""
        from IPython.display import display

        display(self._repr_mimebundle_(), raw=True)


class AlignmentExplorer(LiveFigureWidget):
    """Watch the SAR cloud move onto the EO cloud, epoch by epoch, in precomputed UMAP frames.

    Args:
        runs: one run's snapshots, or a mapping run name -> snapshots (the run chooser lists
            the names in order). Snapshots: see :mod:`swdkit.views._snapshot_checks`.
        class_names: names of the classes for the legend.
        fit: how the UMAP frames are fitted, ``"chained"`` or ``"aligned"`` (see
            :func:`swdkit.views.embed_snapshots`).
        cache_dir: on-disk frame cache folder, or None.
        seed: UMAP's random_state (None: faster, not reproducible).
        color_by: the initial colouring, ``"domain"`` or ``"class"``.
        epoch: the initial epoch (default: the first).
        prerender: draw every picture up front (see :meth:`prerender`), so that no slider
            move ever waits for matplotlib; otherwise each is drawn on its first visit.
        progress: show progress of the UMAP fits.

    Attributes:
        frames: run name -> :class:`swdkit.views.EmbeddingFrames`.
        run_chooser, epoch_slider, color_by: the controls; ``status`` and ``output`` the
            display; ``widget`` the whole box.

    Raises:
        ValueError: no runs or snapshots, mismatched snapshots within a run, or snapshots
            that differ in embedding size or probe counts (the message says what is needed).
    """

    def __init__(self, runs: Any, *, class_names: Sequence[str] | None = None,
                 fit: str = "chained", cache_dir: str | Path | None = None,
                 seed: int | None = 0, color_by: str = "domain", epoch: int | None = None,
                 prerender: bool = True, progress: bool = True) -> None:
        import ipywidgets as widgets

        self.runs = check_runs(runs)
        check_choice("color_by", color_by, COLOR_BY)
        self.class_names = None if class_names is None else list(class_names)
        self.frames = {name: embed_snapshots(snaps, fit=fit, cache_dir=cache_dir, seed=seed,
                                             progress=progress)
                       for name, snaps in self.runs.items()}
        names = list(self.frames)
        epochs = self.frames[names[0]].epochs.tolist()
        if epoch is not None and epoch not in epochs:
            raise ValueError(f"epoch={epoch!r} is not among the first run's epochs {epochs}.")
        self.run_chooser = widgets.Dropdown(options=names, value=names[0], description="run",
                                            layout=widgets.Layout(width="max-content"))
        self.run_chooser.layout.display = None if len(names) > 1 else "none"
        self.epoch_slider = widgets.SelectionSlider(
            options=epochs, value=epochs[0] if epoch is None else epoch, description="epoch",
            continuous_update=True)
        self.color_by = widgets.ToggleButtons(options=list(COLOR_BY), value=color_by,
                                              description="colour by")
        self.run_chooser.observe(self._on_run, names="value")
        n_pictures = len(COLOR_BY) * sum(len(f.epochs) for f in self.frames.values())
        self.max_cached = max(self.max_cached, n_pictures)
        self._build([self.run_chooser, self.epoch_slider, self.color_by],
                    "swdkit-alignment-explorer")
        self.prerender_seconds = self.prerender() if prerender else 0.0

    def state(self) -> tuple[str, int, str]:
        return (self.run_chooser.value, int(self.epoch_slider.value), self.color_by.value)

    def draw(self, state: tuple[str, int, str]) -> Any:
        run, epoch, color_by = state
        # A fixed layout: a layout engine would triple the drawing time of this simple plot.
        # The margins leave room for the axis labels (the axes have no tick labels).
        _, (ax,) = figure_axes(figsize=(5.2, 4.6), layout=None,
                               gridspec_kw=dict(left=0.07, right=0.98, bottom=0.07, top=0.93))
        return plot_embedding(self.frames[run], epoch, color_by=color_by, ax=ax,
                              class_names=self.class_names)

    def prerender(self) -> float:
        """Draw every (run, epoch, colouring) picture now; returns the seconds it took."""
        start = time.perf_counter()
        for run, frames in self.frames.items():
            for epoch in frames.epochs.tolist():
                for color_by in COLOR_BY:
                    self.png((run, int(epoch), color_by))
        return time.perf_counter() - start

    def status_html(self, state: tuple[str, int, str]) -> str:
        run, epoch, _ = state
        f = self.frames[run]
        i = f.index_of(epoch)
        return (f"<b>epoch {epoch}</b> &middot; SW<sub>2</sub><sup>2</sup>(EO, SAR) "
                f"{f.sw[i]:.4g} &middot; SAR probe accuracy {f.sar_accuracy[i]:.1%}"
                + (f" &middot; run <i>{run}</i>" if len(self.frames) > 1 else ""))

    def _on_run(self, change: dict) -> None:
        """A new run: its epochs become the slider's options (keep the epoch when it exists)."""
        epochs = self.frames[change["new"]].epochs.tolist()
        keep = self.epoch_slider.value
        self._quiet = True
        try:
            self.epoch_slider.options = epochs
            self.epoch_slider.value = keep if keep in epochs else epochs[-1]
        finally:
            self._quiet = False
        self.render()

    def measure_callback(self) -> dict[str, float]:
        """Time slider moves: one to each epoch of the current run, then back where it was.

        Returns:
            ``callback_seconds``: median seconds a slider move took (the full callback: picture
            lookup, status line and output update; a picture not drawn yet is drawn then);
            ``draw_seconds``: median seconds drawing one picture from scratch takes (what a move
            would cost without the picture cache).
        """
        start_value = self.epoch_slider.value
        moves, draws = [], []
        for e in list(self.epoch_slider.options):
            if e == self.epoch_slider.value:
                continue
            t0 = time.perf_counter()
            self.epoch_slider.value = e
            moves.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            figure_png(self.draw(self.state()), dpi=self.dpi)
            draws.append(time.perf_counter() - t0)
        self.epoch_slider.value = start_value
        return {"callback_seconds": statistics.median(moves) if moves else 0.0,
                "draw_seconds": statistics.median(draws) if draws else 0.0}
