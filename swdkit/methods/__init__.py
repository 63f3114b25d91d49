"""Transfer methods end to end: one registry of methods, the presets, the cached EO pretraining
and :func:`run_method`, the unit the lessons and the experiment grid build on.
"""

from __future__ import annotations

from swdkit.methods._config import PHASE_FIELDS, PRESETS, MethodConfig, phase_config, resolve_config
from swdkit.methods._pretrained import (
    CheckpointWarning,
    PretrainedEO,
    build_net,
    load_or_pretrain_eo,
)
from swdkit.methods._registry import METHODS, REGISTRY, Method, get_method
from swdkit.methods._run import MethodResult, RunStart, finish_run, run_method, start_run

__all__ = [
    "CheckpointWarning", "METHODS", "Method", "MethodConfig", "MethodResult", "PHASE_FIELDS",
    "PRESETS", "PretrainedEO", "REGISTRY", "RunStart", "build_net", "finish_run", "get_method",
    "load_or_pretrain_eo", "phase_config", "resolve_config", "run_method", "start_run",
]
