"""What this machine offers the lessons: versions, the compute device, the data set."""

from __future__ import annotations

import importlib.metadata
import os
import platform
from pathlib import Path
from typing import Any

PACKAGES = ("torch", "numpy", "h5py", "matplotlib", "umap-learn", "ipywidgets", "jupyterlab",
            "papermill", "tqdm", "pyyaml", "scipy")
SPLIT_FILES = ("training.h5", "validation.h5", "testing.h5")


def package_versions(names: tuple[str, ...] = PACKAGES) -> dict[str, str | None]:
    """Installed version of each distribution (None when it is not installed)."""
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def device_report(device: str = "auto") -> dict[str, Any]:
    """The device :func:`swdkit.pick_device` chooses, with its name and the CPU threads."""
    import torch

    from swdkit.device import pick_device

    dev = pick_device(device)
    name = platform.processor() or platform.machine()
    if dev.type == "cuda":
        name = torch.cuda.get_device_name(dev)
    return {"device": str(dev), "device_name": name, "cpu_threads": torch.get_num_threads(),
            "cpu_count": os.cpu_count()}


def dataset_report(data_dir: str | os.PathLike) -> dict[str, Any]:
    """Which So2Sat split files a folder holds, their sample counts and generator attributes."""
    import h5py

    root = Path(data_dir)
    report: dict[str, Any] = {"data_dir": str(root), "present": False, "splits": {}}
    for name in SPLIT_FILES:
        path = root / name
        if not path.exists():
            continue
        with h5py.File(path, "r") as f:
            n = int(f["label"].shape[0]) if "label" in f else None
            report["splits"][name] = {
                "samples": n, "megabytes": round(path.stat().st_size / 1e6, 1),
                "attributes": {k: _plain(v) for k, v in f.attrs.items()}}
    report["present"] = len(report["splits"]) == len(SPLIT_FILES)
    return report


def _plain(value: Any) -> Any:
    return value.tolist() if hasattr(value, "tolist") else value


def environment_report(device: str = "auto", data_dir: str | os.PathLike | None = None
                       ) -> dict[str, Any]:
    """Everything above in one dictionary (``data_dir=None``: the default synthetic folder)."""
    from swdkit.data import default_data_dir

    return {"python": platform.python_version(), "platform": platform.platform(),
            "packages": package_versions(), **device_report(device),
            "dataset": dataset_report(data_dir or default_data_dir())}
