"""The SWD playground: sliders over the sliced-Wasserstein flow between two 2-D clouds.

Controls: the number of projections L the flow uses, the angle of one direction to inspect,
the flow step, and whether the flow draws new directions each step. The picture shows (left)
the moving cloud at that step, the target, the inspected direction and the sorted matching
along it; (middle) both clouds projected on that direction as histograms; (right) SW_2^2 along
the flow. The maths is in :mod:`swdkit.views._toy_flow`; flows are computed when a new
(L, resample) setting is first asked for and cached, so the step and angle sliders are instant.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from swdkit._checks import check_value
from swdkit.views._axes import figure_axes
from swdkit.views._explorer import LiveFigureWidget
from swdkit.views._toy_flow import Flow, make_toy_clouds, sliced_wasserstein_flow, sorted_matching

MATCHED_PAIRS_DRAWN = 40  # matched pairs drawn as lines, evenly spread over the sorted order


def plot_swd_playground(y: np.ndarray, flow: Flow, step: int, angle_degrees: float, *,
                        axes: Any = None) -> Any:
    """The playground picture for one flow ``step`` and inspected direction.

    Args:
        y: ``(N, 2)`` target cloud.
        flow: a :class:`swdkit.views.Flow` towards y, positions ``(S + 1, N, 2)``.
        step: which step of the flow to show, 0..S.
        angle_degrees: the inspected direction.
        axes: three axes to draw into.
    """
    from matplotlib.collections import LineCollection

    step = check_value("step", step, "integer >= 0")
    if step >= len(flow.positions):
        raise ValueError(f"step must be in 0..{len(flow.positions) - 1}; got {step!r}.")
    # A fixed layout: a layout engine would double the drawing time.
    fig, (ax_xy, ax_hist, ax_sw) = figure_axes(
        axes, 3, figsize=(12.5, 3.9), layout=None, width_ratios=[1.2, 1.0, 1.0],
        gridspec_kw=dict(left=0.05, right=0.99, bottom=0.13, top=0.91, wspace=0.3))
    xs = flow.positions[step]
    match = sorted_matching(xs, y, angle_degrees)
    every = max(1, len(xs) // MATCHED_PAIRS_DRAWN)
    ks = np.arange(0, len(xs), every)
    pairs = np.stack([xs[match.x_order[ks]], y[match.y_order[ks]]], axis=1)  # (P, 2 ends, 2)
    ax_xy.add_collection(LineCollection(pairs, colors="0.6", linewidths=0.6, zorder=1))
    ax_xy.scatter(y[:, 0], y[:, 1], s=10, c="tab:orange", label="target y", zorder=2)
    ax_xy.scatter(xs[:, 0], xs[:, 1], s=10, c="tab:blue", label=f"x after {step} steps",
                  zorder=3)
    everything = np.vstack([flow.positions.reshape(-1, 2), y])
    lo, hi = everything.min(axis=0), everything.max(axis=0)
    centre, half = (lo + hi) / 2, (hi - lo).max() / 2 * 1.1
    if flow.directions is not None:
        thetas = flow.directions.T[:32]
        ends = np.stack([centre - half * thetas, centre + half * thetas], axis=1)
        ax_xy.add_collection(LineCollection(ends, colors="tab:green", linewidths=1.0,
                                            alpha=0.8, zorder=0,
                                            label=f"the flow's {len(thetas)} directions"))
    t = match.theta
    ax_xy.plot(*np.stack([centre - half * t, centre + half * t]).T, color="k", lw=1.5,
               label=f"direction {angle_degrees:.0f}\N{DEGREE SIGN}", zorder=4)
    ax_xy.set(xlim=(centre[0] - half, centre[0] + half), ylim=(centre[1] - half, centre[1] + half),
              aspect="equal", title="clouds, direction, sorted matching (grey)",
              xlabel="x₁", ylabel="x₂")
    ax_xy.legend(fontsize=7, loc="lower left")
    bins = np.linspace(min(match.x_proj.min(), match.y_proj.min()),
                       max(match.x_proj.max(), match.y_proj.max()), 30)
    for proj, color, label in ((match.y_proj, "tab:orange", "<y, theta>"),
                               (match.x_proj, "tab:blue", "<x, theta>")):
        ax_hist.hist(proj, bins=bins, alpha=0.6, color=color, label=label, histtype="stepfilled")
    ax_hist.set(title=f"1-D projections: W₂² = {match.w2:.3g}",
                xlabel=f"projection on the {angle_degrees:.0f}\N{DEGREE SIGN} direction",
                ylabel="points per bin")
    ax_hist.legend(fontsize=7)
    steps = np.arange(len(flow.sw))
    ax_sw.semilogy(steps, np.maximum(flow.sw, 1e-12), color="tab:blue")
    ax_sw.semilogy([step], [max(flow.sw[step], 1e-12)], "o", color="k")
    ax_sw.set(title=f"SW₂² along the flow: {flow.sw[step]:.3g} at step {step}",
              xlabel="flow step",
              ylabel=f"SW₂²(x, y), {flow.evaluation_directions.shape[1]} fixed directions")
    return fig


class SWDPlayground(LiveFigureWidget):
    """Sliders over the sliced-Wasserstein flow of two 2-D clouds, computed live.

    Args:
        x, y: ``(N, 2)`` source and target clouds of equal size (default
            :func:`swdkit.views.make_toy_clouds`).
        n_projections: initial L.
        angle: initial inspected direction, degrees.
        step: initial flow step.
        n_steps: flow length S (the step slider's maximum).
        step_size: flow step size (see :func:`swdkit.views.flow_step`).
        resample: initial state of "new directions each step".
        seed: seeds the clouds (when defaulted) and every direction draw.

    Raises:
        TypeError: a count, the angle or the step size is not a number of the right kind.
        ValueError: one clouds without the other, clouds of unequal size, or a number out of
            range (L in 1..64, S >= 1, 0 <= step <= S, step size in (0, 2)).
    """

    def __init__(self, x: np.ndarray | None = None, y: np.ndarray | None = None, *,
                 n_projections: int = 2, angle: float = 30.0, step: int = 0, n_steps: int = 30,
                 step_size: float = 1.0, resample: bool = False, seed: int = 0) -> None:
        import ipywidgets as widgets

        if (x is None) != (y is None):
            raise ValueError("give both x and y (two (N, 2) clouds) or neither (toy clouds).")
        if x is None:
            x, y = make_toy_clouds(seed=seed)
        self.x, self.y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        n_projections = check_value("n_projections", n_projections, "positive integer")
        angle = check_value("angle", angle, "number", hint="the inspected direction, degrees")
        if n_projections > 64:
            raise ValueError(f"n_projections must be in 1..64; got {n_projections!r}.")
        n_steps = check_value("n_steps", n_steps, "positive integer")
        step = check_value("step", step, "integer >= 0")
        if step > n_steps:
            raise ValueError(f"need 0 <= step <= n_steps; got n_steps={n_steps!r}, "
                             f"step={step!r}.")
        self.n_steps, self.step_size, self.seed = n_steps, step_size, seed
        self._flows: dict[tuple[int, bool], Flow] = {}
        self.flow(n_projections, resample)  # checks the clouds before any widget exists
        self.projections_slider = widgets.IntSlider(value=n_projections, min=1, max=64,
                                                    description="projections L")
        self.angle_slider = widgets.FloatSlider(value=angle, min=0.0, max=180.0, step=5.0,
                                                description="angle")
        self.step_slider = widgets.IntSlider(value=step, min=0, max=n_steps, description="step")
        self.resample_box = widgets.Checkbox(value=resample, description="new directions each step")
        self._build([self.projections_slider, self.angle_slider, self.step_slider,
                     self.resample_box], "swdkit-swd-playground")

    def flow(self, n_projections: int, resample: bool) -> Flow:
        """The flow for a setting, computed on first use and cached."""
        key = (int(n_projections), bool(resample))
        if key not in self._flows:
            self._flows[key] = sliced_wasserstein_flow(
                self.x, self.y, n_projections=key[0], n_steps=self.n_steps,
                step_size=self.step_size, resample=key[1], seed=self.seed)
        return self._flows[key]

    def state(self) -> tuple[int, float, int, bool]:
        return (int(self.projections_slider.value), float(self.angle_slider.value),
                int(self.step_slider.value), bool(self.resample_box.value))

    def draw(self, state: tuple[int, float, int, bool]) -> Any:
        n_projections, angle, step, resample = state
        return plot_swd_playground(self.y, self.flow(n_projections, resample), step, angle)

    def status_html(self, state: tuple[int, float, int, bool]) -> str:
        n_projections, angle, step, resample = state
        flow = self.flow(n_projections, resample)
        w2 = sorted_matching(flow.positions[step], self.y, angle).w2
        return (f"<b>step {step}</b> of {self.n_steps} with L = {n_projections} "
                f"{'new' if resample else 'fixed'} directions &middot; SW<sub>2</sub><sup>2</sup>"
                f" {flow.sw[step]:.4g} (start {flow.sw[0]:.4g}) &middot; W<sub>2</sub><sup>2</sup>"
                f" along {angle:.0f}&deg; {w2:.4g}")
