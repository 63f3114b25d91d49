"""Transfer methods end to end: one registry of methods, the presets, the cached EO pretraining
and :func:`run_method`, the unit the lessons and the experiment grid build on. The ``features``
method, the classical floor, needs no network: texture statistics of the SAR patches
(:func:`sar_texture_features`) and a shrinkage linear discriminant (:class:`ShrinkageLDA`).
"""

from __future__ import annotations

from swdkit.methods._config import (
    PAPER_PROTOCOL,
    PHASE_FIELDS,
    PRESETS,
    MethodConfig,
    phase_config,
    resolve_config,
)
from swdkit.methods._features import (
    FeatureClassifier,
    ShrinkageLDA,
    fit_feature_classifier,
    ledoit_wolf_shrinkage,
)
from swdkit.methods._pretrained import (
    CheckpointWarning,
    PretrainedEO,
    build_net,
    load_or_pretrain_eo,
)
from swdkit.methods._registry import (
    METHODS,
    NETWORK_METHODS,
    REGISTRY,
    SAR_INIT_FIELDS,
    Method,
    get_method,
)
from swdkit.methods._run import (
    MethodResult,
    RunStart,
    finish_run,
    run_fitted,
    run_method,
    start_run,
)
from swdkit.methods._texture import (
    FEATURE_NAMES,
    sar_intensity,
    sar_texture_features,
    texture_statistics,
)

__all__ = [
    "CheckpointWarning", "FEATURE_NAMES", "FeatureClassifier", "METHODS", "Method",
    "MethodConfig", "MethodResult", "NETWORK_METHODS", "PAPER_PROTOCOL", "PHASE_FIELDS",
    "PRESETS", "PretrainedEO", "REGISTRY", "RunStart", "SAR_INIT_FIELDS", "ShrinkageLDA",
    "build_net", "finish_run",
    "fit_feature_classifier", "get_method", "ledoit_wolf_shrinkage", "load_or_pretrain_eo",
    "phase_config", "resolve_config", "run_fitted", "run_method", "sar_intensity",
    "sar_texture_features", "start_run", "texture_statistics",
]
