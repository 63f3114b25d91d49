"""Embedding views: snapshot checks, comparable cached UMAP frames, per-class numbers, plots."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest
from matplotlib.figure import Figure
from toy_runs import toy_snapshots

from swdkit.views import _alignment_stats as alignment_stats
from swdkit.views import _plots as viz
from swdkit.views import _umap_frames as embedding_views
from swdkit.views._axes import figure_axes
from swdkit.views._snapshot_checks import check_runs, check_snapshots
from swdkit.views._training_figures import plot_confusion, plot_runs


@pytest.fixture(autouse=True)
def _fresh_memory_cache():
    embedding_views.clear_memory_cache()
    yield
    embedding_views.clear_memory_cache()


@pytest.fixture
def fake_umap(monkeypatch):
    """Replace the UMAP fit by 'the first two coordinates' and count the fits."""
    calls = []

    def fit(stacks, umap_kwargs, n_epochs_after, progress):
        calls.append(len(stacks))
        return np.stack([s[:, :2].astype(np.float64) for s in stacks])

    monkeypatch.setattr(embedding_views, "_fit_chained", fit)
    return calls


@pytest.fixture
def run():
    return toy_snapshots(n_epochs=4, n_classes=3, n_per_class=20, dim=8, stuck_classes=(2,))


# --- snapshot checks -------------------------------------------------------------------------

def test_check_snapshots_accepts_a_consistent_run(run):
    assert check_snapshots(run) == run
    assert list(check_runs(run)) == ["run"]
    assert list(check_runs({"a": run, "b": run[:2]})) == ["a", "b"]


@pytest.mark.parametrize("bad, needle", [
    ([], "no snapshots"),
    ({}, "empty mapping"),
    (None, "snapshots must be"),
    ([object()], "lacks"),
])
def test_check_snapshots_says_what_is_needed(bad, needle):
    with pytest.raises(ValueError, match=needle) as err:
        check_runs(bad) if isinstance(bad, dict) else check_snapshots(bad)
    if needle != "empty mapping":
        assert "epoch" in str(err.value) and "sar" in str(err.value)


def test_mismatched_snapshots_are_refused(run):
    fewer = replace(run[1], sar=run[1].sar[:-1], sar_labels=run[1].sar_labels[:-1])
    with pytest.raises(ValueError, match="do not match.*same probe samples"):
        check_snapshots([run[0], fewer])
    wider = replace(run[1], eo=np.hstack([run[1].eo, run[1].eo]),
                    sar=np.hstack([run[1].sar, run[1].sar]))
    with pytest.raises(ValueError, match="embedding size"):
        check_snapshots([run[0], wider])
    eo_vs_sar = replace(run[0], sar=run[0].sar[:, :4])
    with pytest.raises(ValueError, match="differ in size"):
        check_snapshots([eo_vs_sar])
    relabelled = replace(run[1], sar_labels=run[1].sar_labels[::-1].copy())
    with pytest.raises(ValueError, match="labels"):
        check_snapshots([run[0], relabelled])
    with pytest.raises(ValueError, match="strictly increase"):
        check_snapshots([run[1], run[0]])
    nan = replace(run[0], eo=np.full_like(run[0].eo, np.nan))
    with pytest.raises(ValueError, match="NaN"):
        check_snapshots([nan])
    with pytest.raises(ValueError, match="run 'b'"):
        check_runs({"a": run, "b": [run[0], fewer]})


# --- frames: comparability helpers and the cache ---------------------------------------------

def test_procrustes_undoes_a_known_similarity_transform():
    rng = np.random.default_rng(1)
    ref = rng.normal(size=(50, 2))
    for reflect in (False, True):
        a = 0.7
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        if reflect:
            rot = rot @ np.diag([1.0, -1.0])
        moved = 3.5 * ref @ rot + [4.0, -2.0]
        np.testing.assert_allclose(embedding_views.procrustes_onto(moved, ref), ref, atol=1e-10)


def test_snapshot_key_follows_content_and_options(run):
    k = embedding_views.snapshot_key(run, fit="chained")
    assert k == embedding_views.snapshot_key(list(run), fit="chained")
    assert k != embedding_views.snapshot_key(run, fit="aligned")
    nudged = replace(run[2], sar=run[2].sar + np.float32(1e-3))
    assert k != embedding_views.snapshot_key([*run[:2], nudged, *run[3:]], fit="chained")


def test_frames_are_cached_in_memory_and_on_disk(run, fake_umap, tmp_path):
    frames = embedding_views.embed_snapshots(run, cache_dir=tmp_path, progress=False)
    assert fake_umap == [len(run)]
    assert frames.fit == "chained"
    assert frames.coords.shape == (len(run), 120, 2) and frames.n_eo == 60
    np.testing.assert_array_equal(frames.epochs, [s.epoch for s in run])
    np.testing.assert_allclose(frames.sw, [s.sw for s in run])
    np.testing.assert_array_equal(frames.domains, [0] * 60 + [1] * 60)
    np.testing.assert_array_equal(frames.labels[60:], run[0].sar_labels)
    # Second call: the same object from memory, no fit.
    assert embedding_views.embed_snapshots(run, cache_dir=tmp_path, progress=False) is frames
    # A new process (memory forgotten): read back from disk, no fit, same coordinates.
    embedding_views.clear_memory_cache()
    again = embedding_views.embed_snapshots(run, cache_dir=tmp_path, progress=False)
    assert fake_umap == [len(run)] and again.fit_seconds == 0.0
    np.testing.assert_array_equal(again.coords, frames.coords)
    # Other options or other content: a new fit.
    embedding_views.embed_snapshots(run, n_neighbors=5, cache_dir=tmp_path, progress=False)
    embedding_views.embed_snapshots(run[:3], cache_dir=tmp_path, progress=False)
    assert fake_umap == [len(run), len(run), 3]


def test_a_damaged_disk_cache_is_refitted_not_trusted(run, fake_umap, tmp_path):
    embedding_views.embed_snapshots(run, cache_dir=tmp_path, progress=False)
    (cached,) = tmp_path.glob("frames-*.npz")
    good = cached.read_bytes()
    for damage in (b"not an npz file", good[: len(good) // 2]):
        cached.write_bytes(damage)
        embedding_views.clear_memory_cache()
        embedding_views.embed_snapshots(run, cache_dir=tmp_path, progress=False)
    assert fake_umap == [len(run)] * 3
    assert cached.read_bytes()[:2] == b"PK"  # rewritten whole
    assert not list(tmp_path.glob(".*tmp*")), "no temporary file may be left behind"


def test_frame_lookup_and_limits(run, fake_umap):
    frames = embedding_views.embed_snapshots(run, progress=False)
    assert frames.index_of(3) == 3
    with pytest.raises(ValueError, match=r"epoch 9 has no frame.*\[0, 1, 2, 3, 4\]"):
        frames.index_of(9)
    (x0, x1), (y0, y1) = frames.limits()
    assert x0 < frames.coords[..., 0].min() and x1 > frames.coords[..., 0].max()
    assert y0 < frames.coords[..., 1].min() and y1 > frames.coords[..., 1].max()
    with pytest.raises(ValueError, match="fit must be one of 'chained', 'aligned'"):
        embedding_views.embed_snapshots(run, fit="tsne")


@pytest.mark.parametrize("options, error", [
    ({"n_neighbors": "15"}, TypeError),
    ({"n_neighbors": 1}, ValueError),
    ({"min_dist": None}, TypeError),
    ({"seed": 0.5}, TypeError),
    ({"n_epochs_after": 0}, ValueError),
])
def test_frame_options_are_checked_before_any_fit(run, fake_umap, options, error):
    name = next(iter(options))
    with pytest.raises(error, match=name):
        embedding_views.embed_snapshots(run, progress=False, **options)
    assert fake_umap == []


def _largest_centre_step(frames_xy: np.ndarray, n_eo: int, labels: np.ndarray) -> float:
    """Largest move of an EO class centre between consecutive frames, in layout widths."""
    width = np.ptp(frames_xy.reshape(-1, 2), axis=0).max()
    classes = np.unique(labels[:n_eo])
    centres = np.stack([[f[:n_eo][labels[:n_eo] == c].mean(axis=0) for c in classes]
                        for f in frames_xy])
    return float(max(np.linalg.norm(a - b, axis=1).max()
                     for a, b in itertools.pairwise(centres)) / width)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::UserWarning")  # umap's notes on threads and graphs
def test_real_umap_frames_are_comparable_and_shown_again_from_the_cache(tmp_path):
    """EO points never move in the toy run: comparable frames must keep their classes in place.

    Independent UMAP fits, the naive alternative, place the unchanged EO classes anywhere (on
    this run their centres jump by 85-100% of the layout's width); chained frames must move
    them at most half as much (measured: about 25%). Showing the frames again is a cache hit
    (the same object); what that costs is measured by benchmarks/bench_views.py.
    """
    import umap

    run = toy_snapshots(n_epochs=3, n_classes=3, n_per_class=25, dim=8, seed=3)
    frames = embedding_views.embed_snapshots(run, cache_dir=tmp_path, progress=False)
    assert frames.fit_seconds > 0
    independent = np.stack([umap.UMAP(random_state=0).fit_transform(np.vstack([s.eo, s.sar]))
                            for s in run])
    chained = _largest_centre_step(frames.coords, frames.n_eo, frames.labels)
    assert chained < 0.5 * _largest_centre_step(independent, frames.n_eo, frames.labels)
    assert embedding_views.embed_snapshots(run, cache_dir=tmp_path, progress=False) is frames


# --- per-class numbers -----------------------------------------------------------------------

def test_nearest_centroid_matches_a_loop():
    rng = np.random.default_rng(2)
    pts, cents = rng.normal(size=(30, 4)), rng.normal(size=(5, 4))
    cents[3] = np.nan  # a class without EO points can never be predicted
    expect = [min((c for c in range(5) if c != 3), key=lambda c: np.sum((p - cents[c]) ** 2))
              for p in pts]
    np.testing.assert_array_equal(alignment_stats.nearest_centroid(pts, cents), expect)


def test_per_class_alignment_finds_the_class_that_failed(run):
    before = alignment_stats.per_class_alignment(run[0])
    after = alignment_stats.per_class_alignment(run[-1])
    assert [r["centroid_accuracy"] for r in after] == [1.0, 1.0, 0.0]
    assert all(r["centroid_accuracy"] == 0.0 for r in before)  # every class starts misplaced
    assert after[0]["sw"] < 0.1 * before[0]["sw"] and after[2]["sw"] == pytest.approx(
        before[2]["sw"])
    assert alignment_stats.centroid_accuracy(run[-1]) == pytest.approx(2 / 3)


def test_per_class_sw_of_a_translated_class_is_the_mean_squared_shift():
    """SW_2^2(x, x + t) = mean over directions of (t . theta)^2, about |t|^2 / D."""
    rng = np.random.default_rng(4)
    eo = rng.normal(size=(40, 3)).astype(np.float32)
    shift = np.array([3.0, 0.0, 0.0], dtype=np.float32)
    snap = toy_snapshots(n_epochs=0, n_classes=2, n_per_class=20, dim=3)[0]
    snap = replace(snap, eo=eo, sar=eo + shift, eo_labels=np.zeros(40, dtype=np.int64),
                   sar_labels=np.zeros(40, dtype=np.int64))
    (row, empty) = alignment_stats.per_class_alignment(snap, n_classes=2, n_projections=4000)
    assert row["sw"] == pytest.approx(9.0 / 3, rel=0.06)
    assert empty == {"class": 1, "n_eo": 0, "n_sar": 0, "sw": None, "centroid_accuracy": None}
    with pytest.raises(ValueError, match="n_classes"):
        alignment_stats.per_class_alignment(snap, n_classes=0)
    with pytest.raises(ValueError, match="must exceed every label"):
        alignment_stats.per_class_alignment(replace(snap, sar_labels=snap.sar_labels + 1),
                                            n_classes=1)
    with pytest.raises(TypeError, match="n_classes"):
        alignment_stats.per_class_alignment(snap, n_classes=2.0)


def test_toy_run_moves_sar_onto_eo():
    run = toy_snapshots(n_epochs=4, seed=1)
    assert run[0].sar_accuracy < 0.2 and run[-1].sar_accuracy == 1.0
    sw = [s.sw for s in run]
    assert all(b < a for a, b in itertools.pairwise(sw)) and sw[-1] < 0.1 * sw[0]
    for s in run:
        np.testing.assert_array_equal(s.eo, run[0].eo)  # EO never moves
    assert np.abs(run[-1].sar - run[-1].eo).mean() < 1.5  # only the noise is left


# --- plots -----------------------------------------------------------------------------------

def _offsets(ax):
    return [c.get_offsets() for c in ax.collections if len(c.get_offsets())]


def test_plot_embedding_draws_the_frame_it_is_given(run, fake_umap):
    frames = embedding_views.embed_snapshots(run, progress=False)
    fig = Figure()
    ax = fig.add_subplot()
    assert viz.plot_embedding(frames, 2, ax=ax) is fig
    eo, sar = _offsets(ax)
    np.testing.assert_allclose(eo, frames.coords[2, :60])
    np.testing.assert_allclose(sar, frames.coords[2, 60:])
    assert "epoch 2" in ax.get_title()
    by_class = viz.plot_embedding(frames, 4, color_by="class", class_names=["a", "b", "c"])
    assert [t.get_text() for t in by_class.axes[0].get_legend().get_texts()] == ["a", "b", "c"]
    with pytest.raises(ValueError, match="color_by must be one of"):
        viz.plot_embedding(frames, 2, color_by="city")
    assert len(viz.plot_embedding_views(frames, 0).axes) == 2


def test_plot_class_alignment_one_panel_per_class(run, fake_umap):
    frames = embedding_views.embed_snapshots(run, progress=False)
    stats = alignment_stats.per_class_alignment(run[-1])
    fig = viz.plot_class_alignment(frames, 4, stats=stats, class_names=["a", "b", "c"])
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 3
    assert "0%" in visible[2].get_title() and "100%" in visible[0].get_title()


def test_plot_alignment_curves_shows_the_snapshot_values(run):
    fig = viz.plot_alignment_curves({"one": run, "two": run[:2]})
    ax_sw, ax_acc = fig.axes
    np.testing.assert_allclose(ax_sw.lines[0].get_ydata(), [s.sw for s in run])
    np.testing.assert_allclose(ax_acc.lines[0].get_ydata(), [s.sar_accuracy for s in run])
    history = [{"epoch": s.epoch, "sw_probe": s.sw, "sar_accuracy": s.sar_accuracy} for s in run]
    fig2 = viz.plot_alignment_curves(history)
    np.testing.assert_allclose(fig2.axes[0].lines[0].get_ydata(), [s.sw for s in run])
    with pytest.raises(ValueError, match="no snapshots or history"):
        viz.plot_alignment_curves([])


def test_alignment_curves_draw_chance_and_sw_relative_to_the_eo_scale(run):
    fig = viz.plot_alignment_curves(run, chance=0.25, relative=True)
    ax_sw, ax_acc = fig.axes
    eo_var = [np.asarray(s.eo, dtype=np.float64).var(axis=0).mean() for s in run]
    np.testing.assert_allclose(ax_sw.lines[0].get_ydata(), [s.sw / v for s, v in
                                                            zip(run, eo_var, strict=True)])
    assert "EO variance" in ax_sw.get_ylabel()
    assert [line.get_label() for line in ax_acc.lines][-1] == "chance"
    history = [{"epoch": 0, "sw_relative": 2.0, "sar_accuracy": 0.25, "val_accuracy": 0.3},
               {"epoch": 1, "sw_relative": 1.0, "sar_accuracy": 0.5, "val_accuracy": 0.6}]
    fig2 = viz.plot_alignment_curves(history, relative=True, accuracy_key="val_accuracy",
                                     accuracy_label="SAR validation accuracy")
    np.testing.assert_allclose(fig2.axes[0].lines[0].get_ydata(), [2.0, 1.0])
    np.testing.assert_allclose(fig2.axes[1].lines[0].get_ydata(), [0.3, 0.6])
    assert fig2.axes[1].get_ylabel() == "SAR validation accuracy"


def test_class_colours_never_reuse_the_domain_colours():
    from matplotlib.colors import to_hex

    domain = {to_hex(c) for c in viz.DOMAIN_COLORS.values()}
    for k in (2, 4, 8, 10, 17):
        colours = [to_hex(c) for c in viz.class_colors(k)]
        assert len(set(colours)) == k and not domain & set(colours), k


def test_alignment_curves_leave_minor_log_ticks_unlabelled(run):
    from matplotlib.ticker import NullFormatter

    fig = viz.plot_alignment_curves(run, chance=0.25, relative=True)
    ax_sw = fig.axes[0]
    assert isinstance(ax_sw.yaxis.get_minor_formatter(), NullFormatter)
    assert ax_sw.get_yscale() == "log"


def test_per_class_panels_are_large_and_labelled(run, fake_umap):
    frames = embedding_views.embed_snapshots(run, progress=False)
    fig = viz.plot_class_alignment(frames, 4, class_names=["a", "b", "c"])
    visible = [ax for ax in fig.axes if ax.get_visible()]
    width = fig.get_size_inches()[0]
    assert width / 2 >= 4.0  # two panels a row for up to four classes
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in visible)


def test_figure_png_is_a_png():
    fig = Figure()
    fig.add_subplot().plot([0, 1])
    assert viz.figure_png(fig)[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(TypeError, match="dpi"):
        viz.figure_png(fig, dpi=80.0)


def test_training_figures_draw_on_given_axes_or_a_new_figure():
    conf = np.array([[3, 1], [0, 4]])
    fig = plot_confusion(conf, ["open land", "water body"], title="test")
    (ax,) = fig.axes
    np.testing.assert_allclose(ax.images[0].get_array(), [[0.75, 0.25], [0.0, 1.0]])
    assert [t.get_text() for t in ax.texts] == ["75%\n(3)", "25%\n(1)", "0%\n(0)",
                                                "100%\n(4)"]
    assert ax.images[0].get_clim() == (0, 1.0)  # the scale ends at the largest share
    weak = plot_confusion(np.array([[2, 2], [1, 3]]), ["a", "b"]).axes[0]
    assert weak.images[0].get_clim() == (0, 0.75)
    with pytest.raises(ValueError, match=r"shape \(3, 3\)"):
        plot_confusion(conf, ["a", "b", "c"])
    host = Figure()
    left, right = host.subplots(1, 2)
    histories = {"a": [{"epoch": 1, "acc": 0.5}, {"epoch": 2, "acc": 0.7}], "b": [{"epoch": 1}]}
    assert plot_runs(histories, "acc", ax=right, chance=0.25) is host
    assert [line.get_label() for line in right.lines] == ["a", "chance"]
    assert not left.lines
    with pytest.raises(ValueError, match="no run has the history entry 'loss'"):
        plot_runs(histories, "loss")
    styled = plot_runs(histories, "acc", styles={"a": {"color": "black", "linestyle": "--"}},
                       legend=False).axes[0]
    assert styled.lines[0].get_color() == "black" and styled.lines[0].get_linestyle() == "--"
    assert styled.get_legend() is None


def test_the_axes_helper_reuses_given_axes_or_makes_a_grid():
    fig, axes = figure_axes(None, 7, ncols=5, panel=(2.0, 1.5))
    assert len(axes) == 7 and len(fig.axes) == 10
    assert [ax.get_visible() for ax in fig.axes] == [True] * 7 + [False] * 3
    assert tuple(fig.get_size_inches()) == (10.0, 3.0)
    again, same = figure_axes(np.array(axes).reshape(7, 1), 7)
    assert again is fig and list(same) == list(axes)
    assert figure_axes(axes[0])[1][0] is axes[0]
    with pytest.raises(ValueError, match="needs 2 axes; got 7"):
        figure_axes(axes, 2)
    with pytest.raises(ValueError, match="needs 2 axes; got 1"):
        viz.plot_embedding_views(None, 0, axes=axes[0])


def test_the_axes_helper_can_make_a_pyplot_figure():
    import matplotlib.pyplot as plt

    fig, (ax,) = figure_axes(pyplot=True, figsize=(3.0, 2.0), layout=None)
    try:
        assert plt.fignum_exists(fig.number) and ax.figure is fig
    finally:
        plt.close(fig)
