"""Splits of the synthetic set: their cities, their sample plans, and block-wise rendering.

Each split (training, validation, testing) has its own cities, like So2Sat's geographic split.
A split's *plan* fixes every sample's class and city (classes balanced, each class spread
evenly over the split's cities, order shuffled). Rendering runs in blocks of ``CHUNK`` samples,
each with its own random stream derived from ``(seed, split, block)``, so the arrays do not
depend on how many threads render them. Public entry points live in
:mod:`swdkit.data.synthetic._make`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from swdkit.data.synthetic._options import DEFAULT_OPTIONS, RadarOptions

SPLITS = ("training", "validation", "testing")
N_CLASSES = 17
N_CITIES = {"training": 10, "validation": 3, "testing": 4}
CHUNK = 256
_CITY_STREAM = 1000


def split_cities(split: str) -> np.ndarray:
    """Global city indices of a split (disjoint across splits): int ``(n_cities,)``."""
    check_split(split)
    start = sum(N_CITIES[s] for s in SPLITS[:SPLITS.index(split)])
    return np.arange(start, start + N_CITIES[split])


def check_split(split: str) -> None:
    """Raise ``ValueError`` (naming the valid splits) unless ``split`` is one of :data:`SPLITS`."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {list(SPLITS)}; got {split!r}.")


def city_table(seed: int) -> dict[str, np.ndarray]:
    """Every city of every split (:func:`swdkit.data.synthetic._cities.draw_cities`), drawn
    from a stream of its own so that the sizes of the splits do not change the cities."""
    from swdkit.data.synthetic._cities import draw_cities

    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_CITY_STREAM,)))
    return draw_cities(rng, sum(N_CITIES.values()))


def sample_plan(split: str, n_per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Shuffled class labels and city of every sample of a split: int ``(N,)`` each."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(SPLITS.index(split), 0)))
    labels = rng.permutation(np.repeat(np.arange(N_CLASSES), n_per_class))
    cities = split_cities(split)
    # Each class spreads evenly over the split's cities (then the order is shuffled).
    rank = np.empty_like(labels)
    for c in range(N_CLASSES):
        where = np.flatnonzero(labels == c)
        rank[where] = rng.permutation(where.size)
    city = cities[(rank + rng.integers(0, cities.size)) % cities.size]
    return labels, city


def render_samples(labels: np.ndarray, city: np.ndarray, cities: dict[str, np.ndarray],
                   rng: np.random.Generator, scatterer_db: float | None = 0.0,
                   looks: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Render co-registered Sentinel-1 and Sentinel-2 patches of given classes and cities.

    Args:
        labels: int ``(n,)`` class index 0..16 (So2Sat order).
        city: int ``(n,)`` index into ``cities``.
        cities: city table (:func:`swdkit.data.synthetic._cities.draw_cities`).
        rng: numpy generator.
        scatterer_db: strength of the radar's bright point scatterers, dB relative to the
            calibrated default (None: none; :mod:`swdkit.data.synthetic._scatterers`).
        looks: independent looks averaged into the radar intensity
            (:func:`swdkit.data.synthetic._sar.render_sar`; 1: single-look).

    Returns:
        ``(sen1, sen2)``: float32 ``(n, 32, 32, 8)`` and ``(n, 32, 32, 10)``.
    """
    from swdkit.data.synthetic._cities import scene_nuisance
    from swdkit.data.synthetic._classes import draw_layout
    from swdkit.data.synthetic._eo import render_eo
    from swdkit.data.synthetic._sar import render_sar
    from swdkit.data.synthetic._scenes import render_scenes

    layout = draw_layout(rng, labels, cities, city)
    nuisance = scene_nuisance(rng, cities, city)
    scene = render_scenes(rng, layout)
    sen2 = render_eo(rng, scene, nuisance)
    sen1 = render_sar(rng, scene, nuisance, scatterer_db, looks)
    return sen1, sen2


def iter_split(split: str, n_per_class: int, seed: int, workers: int,
               options: RadarOptions = DEFAULT_OPTIONS
               ) -> Iterator[tuple[int, dict[str, np.ndarray]]]:
    """Yield ``(start, arrays)`` blocks of a split in file order, rendered by worker threads
    with the radar knobs ``options`` (:class:`swdkit.data.synthetic._options.RadarOptions`;
    a twin set's VV channels are made last, from the block's stream:
    :mod:`swdkit.data.synthetic._twin`)."""
    from swdkit.data.synthetic._twin import twin_matrix, twin_sar

    labels, city = sample_plan(split, n_per_class, seed)
    cities = city_table(seed)
    matrix = None if options.twin is None else twin_matrix(seed)
    starts = list(range(0, labels.size, CHUNK))
    split_id = SPLITS.index(split)

    def work(start: int) -> dict[str, np.ndarray]:
        """Render the block of samples ``[start, start + CHUNK)`` from its own stream."""
        stop = min(start + CHUNK, labels.size)
        seq = np.random.SeedSequence(seed, spawn_key=(split_id, 1 + start // CHUNK))
        rng = np.random.default_rng(seq)
        sen1, sen2 = render_samples(labels[start:stop], city[start:stop], cities, rng,
                                    options.scatterer_db, options.looks)
        if matrix is not None:
            sen1 = twin_sar(rng, sen1, sen2, matrix, options.twin, options.looks)
        onehot = np.zeros((stop - start, N_CLASSES), np.float32)
        onehot[np.arange(stop - start), labels[start:stop]] = 1.0
        return {"sen1": sen1, "sen2": sen2, "label": onehot,
                "city": city[start:stop].astype(np.int16)}

    if workers <= 1:
        for start in starts:
            yield start, work(start)
        return
    pool = ThreadPoolExecutor(max_workers=workers)
    try:  # at most 2 blocks per worker in flight, so memory stays bounded
        pending = [(s, pool.submit(work, s)) for s in starts[:2 * workers]]
        nxt = 2 * workers
        while pending:
            start, fut = pending.pop(0)
            if nxt < len(starts):
                pending.append((starts[nxt], pool.submit(work, starts[nxt])))
                nxt += 1
            yield start, fut.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def default_workers() -> int:
    """Render threads: one per available core, at most 4."""
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                      else (os.cpu_count() or 1)))
