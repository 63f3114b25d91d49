"""Figures and interactive views: data figures, training curves, UMAP frames of embedding
snapshots, per-class alignment, the alignment explorer and the SWD playground widgets.
"""

from __future__ import annotations

from swdkit.views._alignment_stats import (
    centroid_accuracy,
    eo_centroids,
    nearest_centroid,
    per_class_alignment,
)
from swdkit.views._data_figures import (
    gallery_indices,
    gallery_mosaic,
    plot_class_counts,
    plot_class_gallery,
    plot_sar_histograms,
)
from swdkit.views._display import rgb_image, sar_amplitude_db, sar_phase, stretch, stretch_limits
from swdkit.views._explorer import AlignmentExplorer, LiveFigureWidget
from swdkit.views._playground import SWDPlayground, plot_swd_playground
from swdkit.views._plots import (
    COLOR_BY,
    DOMAIN_COLORS,
    class_colors,
    figure_png,
    plot_alignment_curves,
    plot_class_alignment,
    plot_embedding,
    plot_embedding_views,
)
from swdkit.views._snapshot_checks import check_runs, check_snapshots
from swdkit.views._toy_flow import (
    Flow,
    Matching,
    direction,
    fixed_directions,
    flow_step,
    make_toy_clouds,
    sliced_wasserstein_2d,
    sliced_wasserstein_flow,
    sorted_matching,
)
from swdkit.views._training_figures import plot_confusion, plot_runs
from swdkit.views._umap_frames import (
    EmbeddingFrames,
    clear_memory_cache,
    embed_snapshots,
    procrustes_onto,
    snapshot_key,
)

__all__ = [
    "AlignmentExplorer", "COLOR_BY", "DOMAIN_COLORS", "EmbeddingFrames", "Flow",
    "LiveFigureWidget", "Matching", "SWDPlayground", "centroid_accuracy", "check_runs",
    "check_snapshots", "class_colors", "clear_memory_cache", "direction", "embed_snapshots",
    "eo_centroids", "figure_png", "fixed_directions", "flow_step", "gallery_indices",
    "gallery_mosaic", "make_toy_clouds", "nearest_centroid", "per_class_alignment",
    "plot_alignment_curves", "plot_class_alignment", "plot_class_counts", "plot_class_gallery",
    "plot_confusion", "plot_embedding", "plot_embedding_views", "plot_runs", "plot_sar_histograms",
    "plot_swd_playground", "procrustes_onto", "rgb_image", "sar_amplitude_db", "sar_phase",
    "sliced_wasserstein_2d", "sliced_wasserstein_flow", "snapshot_key", "sorted_matching",
    "stretch", "stretch_limits",
]
