"""The built-in synthetic So2Sat-format data set: Local Climate Zone scenes rendered by an
optical (Sentinel-2) and a radar (Sentinel-1) sensor model, with per-city nuisance.
"""

from __future__ import annotations

from swdkit.data.synthetic._classes import CLASS_TABLE
from swdkit.data.synthetic._make import (
    DEFAULT_N_TEST,
    DEFAULT_N_TRAIN,
    DEFAULT_N_VAL,
    GENERATOR_NAME,
    GENERATOR_VERSION,
    SPLIT_FILES,
    generate_split,
    make_synthetic,
    read_attributes,
    synthetic_matches,
)

__all__ = [
    "CLASS_TABLE", "DEFAULT_N_TEST", "DEFAULT_N_TRAIN", "DEFAULT_N_VAL", "GENERATOR_NAME",
    "GENERATOR_VERSION", "SPLIT_FILES", "generate_split", "make_synthetic", "read_attributes",
    "synthetic_matches",
]
