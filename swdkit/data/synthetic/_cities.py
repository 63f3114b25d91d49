"""Per-city nuisance of the synthetic data set: what changes between places, not between classes.

So2Sat LCZ42 samples 42 cities for training and 10 other cities for validation and test
(Zhu et al., IEEE GRSM 8(3), 2020), so a model must work in cities it never saw. The synthetic
set copies that: every split has its own cities, and each city draws the quantities below once.
Every scene then adds a small jitter of its own (a patch sees a slightly different incidence
angle, sun, or haze than its neighbours).

Season and climate
    ``greenness`` in [0.25, 1]: vegetation spectra and backscatter between dormant (dry grass,
    leafless trees) and fully green. ``sun_elevation_deg`` in [25, 65]: optical shadow length
    ``h / tan(elevation)``.
Optical sensor and atmosphere
    ``eo_gain`` (log-normal around ``EO_GAIN_MEDIAN``, sd ``EO_GAIN_SPREAD``), ``haze`` in
    [0.5, 1.5] (times the path reflectance),
    ``soil_brightness`` in [0.75, 1.25], ``turbidity`` of water in [0, 1].
Radar sensor and ground
    ``sar_gain_db`` ~ N(0, 1 dB) (calibration, processing and local slope together),
    ``incidence_deg`` in [30, 46] (the Sentinel-1 IW swath), ``moisture_db`` in [0, 4] (wet soil
    is brighter), ``water_vv_db`` in [-24, -15] (wind roughens water), ``scatterer_density``
    (log-normal, 25 %: how many bright point scatterers a city's facades and roofs hold,
    relative to :data:`swdkit.data.synthetic._scatterers.SCATTERER_DENSITY`).
Building style
    ``grid_angle_deg`` in [0, 90) (street grid orientation; decides the radar "cardinal effect",
    double bounce is strongest from walls facing the radar), ``grid_regularity`` in [0.3, 0.9]
    (share of patches that follow the city grid; the rest are rotated at random),
    ``height_scale`` and ``block_scale`` (log-normal, 15 %), ``tree_bias`` (log-normal, 30 %,
    more or fewer trees in open space), ``roof_bias`` (a Dirichlet(2, 2, 2) preference over
    concrete, tile and metal roofs).
"""

from __future__ import annotations

import numpy as np

from swdkit.data.synthetic._materials import WATER_VV_DB_RANGE

# Median optical gain: the synthetic set is class-balanced and its surfaces, averaged over the
# 17 zones, are brighter than the real training set's (about 0.05 in every band); 0.72 brings
# every band's mean within 20 % of the published real means (swdkit.data.synthetic._calibration,
# benchmarks/calibration.py). A calibration to published statistics, not chosen by any accuracy.
EO_GAIN_MEDIAN = 0.72
# Its spread between cities (log-normal sd; scenes add half as much): calibration, season,
# view and sun geometry (BRDF), haze left in the composites. 0.15 (was 0.06) matches the real
# bands' spread: with 0.06 every 20 m band's standard deviation was 0.66 of the real one.
EO_GAIN_SPREAD = 0.15


def draw_cities(rng: np.random.Generator, n_cities: int) -> dict[str, np.ndarray]:
    """Draw ``n_cities`` cities' nuisance parameters.

    Args:
        rng: numpy generator (the caller's own stream for cities, so adding samples does not
            change the cities).
        n_cities: how many.

    Returns:
        dict of the fields named in the module docstring -> array ``(n_cities,)``
        (``roof_bias``: ``(n_cities, 3)``).
    """
    n = n_cities
    u = rng.uniform
    return {
        "greenness": u(0.25, 1.0, n),
        "sun_elevation_deg": u(25.0, 65.0, n),
        "eo_gain": EO_GAIN_MEDIAN * np.exp(rng.normal(0.0, EO_GAIN_SPREAD, n)),
        "haze": u(0.5, 1.5, n),
        "soil_brightness": u(0.75, 1.25, n),
        "turbidity": u(0.0, 1.0, n),
        "sar_gain_db": rng.normal(0.0, 1.0, n),
        "incidence_deg": u(30.0, 46.0, n),
        "moisture_db": u(0.0, 4.0, n),
        "water_vv_db": u(*WATER_VV_DB_RANGE, n),
        "grid_angle_deg": u(0.0, 90.0, n),
        "grid_regularity": u(0.3, 0.9, n),
        "height_scale": np.exp(rng.normal(0.0, 0.15, n)),
        "block_scale": np.exp(rng.normal(0.0, 0.15, n)),
        "tree_bias": np.exp(rng.normal(0.0, 0.3, n)),
        "roof_bias": rng.dirichlet((2.0, 2.0, 2.0), n),
        "scatterer_density": np.exp(rng.normal(0.0, 0.25, n)),
    }


def scene_nuisance(rng: np.random.Generator, cities: dict[str, np.ndarray],
                   city: np.ndarray) -> dict[str, np.ndarray]:
    """The sensor, season and ground nuisance of each scene: its city's values plus jitter.

    Args:
        rng: numpy generator.
        cities: output of :func:`draw_cities`.
        city: int ``(n,)`` city index of each scene.

    Returns:
        dict of arrays ``(n,)``: ``greenness``, ``sun_elevation_deg``, ``eo_gain``, ``haze``,
        ``soil_brightness``, ``turbidity``, ``sar_gain_db``, ``incidence_deg``,
        ``moisture_db``, ``water_vv_db``, ``scatterer_density``.
    """
    n = city.shape[0]
    c = {k: v[city] for k, v in cities.items()}
    u = rng.uniform
    return {
        "greenness": np.clip(c["greenness"] + rng.normal(0, 0.08, n), 0.0, 1.0),
        "sun_elevation_deg": c["sun_elevation_deg"] + u(-2.0, 2.0, n),
        "eo_gain": c["eo_gain"] * np.exp(rng.normal(0.0, EO_GAIN_SPREAD / 2, n)),
        "haze": c["haze"] * np.exp(rng.normal(0.0, 0.1, n)),
        "soil_brightness": c["soil_brightness"] * np.exp(rng.normal(0.0, 0.05, n)),
        "turbidity": np.clip(c["turbidity"] + rng.normal(0, 0.1, n), 0.0, 1.0),
        "sar_gain_db": c["sar_gain_db"] + rng.normal(0.0, 0.3, n),
        "incidence_deg": c["incidence_deg"] + u(-1.5, 1.5, n),
        "moisture_db": np.clip(c["moisture_db"] + rng.normal(0, 0.5, n), 0.0, 5.0),
        "water_vv_db": c["water_vv_db"] + rng.normal(0.0, 1.5, n),
        "scatterer_density": c["scatterer_density"],
    }
