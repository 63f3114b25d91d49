"""swdkit: few-shot optical-to-radar (EO-to-SAR) transfer by sliced-Wasserstein alignment.

A teaching toolkit around the method of Rostami et al. (2019) as studied by Hussing, Li and
Eaton ("Land Use Prediction using Electro-Optical to SAR Few-Shot Transfer Learning") on So2Sat
LCZ42. Sentinel-2 is the optical (EO) sensor and Sentinel-1 the radar (SAR).

The subpackages, in the order the lessons meet them: :mod:`swdkit.data` (So2Sat and the
synthetic set), :mod:`swdkit.models` (the Y-net), :mod:`swdkit.losses` (sliced Wasserstein,
SupCon, MMD, CORAL), :mod:`swdkit.train` (the training phases), :mod:`swdkit.methods` (transfer
methods end to end), :mod:`swdkit.views` (figures and widgets), :mod:`swdkit.experiments`
(grids and reports), :mod:`swdkit.notebooks` (the batch runner).

``import swdkit`` is light: the subpackages (and torch, umap, ipywidgets, h5py) load on first
use, so ``swdkit.losses`` or ``swdkit.sliced_wasserstein`` import what they need when touched.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBPACKAGES = (
    "data", "models", "losses", "train", "methods", "views", "experiments", "notebooks",
    "device", "envcheck", "fileio", "cli",
)

# Public functions offered at the top level: name -> the subpackage that defines it.
_EXPORTS = {
    "pick_device": "device",
    "record_metrics": "notebooks",
    "save_figure": "notebooks",
    "load_metrics": "notebooks",
    "sliced_wasserstein": "losses",
    "class_conditional_swd": "losses",
    "max_sliced_wasserstein": "losses",
    "supcon_loss": "losses",
}

__all__ = ["__version__", *sorted(_SUBPACKAGES), *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    # Lazy loading only (PEP 562): nothing is forwarded that a subpackage does not export.
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"swdkit.{_EXPORTS[name]}"), name)
    if name in _SUBPACKAGES:
        return importlib.import_module(f"swdkit.{name}")
    raise AttributeError(f"module 'swdkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
