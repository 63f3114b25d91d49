"""UMAP frames of joint EO and SAR embeddings, comparable from one epoch to the next, cached.

A training run with snapshots gives, per epoch, the EO embeddings phi(x) ``(n, D)`` and SAR
embeddings psi(x) ``(m, D)`` of the same probe samples. Each epoch becomes one 2-D frame: UMAP
(McInnes, Healy, Melville 2018, "UMAP: Uniform Manifold Approximation and Projection",
arXiv:1802.03426) of the stacked ``(n + m, D)`` cloud. Independent UMAP fits would rotate and
flip from epoch to epoch, so frames are made comparable by one of two fits (``fit=``):

- ``"chained"`` (default): the first frame is a plain UMAP fit; each later frame starts its
  optimisation from the previous frame's coordinates (``init=``) and is then mapped onto it by
  the best similarity transform (orthogonal Procrustes with scale and shift). Measured on the
  project's shared 2-core machine (busy: load average 8-12), after warm-up, medians of 3: 6
  frames of 400 points (D = 64) took 21 s chained against 148 s aligned, about 7x faster.
- ``"aligned"``: umap-learn's ``AlignedUMAP``, one joint optimisation of all frames with a
  penalty tying each probe point to itself in neighbouring frames: steadier, much slower.

Comparable is not identical: every fit re-optimises the layout, and UMAP places groups that are
not linked in its neighbour graph arbitrarily. On a made-up run whose EO points never move
(``tests/test_viz.py``), chained frames moved the EO class centres by up to about a quarter of the
layout's width from one frame to the next; independent fits moved them by 85-100%.

Frames are cached in memory keyed by a hash of the snapshots' content and the options, and
optionally in ``cache_dir`` (``frames-<hash>.npz``), so showing them again costs nothing.
UMAP is imported only when a fit is needed (its first fit in a process spends seconds
compiling with numba).
"""

from __future__ import annotations

import hashlib
import time
import warnings
import zipfile
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from swdkit._checks import check_choice, check_value
from swdkit._progress import show_progress
from swdkit.fileio import atomic_path
from swdkit.views._snapshot_checks import check_snapshots

FITS = ("chained", "aligned")  # how the frames of a run are fitted (see above)
_MEMORY: OrderedDict[str, EmbeddingFrames] = OrderedDict()
_MEMORY_SIZE = 32


@dataclass(frozen=True)
class EmbeddingFrames:
    """2-D frames of one run's snapshots.

    Attributes:
        epochs: ``(E,)`` int64 epoch of each frame.
        coords: ``(E, n + m, 2)`` float32; rows ``0..n-1`` are the EO probe points, the rest SAR.
        n_eo: n, the number of EO points per frame.
        labels: ``(n + m,)`` int64 class of each point (EO labels, then SAR labels).
        sw: ``(E,)`` SW between the domains per epoch (from the snapshots, in embedding space).
        sar_accuracy: ``(E,)`` SAR probe accuracy per epoch.
        fit: how the frames were fitted, ``"chained"`` or ``"aligned"``.
        key: hash of the snapshots' content and the options.
        fit_seconds: time the UMAP fits took (0.0 when the frames came from a cache).
    """

    epochs: np.ndarray
    coords: np.ndarray
    n_eo: int
    labels: np.ndarray
    sw: np.ndarray
    sar_accuracy: np.ndarray
    fit: str
    key: str
    fit_seconds: float = 0.0

    @property
    def domains(self) -> np.ndarray:
        """``(n + m,)`` int64: 0 for EO points, 1 for SAR points."""
        out = np.ones(self.coords.shape[1], dtype=np.int64)
        out[: self.n_eo] = 0
        return out

    def index_of(self, epoch: int) -> int:
        """Position of ``epoch`` in :attr:`epochs`; ValueError naming the epochs there are."""
        hits = np.flatnonzero(self.epochs == int(epoch))
        if hits.size == 0:
            raise ValueError(f"epoch {epoch!r} has no frame; the frames cover epochs "
                             f"{self.epochs.tolist()}.")
        return int(hits[0])

    def limits(self, margin: float = 0.05) -> tuple[tuple[float, float], tuple[float, float]]:
        """Axis limits ``((x0, x1), (y0, y1))`` covering every frame, so frames share axes."""
        lo, hi = self.coords.min(axis=(0, 1)), self.coords.max(axis=(0, 1))
        pad = (hi - lo) * margin + 1e-9
        return (float(lo[0] - pad[0]), float(hi[0] + pad[0])), (float(lo[1] - pad[1]),
                                                                float(hi[1] + pad[1]))


def procrustes_onto(moving: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Map ``moving (P, 2)`` onto ``reference (P, 2)`` by the best similarity transform.

    Minimises sum_i || s R a_i + t - b_i ||^2 over rotations/reflections R, scale s > 0 and shift
    t (Schoenemann 1966; Gower 1975): with centred A, B and the SVD A^T B = U S V^T,
    R = U V^T (applied as a_i^T R), s = trace(S) / ||A||_F^2, t = mean(b) - s mean(a) R.
    """
    a = np.asarray(moving, dtype=np.float64)
    b = np.asarray(reference, dtype=np.float64)
    ma, mb = a.mean(axis=0), b.mean(axis=0)
    ac, bc = a - ma, b - mb
    u, s, vt = np.linalg.svd(ac.T @ bc)
    rot = u @ vt
    denom = float((ac**2).sum())
    scale = float(s.sum()) / denom if denom > 0 else 1.0
    return scale * ac @ rot + mb


def snapshot_key(snapshots: Sequence[Any], **options: Any) -> str:
    """SHA-256 of the snapshots' arrays, epochs and metrics plus ``options`` (hex string)."""
    h = hashlib.sha256()
    for name, value in sorted(options.items()):
        h.update(f"{name}={value!r};".encode())
    for s in snapshots:
        h.update(f"epoch={int(s.epoch)};sw={float(s.sw)!r};acc={float(s.sar_accuracy)!r};"
                 .encode())
        for arr in (s.eo, s.sar, s.eo_labels, s.sar_labels):
            a = np.ascontiguousarray(arr)
            h.update(f"{a.dtype.str}{a.shape};".encode())
            h.update(a.tobytes())
    return h.hexdigest()


def _fit_chained(stacks: list[np.ndarray], umap_kwargs: dict, n_epochs_after: int | None,
                 progress: bool) -> np.ndarray:
    import umap
    from tqdm.auto import tqdm

    frames: list[np.ndarray] = []
    for x in tqdm(stacks, desc="UMAP frames", disable=not show_progress(progress)):
        if not frames:
            frame = umap.UMAP(**umap_kwargs).fit_transform(x)
        else:
            kwargs = dict(umap_kwargs, init=frames[-1].astype(np.float64))
            if n_epochs_after is not None:
                kwargs["n_epochs"] = n_epochs_after
            frame = procrustes_onto(umap.UMAP(**kwargs).fit_transform(x), frames[-1])
        frames.append(np.asarray(frame, dtype=np.float64))
    return np.stack(frames)


def _fit_aligned(stacks: list[np.ndarray], umap_kwargs: dict) -> np.ndarray:
    import umap

    n_points = stacks[0].shape[0]
    identity = {i: i for i in range(n_points)}
    if len(stacks) == 1:
        return umap.UMAP(**umap_kwargs).fit_transform(stacks[0])[None]
    model = umap.AlignedUMAP(**umap_kwargs).fit(stacks, relations=[identity] * (len(stacks) - 1))
    return np.stack([np.asarray(e) for e in model.embeddings_])


def _load(path: Path, key: str) -> np.ndarray | None:
    try:
        with np.load(path) as stored:
            if str(stored["key"]) == key:
                return stored["coords"]
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):
        return None  # unreadable or foreign: fit again and overwrite it
    return None


def embed_snapshots(snapshots: Sequence[Any], *, fit: str = "chained", n_neighbors: int = 15,
                    min_dist: float = 0.1, seed: int | None = 0,
                    n_epochs_after: int | None = 50, cache_dir: str | Path | None = None,
                    progress: bool = True) -> EmbeddingFrames:
    """One comparable 2-D UMAP frame per snapshot of a run, cached.

    Args:
        snapshots: per-epoch objects with ``epoch``, ``eo (n, D)``, ``sar (m, D)``,
            ``eo_labels (n,)``, ``sar_labels (m,)``, ``sw``, ``sar_accuracy`` (e.g.
            ``swdkit.train`` snapshots), the same probe samples in every epoch.
        fit: how the frames are fitted: ``"chained"`` (each frame initialised from the
            previous) or ``"aligned"`` (umap-learn's AlignedUMAP, all frames at once).
        n_neighbors, min_dist: UMAP's neighbourhood size and packing.
        seed: UMAP's ``random_state`` for reproducible frames (this makes UMAP single-threaded,
            1.2-1.9x slower); None for the faster, non-reproducible parallel fit.
        n_epochs_after: UMAP optimisation epochs for frames after the first in ``"chained"``
            (they start from a good layout); None keeps UMAP's default.
        cache_dir: folder for an on-disk cache (``frames-<hash>.npz``), or None for memory only.
        progress: show a tqdm bar over the frames.

    Returns:
        :class:`EmbeddingFrames`; the same object again when nothing changed.

    Raises:
        TypeError: a count or distance of the wrong type.
        ValueError: bad snapshots (see :func:`swdkit.views.check_snapshots`), an unknown
            ``fit`` or a number out of range.
    """
    snaps = check_snapshots(snapshots)
    check_choice("fit", fit, FITS)
    n_neighbors = check_value("n_neighbors", n_neighbors, "positive integer", minimum=2)
    min_dist = check_value("min_dist", min_dist, "number >= 0")
    seed = check_value("seed", seed, "integer >= 0", allow_none=True)
    n_epochs_after = check_value("n_epochs_after", n_epochs_after, "positive integer",
                                 allow_none=True)
    n_eo, n_sar = np.asarray(snaps[0].eo).shape[0], np.asarray(snaps[0].sar).shape[0]
    n_points = n_eo + n_sar
    if n_points < 4:
        raise ValueError(f"a UMAP frame needs at least 4 points (EO + SAR); got {n_points}.")
    options = dict(fit=fit, n_neighbors=n_neighbors, min_dist=min_dist, seed=seed,
                   n_epochs_after=n_epochs_after if fit == "chained" else None)
    key = snapshot_key(snaps, **options)
    if key in _MEMORY:
        _MEMORY.move_to_end(key)
        return _MEMORY[key]
    path = Path(cache_dir) / f"frames-{key[:24]}.npz" if cache_dir is not None else None
    coords = _load(path, key) if path is not None and path.exists() else None
    seconds = 0.0
    if coords is None:
        stacks = [np.concatenate([np.asarray(s.eo), np.asarray(s.sar)]).astype(np.float32)
                  for s in snaps]
        umap_kwargs = dict(n_neighbors=min(n_neighbors, n_points - 1), min_dist=min_dist,
                           random_state=seed)
        start = time.perf_counter()
        with warnings.catch_warnings():
            # Expected and documented above: random_state makes UMAP single-threaded, and
            # well-separated classes give a disconnected neighbour graph.
            warnings.filterwarnings("ignore", message="n_jobs value", category=UserWarning)
            warnings.filterwarnings("ignore", message="Graph is not fully connected",
                                    category=UserWarning)
            if fit == "chained":
                coords = _fit_chained(stacks, umap_kwargs, n_epochs_after, progress)
            else:
                coords = _fit_aligned(stacks, umap_kwargs)
        seconds = time.perf_counter() - start
        coords = coords.astype(np.float32)
        if path is not None:
            with atomic_path(path) as tmp, open(tmp, "wb") as fh:
                np.savez(fh, key=np.array(key), coords=coords)
    frames = EmbeddingFrames(
        epochs=np.array([int(s.epoch) for s in snaps], dtype=np.int64),
        coords=np.asarray(coords, dtype=np.float32), n_eo=int(n_eo),
        labels=np.concatenate([np.asarray(snaps[0].eo_labels),
                               np.asarray(snaps[0].sar_labels)]).astype(np.int64),
        sw=np.array([float(s.sw) for s in snaps]),
        sar_accuracy=np.array([float(s.sar_accuracy) for s in snaps]),
        fit=fit, key=key, fit_seconds=seconds)
    _MEMORY[key] = frames
    while len(_MEMORY) > _MEMORY_SIZE:
        _MEMORY.popitem(last=False)
    return frames


def clear_memory_cache() -> None:
    """Forget every frame set held in memory (the on-disk cache is left alone)."""
    _MEMORY.clear()
