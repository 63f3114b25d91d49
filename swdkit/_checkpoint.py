"""Reading checkpoints safely and strictly (private; the public face is :mod:`swdkit.models`).

A checkpoint is a plain state dict plus plain data, read with ``torch.load(...,
weights_only=True)``: a file holding anything else is refused, never loaded another way, and the
error names the file and says what to do (PyTorch's own message advises an unsafe load, so it is
not repeated). Weights load strictly: every key of the network, with its shape, or nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch
from torch import nn


class CheckpointError(ValueError):
    """A checkpoint file that cannot be used: unreadable, or not the network it should hold.

    Attributes:
        path: the file.
        problem: what is wrong with it, without the remedy (for messages that add their own).
    """

    def __init__(self, path: str | os.PathLike, problem: str,
                 remedy: str = "delete it and train the network again") -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"checkpoint {str(path)!r} {problem}; {remedy}")


def read_checkpoint(path: str | os.PathLike, *,
                    map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """The payload of a file written by :func:`save_checkpoint`, loaded with ``weights_only=True``.

    A checkpoint cannot run code: a file holding anything but tensors and plain data is refused,
    never loaded another way.

    Raises:
        FileNotFoundError: there is no such file.
        CheckpointError: (a ``ValueError``) the file is damaged, holds objects other than plain
            data, or is not a swdkit checkpoint; the message names the file and what to do.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {str(path)!r} does not exist; train the network "
                                "and save it with swdkit.models.save_checkpoint first")
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as err:  # torch's own message advises an unsafe load: not repeated here
        if "Unsupported global" in str(err):
            problem = ("holds objects other than tensors and plain data, which could run code, "
                       "so swdkit does not load it")
        else:
            problem = f"cannot be read: it is damaged or truncated ({type(err).__name__})"
        raise CheckpointError(path, problem) from None
    if not (isinstance(payload, dict) and isinstance(payload.get("config"), dict)
            and isinstance(payload.get("state_dict"), dict)):
        raise CheckpointError(path, "is not a swdkit checkpoint (expected a dict with 'config' "
                              "and 'state_dict')", "give a file saved by save_checkpoint")
    return payload


def _shape(value: Any) -> tuple[int, ...] | None:
    return tuple(value.shape) if isinstance(value, torch.Tensor) else None


def check_state(module: nn.Module, state: dict[str, Any], *, path: str | os.PathLike,
                prefix: str = "") -> None:
    """Check that ``state`` has exactly ``module``'s keys, each a tensor of the same shape.

    Args:
        module: the network (part) to load into.
        state: its weights as read from the file.
        path: the file, for the message.
        prefix: put before the key names in the message (``"eo_encoder."`` for a part).

    Raises:
        CheckpointError: keys missing, unexpected or of another shape (the first few named).
    """
    own = module.state_dict()
    problems = [f"missing {prefix}{k}" for k in own if k not in state]
    problems += [f"unexpected {prefix}{k}" for k in state if k not in own]
    problems += [f"{prefix}{k} has shape {_shape(state[k])}, the network {tuple(v.shape)}"
                 for k, v in own.items() if k in state and _shape(state[k]) != tuple(v.shape)]
    if problems:
        more = f" and {len(problems) - 3} more" if len(problems) > 3 else ""
        raise CheckpointError(path, f"does not match the network ({'; '.join(problems[:3])}"
                              f"{more})")


def load_state_strictly(module: nn.Module, state: dict[str, Any], *,
                        path: str | os.PathLike) -> None:
    """Load ``state`` into ``module`` after :func:`check_state`: all of it or nothing.

    Raises:
        CheckpointError: see :func:`check_state`; ``module`` is then left as it was.
    """
    check_state(module, state, path=path)
    module.load_state_dict(state, strict=True)
