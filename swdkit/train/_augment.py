"""Random augmentations of image batches, done on tensors on their own device.

Used for the two views of supervised contrastive pretraining (Khosla et al. 2020, "Supervised
Contrastive Learning", NeurIPS). Satellite patches have no "up", so the eight symmetries of the
square (90-degree rotations and flips) are label-preserving; small shifts add translation
jitter. Everything is vectorised over the batch: no Python loop over samples, no DataLoader.
Randomness comes only from the ``generator`` (a CPU ``torch.Generator``), so a seed fixes
the views on every device.
"""

from __future__ import annotations

import math

import torch


def _draw(low: int, high: int, size: int, generator: torch.Generator | None,
          device: torch.device) -> torch.Tensor:
    """Integers in ``[low, high)`` drawn on the CPU (reproducible) and moved to ``device``."""
    return torch.randint(low, high, (size,), generator=generator).to(device)


def random_dihedral(x: torch.Tensor, *, generator: torch.Generator | None = None) -> torch.Tensor:
    """Apply to each image one of the 8 symmetries of the square, uniformly at random.

    A horizontal flip with probability 1/2, then a rotation by k * 90 degrees, k uniform in
    {0, 1, 2, 3}. Shape ``(B, C, H, W)`` with ``H == W``, kept.
    """
    if x.ndim != 4 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"x must be a batch of square images (B, C, H, H), got {tuple(x.shape)}")
    b = x.shape[0]
    flip = _draw(0, 2, b, generator, x.device).bool().view(b, 1, 1, 1)
    out = torch.where(flip, x.flip(-1), x)
    k = _draw(0, 4, b, generator, x.device)
    rotated = out.clone()
    for turns in (1, 2, 3):
        chosen = k == turns
        if bool(chosen.any()):
            rotated[chosen] = torch.rot90(out[chosen], turns, dims=(-2, -1))
    return rotated


def random_shift(x: torch.Tensor, *, max_shift: int = 2,
                 generator: torch.Generator | None = None) -> torch.Tensor:
    """Translate each image by its own random offset of at most ``max_shift`` pixels per axis.

    The image is padded by reflection and a window of the original size is cut at offsets
    ``(dy, dx)`` uniform in ``{-max_shift, ..., max_shift}``. Shape ``(B, C, H, W)``, kept.
    """
    if x.ndim != 4:
        raise ValueError(f"x must have shape (B, C, H, W), got {tuple(x.shape)}")
    if isinstance(max_shift, bool) or not isinstance(max_shift, int) or max_shift < 0:
        raise ValueError(f"max_shift must be a non-negative integer, got {max_shift!r}")
    if max_shift == 0:
        return x
    b, c, h, w = x.shape
    if max_shift >= min(h, w):
        raise ValueError(f"max_shift={max_shift} must be smaller than the image side {min(h, w)}")
    padded = torch.nn.functional.pad(x, (max_shift,) * 4, mode="reflect")
    dy = _draw(0, 2 * max_shift + 1, b, generator, x.device)
    dx = _draw(0, 2 * max_shift + 1, b, generator, x.device)
    rows = (dy[:, None] + torch.arange(h, device=x.device))[:, :, None]  # (B, H, 1)
    cols = (dx[:, None] + torch.arange(w, device=x.device))[:, None, :]  # (B, 1, W)
    batch = torch.arange(b, device=x.device)[:, None, None]
    # Advanced indexing on dims 0, 2, 3 puts the channel dimension last: (B, H, W, C).
    return padded[batch, :, rows, cols].permute(0, 3, 1, 2).contiguous()


def augment(x: torch.Tensor, *, max_shift: int = 2,
            generator: torch.Generator | None = None) -> torch.Tensor:
    """One random view: a symmetry of the square, then a small shift. ``(B, C, H, H)``."""
    return random_shift(random_dihedral(x, generator=generator), max_shift=max_shift,
                        generator=generator)


def two_views(x: torch.Tensor, *, max_shift: int = 2,
              generator: torch.Generator | None = None) -> torch.Tensor:
    """Two independent views of each image, stacked as ``(2B, C, H, W)``: all first views,
    then all second views (so view ``v`` of sample ``i`` is row ``v * B + i``)."""
    return torch.cat([augment(x, max_shift=max_shift, generator=generator),
                      augment(x, max_shift=max_shift, generator=generator)])


def random_phase(x: torch.Tensor, *, generator: torch.Generator | None = None,
                 angles: torch.Tensor | None = None) -> torch.Tensor:
    """Rotate the complex value (channel 0 real, channel 1 imaginary) of each image by one angle.

    Args:
        x: ``(B, 2, H, W)`` SAR images (real, imaginary).
        generator: draws the angles, uniform in [0, 2 pi) (CPU generator, reproducible).
        angles: ``(B,)`` angles in radians instead of drawing them.

    Returns:
        ``(B, 2, H, W)``; the amplitude ``sqrt(re^2 + im^2)`` of every pixel is unchanged.
    """
    if x.ndim != 4 or x.shape[1] != 2:
        raise ValueError(f"x must be SAR images (B, 2, H, W) (real, imaginary); got "
                         f"{tuple(x.shape)}")
    if angles is None:
        angles = torch.rand(x.shape[0], generator=generator) * (2 * math.pi)
    angles = angles.to(device=x.device, dtype=x.dtype).view(-1, 1, 1)
    cos, sin = torch.cos(angles), torch.sin(angles)
    re, im = x[:, 0], x[:, 1]
    return torch.stack([re * cos - im * sin, re * sin + im * cos], dim=1)


def sar_view(x: torch.Tensor, *, max_shift: int = 2, phase: bool = True,
             generator: torch.Generator | None = None) -> torch.Tensor:
    """One random view of SAR images: symmetry, shift and (optionally) a phase rotation."""
    out = augment(x, max_shift=max_shift, generator=generator)
    return random_phase(out, generator=generator) if phase else out
