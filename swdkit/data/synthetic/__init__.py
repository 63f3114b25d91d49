"""The built-in synthetic So2Sat-format data set: Local Climate Zone scenes rendered by an
optical (Sentinel-2) and a radar (Sentinel-1) sensor model, with per-city nuisance, and its
calibration against the published channel statistics of the real So2Sat LCZ42. Three radar
knobs (:class:`RadarOptions`: ``scatterer_db``, ``looks``, ``twin``) make variants; the twin
set's known map is :func:`twin_matrix`.
"""

from __future__ import annotations

from swdkit.data.synthetic._calibration import (
    CHANNELS,
    REAL_MEAN,
    REAL_STD,
    ChannelStat,
    bright_share,
    calibration_table,
    channel_statistics,
)
from swdkit.data.synthetic._classes import CLASS_TABLE
from swdkit.data.synthetic._folder import (
    DEFAULT_N_TEST,
    DEFAULT_N_TRAIN,
    DEFAULT_N_VAL,
    GENERATOR_NAME,
    GENERATOR_VERSION,
    SPLIT_FILES,
    check_output_folder,
    read_attributes,
    synthetic_matches,
)
from swdkit.data.synthetic._make import generate_split, make_synthetic
from swdkit.data.synthetic._options import RadarOptions
from swdkit.data.synthetic._twin import twin_matrix

__all__ = [
    "bright_share", "calibration_table", "channel_statistics", "CHANNELS", "ChannelStat",
    "check_output_folder", "CLASS_TABLE", "DEFAULT_N_TEST", "DEFAULT_N_TRAIN", "DEFAULT_N_VAL",
    "generate_split", "GENERATOR_NAME", "GENERATOR_VERSION", "make_synthetic", "RadarOptions",
    "read_attributes", "REAL_MEAN", "REAL_STD", "SPLIT_FILES", "synthetic_matches", "twin_matrix",
]
