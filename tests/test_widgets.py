"""The SWD playground's maths and the two widgets (driven from Python, no browser)."""

from __future__ import annotations

import base64
import itertools
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from toy_runs import toy_snapshots

from swdkit.views import AlignmentExplorer, SWDPlayground
from swdkit.views import _toy_flow as swd_playground
from swdkit.views import _umap_frames as embedding_views

# --- the flow's maths ------------------------------------------------------------------------


def test_direction_is_the_unit_vector_at_the_angle():
    np.testing.assert_allclose(swd_playground.direction(0), [1, 0], atol=1e-15)
    np.testing.assert_allclose(swd_playground.direction(90), [0, 1], atol=1e-15)
    np.testing.assert_allclose(swd_playground.direction(135), [-0.5**0.5, 0.5**0.5])


def test_sorted_matching_is_the_optimal_one_dimensional_plan():
    """Brute force over all N! pairings: sorting gives the cheapest one (N = 6)."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(6, 2)), rng.normal(size=(6, 2)) + 1
    for angle in (0.0, 37.0, 120.0):
        m = swd_playground.sorted_matching(x, y, angle)
        theta = swd_playground.direction(angle)
        best = min(np.mean((x @ theta - (y @ theta)[list(p)]) ** 2)
                   for p in itertools.permutations(range(6)))
        assert m.w2 == pytest.approx(best, rel=1e-12)
        pairs = np.mean((m.x_proj[m.x_order] - m.y_proj[m.y_order]) ** 2)
        assert pairs == pytest.approx(best, rel=1e-12)


def _reference_step(x, y, dirs, step_size):
    """x_i - step_size * mean_l (gap of x_i along theta_l) theta_l, gaps from sorting."""
    moved = x.copy()
    total = np.zeros_like(x)
    for theta in dirs.T:
        xp, yp = x @ theta, y @ theta
        target = np.empty_like(xp)
        target[np.argsort(xp, kind="stable")] = np.sort(yp)
        total += np.outer(xp - target, theta)
    return moved - step_size * total / dirs.shape[1]


def test_flow_step_equals_the_explicit_sorted_displacement():
    x, y = swd_playground.make_toy_clouds(40, seed=1)
    dirs = swd_playground.fixed_directions(7, seed=2)
    for step_size in (0.3, 1.0, 1.7):
        np.testing.assert_allclose(swd_playground.flow_step(x, y, dirs, step_size=step_size),
                                   _reference_step(x, y, dirs, step_size), atol=1e-10)


def test_one_direction_one_full_step_matches_that_projection_exactly():
    x, y = swd_playground.make_toy_clouds(30, seed=3)
    dirs = swd_playground.direction(25.0)[:, None]
    moved = swd_playground.flow_step(x, y, dirs, step_size=1.0)
    np.testing.assert_allclose(np.sort(moved @ dirs[:, 0]), np.sort(y @ dirs[:, 0]), atol=1e-10)
    # ... and leaves the orthogonal coordinate alone.
    ortho = swd_playground.direction(115.0)
    np.testing.assert_allclose(moved @ ortho, x @ ortho, atol=1e-10)


def test_flow_descends_and_many_directions_beat_few():
    x, y = swd_playground.make_toy_clouds(60, seed=4)
    many = swd_playground.sliced_wasserstein_flow(x, y, n_projections=32, n_steps=25)
    few = swd_playground.sliced_wasserstein_flow(x, y, n_projections=1, n_steps=25)
    assert many.positions.shape == (26, 60, 2) and many.sw.shape == (26,)
    np.testing.assert_array_equal(many.positions[0], x)
    # SW over the flow's own fixed directions never increases (step size in (0, 2)).
    own = [swd_playground.sliced_wasserstein_2d(p, y, many.directions) for p in many.positions]
    assert all(b <= a + 1e-12 for a, b in itertools.pairwise(own))
    assert many.sw[-1] < 0.01 * many.sw[0]
    assert few.sw[-1] > 10 * many.sw[-1]  # one direction cannot match a 2-D shape
    fresh = swd_playground.sliced_wasserstein_flow(x, y, n_projections=1, n_steps=25,
                                                   resample=True)
    assert fresh.directions is None and fresh.sw[-1] < few.sw[-1]


@pytest.mark.parametrize("call, needle", [
    (lambda: swd_playground.sorted_matching(np.zeros((5, 2)), np.zeros((4, 2)), 0), "same number"),
    (lambda: swd_playground.sorted_matching(np.zeros((5, 3)), np.zeros((5, 3)), 0), r"\(N, 2\)"),
    (lambda: swd_playground.flow_step(np.zeros((3, 2)), np.ones((3, 2)),
                                      swd_playground.fixed_directions(2), step_size=2.5),
     "step_size"),
    (lambda: swd_playground.make_toy_clouds(1), "n must be"),
    (lambda: swd_playground.fixed_directions(0), "n_projections"),
    (lambda: swd_playground.sliced_wasserstein_flow(np.zeros((3, 2)), np.ones((3, 2)),
                                                    n_steps=-1), "n_steps"),
    (lambda: swd_playground.sorted_matching(np.full((2, 2), np.nan), np.zeros((2, 2)), 0),
     "NaN"),
])
def test_playground_maths_refuses_bad_input(call, needle):
    with pytest.raises(ValueError, match=needle):
        call()


@pytest.mark.parametrize("call, needle", [
    (lambda: swd_playground.make_toy_clouds(20.0), "n must be an integer >= 2"),
    (lambda: swd_playground.fixed_directions(True), "n_projections"),
    (lambda: swd_playground.flow_step(np.zeros((3, 2)), np.ones((3, 2)),
                                      swd_playground.fixed_directions(2), step_size="1"),
     "step_size"),
    (lambda: swd_playground.sliced_wasserstein_flow(np.zeros((3, 2)), np.ones((3, 2)),
                                                    n_steps=2.5), "n_steps"),
    (lambda: SWDPlayground(n_projections=2.0), "n_projections"),
    (lambda: SWDPlayground(step="0"), "step"),
    (lambda: SWDPlayground(angle="30"), "angle"),
])
def test_numbers_of_the_wrong_type_raise_type_error(call, needle):
    with pytest.raises(TypeError, match=needle):
        call()


# --- the widgets -----------------------------------------------------------------------------

def shown_png(widget) -> bytes:
    """The PNG the output area holds now (what the browser shows as a data URL)."""
    (out,) = widget.output.outputs
    return base64.b64decode(out["data"]["image/png"])


@pytest.fixture
def fast_frames(monkeypatch):
    """Frames without UMAP: the first two embedding coordinates (the SAR cloud still moves)."""
    embedding_views.clear_memory_cache()

    def fit(stacks, umap_kwargs, n_epochs_after, progress):
        return np.stack([s[:, :2].astype(np.float64) for s in stacks])

    monkeypatch.setattr(embedding_views, "_fit_chained", fit)
    yield
    embedding_views.clear_memory_cache()


@pytest.fixture
def runs():
    long = toy_snapshots(n_epochs=4, n_classes=3, n_per_class=15, dim=6, seed=0)
    short = toy_snapshots(n_epochs=2, n_classes=3, n_per_class=15, dim=6, seed=1)
    return {"instance norm": long, "batch norm": short}


def test_explorer_slider_changes_picture_and_status(runs, fast_frames):
    ex = AlignmentExplorer(runs, class_names=["a", "b", "c"], prerender=False, progress=False)
    assert ex.epoch_slider.options == (0, 1, 2, 3, 4)
    assert "epoch 0" in ex.status.value
    first = shown_png(ex)
    ex.epoch_slider.value = 3
    assert "<b>epoch 3</b>" in ex.status.value
    snap = runs["instance norm"][3]
    assert f"{snap.sw:.4g}" in ex.status.value and f"{snap.sar_accuracy:.1%}" in ex.status.value
    third = shown_png(ex)
    assert third != first and third == ex.png(("instance norm", 3, "domain"))
    ex.color_by.value = "class"
    assert shown_png(ex) not in (first, third)
    ex.epoch_slider.value = 0
    ex.color_by.value = "domain"
    assert shown_png(ex) == first  # the cache gives back exactly the first picture


def test_explorer_run_chooser_swaps_the_epochs(runs, fast_frames):
    ex = AlignmentExplorer(runs, prerender=False, progress=False)
    ex.epoch_slider.value = 4
    ex.run_chooser.value = "batch norm"
    assert ex.epoch_slider.options == (0, 1, 2)
    assert ex.epoch_slider.value == 2  # epoch 4 does not exist there: the last one
    assert "batch norm" in ex.status.value and "epoch 2" in ex.status.value
    assert shown_png(ex) == ex.png(("batch norm", 2, "domain"))
    ex.epoch_slider.value = 1
    ex.run_chooser.value = "instance norm"
    assert ex.epoch_slider.value == 1  # kept where it exists


def test_explorer_draws_everything_up_front_so_a_slider_move_draws_nothing(runs, fast_frames,
                                                                           monkeypatch):
    """How fast a move is then is measured by benchmarks/bench_views.py, not asserted here."""
    ex = AlignmentExplorer(runs, progress=False)
    assert ex.pictures_drawn == len(ex._png) == 2 * (5 + 3)  # every picture drawn up front
    cached = dict(ex._png)

    def no_drawing(state):
        raise AssertionError(f"a slider move drew {state} again")

    monkeypatch.setattr(ex, "draw", no_drawing)
    for epoch in (3, 1, 4):
        ex.epoch_slider.value = epoch
        assert shown_png(ex) == cached[("instance norm", epoch, "domain")]
    ex.color_by.value = "class"
    ex.run_chooser.value = "batch norm"
    assert shown_png(ex) == cached[("batch norm", 2, "class")]
    assert ex._png == cached
    monkeypatch.undo()
    ex.epoch_slider.value = 0
    timing = ex.measure_callback()
    assert set(timing) == {"callback_seconds", "draw_seconds"}
    assert ex.epoch_slider.value == 0  # left where it was


def test_explorer_carries_a_static_png_for_widgetless_front_ends(runs, fast_frames):
    ex = AlignmentExplorer(runs["batch norm"], prerender=False, progress=False, epoch=2)
    bundle = ex._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == ex.widget.model_id
    assert base64.b64decode(bundle["image/png"]) == shown_png(ex) == ex.png(("run", 2, "domain"))
    assert ex.run_chooser.layout.display == "none"  # one run: no chooser


def test_explorer_says_what_it_needs(runs, fast_frames):
    with pytest.raises(ValueError, match="no snapshots"):
        AlignmentExplorer([], progress=False)
    with pytest.raises(ValueError, match="empty mapping"):
        AlignmentExplorer({}, progress=False)
    good = runs["batch norm"]
    fewer = replace(good[1], eo=good[1].eo[:-2], eo_labels=good[1].eo_labels[:-2])
    with pytest.raises(ValueError, match="run 'bad'.*do not match"):
        AlignmentExplorer({"ok": good, "bad": [good[0], fewer]}, progress=False)
    wider = [replace(s, eo=np.hstack([s.eo, s.eo]), sar=np.hstack([s.sar, s.sar]))
             for s in good[1:]]
    with pytest.raises(ValueError, match="embedding size"):
        AlignmentExplorer([good[0], *wider], progress=False)
    with pytest.raises(ValueError, match="color_by"):
        AlignmentExplorer(good, color_by="city", progress=False)
    with pytest.raises(ValueError, match="epoch=7"):
        AlignmentExplorer(good, epoch=7, progress=False)
    with pytest.raises(ValueError, match="fit must be one of 'chained', 'aligned'"):
        AlignmentExplorer(good, fit="tsne", progress=False)


def test_playground_sliders_recompute_the_picture():
    x, y = swd_playground.make_toy_clouds(30)
    pg = SWDPlayground(x, y, n_projections=2, n_steps=6)
    start = shown_png(pg)
    assert "<b>step 0</b>" in pg.status.value
    pg.step_slider.value = 5
    assert "<b>step 5</b>" in pg.status.value and shown_png(pg) != start
    flow = pg.flow(2, False)
    assert f"{flow.sw[5]:.4g}" in pg.status.value
    w2_before = swd_playground.sorted_matching(flow.positions[5], pg.y, 30.0).w2
    pg.angle_slider.value = 90.0
    w2_after = swd_playground.sorted_matching(flow.positions[5], pg.y, 90.0).w2
    assert f"{w2_after:.4g}" in pg.status.value and w2_after != w2_before
    pg.projections_slider.value = 16
    assert set(pg._flows) == {(2, False), (16, False)}
    assert f"{pg.flow(16, False).sw[5]:.4g}" in pg.status.value
    pg.resample_box.value = True
    assert "new directions" in pg.status.value
    assert "image/png" in pg._repr_mimebundle_()


def _inside(fig, text) -> bool:
    """Whether a text artist (an axis label) lies inside the figure once drawn."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig) if fig.canvas is None or not hasattr(
        fig.canvas, "get_renderer") else fig.canvas
    canvas.draw()
    box = text.get_window_extent(canvas.get_renderer())
    width, height = fig.bbox.width, fig.bbox.height
    return box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width and box.y1 <= height


def test_explorer_and_playground_pictures_keep_their_axis_labels(runs, fast_frames):
    ex = AlignmentExplorer(runs, prerender=False, progress=False)
    (ax,) = ex.draw(ex.state()).axes
    assert _inside(ax.figure, ax.xaxis.label) and _inside(ax.figure, ax.yaxis.label)
    x, y = swd_playground.make_toy_clouds(20)
    pg = SWDPlayground(x, y, n_projections=3, n_steps=2)
    fig = pg.draw(pg.state())
    for panel in fig.axes:
        assert panel.get_xlabel() and panel.get_ylabel(), panel.get_title()
        assert _inside(fig, panel.xaxis.label) and _inside(fig, panel.yaxis.label)
    directions = [c for c in fig.axes[0].collections if "directions" in str(c.get_label())]
    assert directions and directions[0].get_alpha() >= 0.8  # the flow's directions read


def test_playground_refuses_bad_input():
    x, y = swd_playground.make_toy_clouds(20)
    with pytest.raises(ValueError, match="both x and y"):
        SWDPlayground(x)
    with pytest.raises(ValueError, match="same number"):
        SWDPlayground(x, y[:10])
    with pytest.raises(ValueError, match="n_projections"):
        SWDPlayground(x, y, n_projections=0)
    with pytest.raises(ValueError, match="n_steps"):
        SWDPlayground(x, y, n_steps=5, step=6)


def test_importing_the_views_stays_light():
    """ipywidgets, umap and pyplot load only when a widget or a frame is made."""
    code = ("import sys, swdkit.views;"
            "print(sorted(m for m in ('ipywidgets', 'umap', 'matplotlib.pyplot', 'torch')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
