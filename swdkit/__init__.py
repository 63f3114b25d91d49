"""swdkit: few-shot optical-to-radar (EO-to-SAR) transfer by sliced-Wasserstein alignment.

A teaching toolkit around the method of Rostami et al. (2019) as studied by Hussing, Li and
Eaton ("Land Use Prediction using Electro-Optical to SAR Few-Shot Transfer Learning") on So2Sat
LCZ42. Sentinel-2 is the optical (EO) sensor and Sentinel-1 the radar (SAR).

``import swdkit`` is light: submodules (and torch, umap, ipywidgets, h5py) load on first use,
so ``swdkit.losses`` or ``swdkit.sliced_wasserstein`` import what they need when touched.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# The main submodules, for ``dir(swdkit)``; any other submodule also loads on attribute access.
_SUBMODULES = {
    "cli", "data", "device", "experiments", "fileio", "losses", "models", "notebook_io",
    "pipeline", "runner", "synthetic", "train", "viz", "widgets",
}

# Public functions re-exported at the top level: name -> submodule that defines it.
_EXPORTS = {
    "pick_device": "device",
    "record_metrics": "notebook_io",
    "save_figure": "notebook_io",
    "load_metrics": "notebook_io",
    "sliced_wasserstein": "losses",
    "class_conditional_swd": "losses",
    "max_sliced_wasserstein": "losses",
    "supcon_loss": "losses",
}

__all__ = ["__version__", *sorted(_SUBMODULES), *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"swdkit.{_EXPORTS[name]}"), name)
    if not name.startswith("_"):
        try:
            return importlib.import_module(f"swdkit.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"swdkit.{name}":
                raise
    raise AttributeError(f"module 'swdkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
