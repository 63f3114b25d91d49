"""The data every lesson reads: So2Sat LCZ42 splits (real or synthetic), the class sets,
few-shot sampling, normalisation and the lesson data bundle.

Every source yields the same :class:`Split`: EO float32 ``(N, 3, 32, 32)`` (Sentinel-2 B4, B3,
B2), SAR float32 ``(N, 2, 32, 32)`` (Sentinel-1 VV real, imaginary) and labels int64 ``(N,)``
renumbered for the class set. :func:`load_lesson_data` is the one call a notebook makes.
Reading and preparing the HDF5 files is in :mod:`swdkit.data.io`; the synthetic generator in
:mod:`swdkit.data.synthetic`.
"""

from __future__ import annotations

from swdkit.data._classes import (
    CLASS_NAMES,
    CLASS_SETS,
    EO_CHANNELS,
    EO_SEN2_INDICES,
    SAR_CHANNELS,
    SAR_SEN1_INDICES,
    SEN1_CHANNELS,
    SEN2_BANDS,
    resolve_classes,
)
from swdkit.data._lesson import LessonData, ensure_synthetic, is_synthetic, load_lesson_data
from swdkit.data._normalize import (
    SAR_NORMS,
    NormStats,
    fit_normalization,
    normalize_eo,
    normalize_sar,
    normalize_split,
)
from swdkit.data._representation import DEFAULT_SAR_INPUT, SAR_INPUTS, sar_representation
from swdkit.data._split import (
    DATA_DIR_ENV,
    VERSIONS,
    Split,
    default_data_dir,
    few_shot_indices,
    load_split,
    missing_hint,
    split_path,
)

__all__ = [
    "CLASS_NAMES", "CLASS_SETS", "DATA_DIR_ENV", "DEFAULT_SAR_INPUT", "EO_CHANNELS",
    "EO_SEN2_INDICES", "LessonData", "NormStats", "SAR_CHANNELS", "SAR_INPUTS", "SAR_NORMS",
    "SAR_SEN1_INDICES", "SEN1_CHANNELS", "SEN2_BANDS", "Split", "VERSIONS", "default_data_dir",
    "ensure_synthetic", "few_shot_indices", "fit_normalization", "is_synthetic",
    "load_lesson_data", "load_split", "missing_hint", "normalize_eo", "normalize_sar",
    "normalize_split", "resolve_classes", "sar_representation", "split_path",
]
