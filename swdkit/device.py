"""Choosing the compute device once (CUDA, then Apple MPS, then the CPU), and its precision."""

from __future__ import annotations

import contextlib

import torch

_CHOICES = "'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'"


def pick_device(device: str | torch.device | None = "auto") -> torch.device:
    """Return the device to compute on.

    Args:
        device: ``None`` or ``"auto"`` picks CUDA when available, then Apple MPS, then the
            CPU; anything else (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``, a
            ``torch.device``) forces that device.

    Raises:
        ValueError: the name is not a device, or the forced device is not available here.
    """
    if device is None or device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as err:
        raise ValueError(f"device={device!r} is not a device name; use {_CHOICES}") from err
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} was asked for, but this machine has no usable "
                         "CUDA GPU (torch.cuda.is_available() is False); use 'auto' or 'cpu'")
    if dev.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise ValueError(f"device={device!r} was asked for, but Apple MPS is not available "
                             "here; use 'auto' or 'cpu'")
    if dev.type not in ("cpu", "cuda", "mps"):
        raise ValueError(f"device={device!r} is not supported; use {_CHOICES}")
    return dev


def autocast(device: torch.device) -> contextlib.AbstractContextManager:
    """bfloat16 autocast on CUDA; nothing elsewhere (CPU results stay exactly reproducible)."""
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()
