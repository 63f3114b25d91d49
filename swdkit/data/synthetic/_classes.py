"""The 17 local climate zones as distributions of latent scene parameters.

Stewart and Oke ("Local climate zones for urban temperature studies", Bulletin of the American
Meteorological Society 93(12), 1879-1900, 2012, Table 3) define each built LCZ by ranges of
building surface fraction (``bsf``), impervious surface fraction and the height of roughness
elements; the ranges below follow that table (``isf`` here is the impervious *ground*, streets and
paved open space). The layout quantities (block pitch, street width, lot size, occupancy,
irregularity) and the land-cover mixtures of the natural classes are this generator's own choice
of a typical example of each definition, in metres.

Each scene draws its parameters uniformly from its class's range widened by ``RANGE_SOFTNESS``
times the range on both sides. Stewart and Oke call their ranges typical, not strict, and real
patches straddle zone boundaries; this widening is the one knob that makes neighbouring classes
(compact vs open, low-rise vs mid-rise) overlap. It was set to 0.25 once, for that reason, and
not tuned against any transfer method.
"""

from __future__ import annotations

import numpy as np

RANGE_SOFTNESS = 0.25

_URBAN_DEFAULTS = {
    "height_sd": 0.3, "warp": (0.0, 3.0), "round_p": 0.0, "paved_street_p": 1.0,
    "cover_conc": 4.0, "parcel_p": 0.0, "water_p": 0.03, "water": (0.05, 0.3), "track_p": 1.0,
}
_NATURAL_DEFAULTS = {
    "bsf": (0.0, 0.0), "height": (0.0, 0.0), "height_sd": 0.0, "block": (150.0, 400.0),
    "street": (3.0, 6.0), "lot": (30.0, 120.0), "occupancy": (0.0, 0.0), "warp": (0.0, 8.0),
    "round_p": 0.0, "paved_street_p": 0.4, "roof": (1.0, 0.0, 0.0), "isf": (0.0, 0.03),
    "cover_conc": 6.0, "parcel_p": 0.0, "water_p": 0.03, "water": (0.05, 0.3),
}


def _urban(**kw) -> dict:
    """One built zone's row of :data:`CLASS_TABLE`: the urban defaults, overridden by ``kw``."""
    return {**_URBAN_DEFAULTS, **kw}


def _natural(**kw) -> dict:
    """One land-cover zone's row: the natural defaults, overridden by ``kw``."""
    return {**_NATURAL_DEFAULTS, **kw}


# cover = mean shares of the pervious open space: (tree, shrub, grass, soil, sand/rock);
# roof = (concrete, tile, metal) before the city's preference.
CLASS_TABLE = (
    _urban(name="LCZ1 compact high-rise", bsf=(0.40, 0.60), isf=(0.40, 0.60), height=(25, 70),
           height_sd=0.4, block=(80, 140), street=(12, 22), lot=(22, 40),
           occupancy=(0.9, 1.0), warp=(0.0, 2.0), round_p=0.05, roof=(0.75, 0.05, 0.20),
           cover=(0.40, 0.05, 0.45, 0.10, 0.0)),
    _urban(name="LCZ2 compact mid-rise", bsf=(0.40, 0.70), isf=(0.30, 0.50), height=(10, 25),
           block=(60, 110), street=(8, 16), lot=(12, 24), occupancy=(0.9, 1.0),
           roof=(0.5, 0.4, 0.1), cover=(0.35, 0.05, 0.45, 0.15, 0.0)),
    _urban(name="LCZ3 compact low-rise", bsf=(0.40, 0.70), isf=(0.20, 0.50), height=(3.5, 9),
           height_sd=0.25, block=(40, 80), street=(5, 10), lot=(7, 14), occupancy=(0.9, 1.0),
           warp=(0.0, 4.0), paved_street_p=0.85, roof=(0.3, 0.5, 0.2),
           cover=(0.25, 0.10, 0.40, 0.25, 0.0)),
    _urban(name="LCZ4 open high-rise", bsf=(0.20, 0.40), isf=(0.30, 0.40), height=(25, 70),
           height_sd=0.4, block=(100, 180), street=(12, 22), lot=(40, 70),
           occupancy=(0.7, 1.0), warp=(0.0, 2.0), roof=(0.8, 0.0, 0.2),
           cover=(0.35, 0.05, 0.55, 0.05, 0.0), cover_conc=5.0),
    _urban(name="LCZ5 open mid-rise", bsf=(0.20, 0.40), isf=(0.30, 0.50), height=(10, 25),
           block=(70, 130), street=(8, 16), lot=(25, 45), occupancy=(0.7, 1.0),
           roof=(0.6, 0.3, 0.1), cover=(0.35, 0.05, 0.50, 0.10, 0.0)),
    _urban(name="LCZ6 open low-rise", bsf=(0.20, 0.40), isf=(0.20, 0.50), height=(3.5, 9),
           height_sd=0.25, block=(50, 100), street=(6, 12), lot=(14, 26), occupancy=(0.7, 1.0),
           warp=(0.0, 4.0), paved_street_p=0.9, roof=(0.3, 0.5, 0.2),
           cover=(0.40, 0.10, 0.45, 0.05, 0.0)),
    _urban(name="LCZ7 lightweight low-rise", bsf=(0.60, 0.90), isf=(0.0, 0.20),
           height=(2.5, 4.0), height_sd=0.15, block=(50, 90), street=(3, 6), lot=(5, 9),
           occupancy=(0.9, 1.0), warp=(3.0, 10.0), paved_street_p=0.2, roof=(0.1, 0.2, 0.7),
           cover=(0.05, 0.10, 0.15, 0.70, 0.0)),
    _urban(name="LCZ8 large low-rise", bsf=(0.30, 0.50), isf=(0.40, 0.50), height=(5, 10),
           height_sd=0.2, block=(110, 220), street=(12, 25), lot=(45, 90), occupancy=(0.7, 1.0),
           warp=(0.0, 2.0), round_p=0.05, roof=(0.45, 0.0, 0.55),
           cover=(0.15, 0.10, 0.50, 0.25, 0.0)),
    _urban(name="LCZ9 sparsely built", bsf=(0.10, 0.20), isf=(0.0, 0.20), height=(3.5, 9),
           height_sd=0.25, block=(120, 260), street=(4, 8), lot=(25, 50), occupancy=(0.4, 0.9),
           warp=(0.0, 6.0), paved_street_p=0.6, roof=(0.3, 0.5, 0.2),
           cover=(0.30, 0.10, 0.50, 0.10, 0.0), parcel_p=0.3),
    _urban(name="LCZ10 heavy industry", bsf=(0.20, 0.30), isf=(0.20, 0.40), height=(6, 15),
           height_sd=0.35, block=(100, 200), street=(10, 20), lot=(25, 60),
           occupancy=(0.6, 1.0), warp=(0.0, 2.0), round_p=0.35, paved_street_p=0.8,
           roof=(0.35, 0.0, 0.65), cover=(0.05, 0.15, 0.35, 0.45, 0.0)),
    _natural(name="LCZA dense trees", cover=(0.88, 0.06, 0.04, 0.02, 0.0), cover_conc=20.0,
             track_p=0.1),
    _natural(name="LCZB scattered trees", cover=(0.30, 0.10, 0.50, 0.10, 0.0), track_p=0.25),
    _natural(name="LCZC bush, scrub", cover=(0.05, 0.55, 0.15, 0.25, 0.0), track_p=0.15),
    _natural(name="LCZD low plants", cover=(0.02, 0.03, 0.85, 0.10, 0.0), lot=(40, 150),
             parcel_p=0.6, track_p=0.35),
    _natural(name="LCZE bare rock or paved", isf=(0.0, 0.95),
             cover=(0.01, 0.04, 0.10, 0.25, 0.60), cover_conc=3.0, track_p=0.1),
    _natural(name="LCZF bare soil or sand", cover=(0.0, 0.03, 0.05, 0.55, 0.37),
             cover_conc=4.0, parcel_p=0.3, track_p=0.15),
    _natural(name="LCZG water", water_p=1.0, water=(0.7, 1.0),
             cover=(0.30, 0.10, 0.50, 0.10, 0.0), track_p=0.05),
)
N_CLASSES = len(CLASS_TABLE)


def _column(key: str) -> np.ndarray:
    """``key`` of every class, float64 ``(17,)`` or ``(17, 2)`` for a range."""
    return np.array([c[key] for c in CLASS_TABLE], dtype=np.float64)


def _soft_uniform(rng: np.random.Generator, key: str, labels: np.ndarray, lo_clip: float = 0.0,
                  hi_clip: float = np.inf) -> np.ndarray:
    """Per scene, ``clip(U(lo - p, hi + p), lo_clip, hi_clip)`` with ``[lo, hi]`` the range
    ``key`` of the scene's class and ``p = RANGE_SOFTNESS * (hi - lo)``: float64 ``(n,)``."""
    rng_lohi = _column(key)[labels]
    lo, hi = rng_lohi[:, 0], rng_lohi[:, 1]
    pad = RANGE_SOFTNESS * (hi - lo)
    return np.clip(rng.uniform(lo - pad, hi + pad), lo_clip, hi_clip)


def draw_layout(rng: np.random.Generator, labels: np.ndarray, cities: dict[str, np.ndarray],
                city: np.ndarray) -> dict[str, np.ndarray]:
    """Draw each scene's latent layout parameters from its class and its city's style.

    Args:
        rng: numpy generator.
        labels: int ``(n,)`` class index 0..16 (So2Sat order).
        cities: output of :func:`swdkit.data.synthetic._cities.draw_cities`.
        city: int ``(n,)`` city index of each scene.

    Returns:
        dict of arrays ``(n,)`` unless noted: ``bsf`` (target building surface fraction),
        ``isf`` (target impervious ground fraction), ``height_median`` and ``height_sd`` (log
        scale) of buildings in metres, ``block_pitch``, ``street_width``, ``lot_pitch``,
        ``warp`` (metres), ``occupancy``, ``round_p``, ``paved_streets`` (bool),
        ``roof_p`` ``(n, 3)``, ``cover`` ``(n, 5)`` (shares of the pervious open space),
        ``parcels`` (bool: cover chosen per parcel, like fields), ``water`` (fraction, often 0),
        ``grid_angle_deg``.
    """
    n = labels.shape[0]
    c = {k: v[city] for k, v in cities.items()}
    table = {k: _column(k)[labels] for k in ("height_sd", "round_p", "paved_street_p",
                                              "cover_conc", "parcel_p", "water_p", "track_p")}
    block_scale = c["block_scale"]
    out = {
        "bsf": _soft_uniform(rng, "bsf", labels, 0.0, 0.95),
        "isf": _soft_uniform(rng, "isf", labels, 0.0, 0.98),
        "height_median": _soft_uniform(rng, "height", labels, 0.0) * c["height_scale"],
        "height_sd": table["height_sd"],
        "block_pitch": _soft_uniform(rng, "block", labels, 20.0) * block_scale,
        "street_width": _soft_uniform(rng, "street", labels, 2.0),
        "lot_pitch": _soft_uniform(rng, "lot", labels, 4.0) * block_scale,
        "warp": _soft_uniform(rng, "warp", labels, 0.0),
        "occupancy": _soft_uniform(rng, "occupancy", labels, 0.0, 1.0),
        "round_p": table["round_p"],
        "paved_streets": rng.random(n) < table["paved_street_p"],
        "parcels": rng.random(n) < table["parcel_p"],
    }
    out["street_width"] = np.where(rng.random(n) < table["track_p"], out["street_width"], 0.0)
    out["street_width"] = np.minimum(out["street_width"], 0.5 * out["block_pitch"])
    has_water = rng.random(n) < table["water_p"]
    out["water"] = np.where(has_water, _soft_uniform(rng, "water", labels, 0.0, 1.0), 0.0)

    roof = np.array([cl["roof"] for cl in CLASS_TABLE])[labels] * (0.3 + 2.1 * c["roof_bias"])
    out["roof_p"] = roof / roof.sum(axis=1, keepdims=True)
    cover_mean = np.array([cl["cover"] for cl in CLASS_TABLE])[labels]
    cover_mean[:, 0] *= c["tree_bias"]
    cover_mean /= cover_mean.sum(axis=1, keepdims=True)
    gam = rng.gamma(np.maximum(cover_mean * table["cover_conc"][:, None], 1e-3))
    out["cover"] = gam / np.maximum(gam.sum(axis=1, keepdims=True), 1e-12)

    follows_grid = rng.random(n) < c["grid_regularity"]
    out["grid_angle_deg"] = np.where(follows_grid, c["grid_angle_deg"] + rng.normal(0, 3.0, n),
                                     rng.uniform(0.0, 90.0, n)) % 90.0
    return out
