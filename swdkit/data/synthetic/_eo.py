"""Optical (EO, Sentinel-2) rendering of synthetic scenes: 10 bands in So2Sat's value range.

For each fine cell the surface reflectance is its material's spectrum (after the city's season,
soil colour and water sediment, :func:`swdkit.data.synthetic._materials.spectra_for`) times a
per-lot brightness ``0.8 + 0.4 t`` (``t`` the scene's texture draw: roofs, fields and lawns are
not all alike), times the skylight fraction ``SHADOW_FACTOR`` where a building casts a shadow.
A 10 m pixel is the mean of its cells (linear spectral mixing), blurred by a small point spread
function (:func:`psf_blur`). Then, per band ``b``::

    rho_TOA[b] = gain * rho_surface[b] + haze * PATH_REFLECTANCE[b] + N(0, 0.004^2)

that is, a calibration/illumination gain, an additive atmospheric path term (Rayleigh and
aerosol scattering, strongest in blue: the reason So2Sat's mean blue exceeds its mean red) and
sensor noise. Bands B5, B6, B7, B8A, B11 and B12 are recorded at 20 m: they are averaged over
2 x 2 pixels and repeated, as the 10 m So2Sat product resampled them. Values are reflectance
(So2Sat stores reflectance / 10000, which is the same number range, about 0 to 0.5).

Shadows: the sun stands to the south-east (a mid-morning Sentinel-2 overpass, northern
hemisphere), so shadows fall to the north-west, of length ``h / tan(elevation)``.
"""

from __future__ import annotations

import numpy as np

from swdkit.data.synthetic._fields import block_mean, shifted_max
from swdkit.data.synthetic._materials import (
    MATERIALS,
    PATH_REFLECTANCE,
    S2_20M_BANDS,
    SHADOW_FACTOR,
    spectra_for,
)
from swdkit.data.synthetic._scenes import Scene

EO_NOISE_SD = 0.004
TEXTURE_RANGE = 0.4
# One step of the sun's ray towards the south-east, in (row, column) cells.
SUN_STEP = (-1, -1)


def optical_shadow(scene: Scene, sun_elevation_deg: np.ndarray) -> np.ndarray:
    """Cells in a building's cast shadow, for the sun to the south-east.

    A cell ``p`` is shadowed when some cell ``k`` diagonal steps towards the sun is taller than
    ``H(p) + k * step_length * tan(elevation)`` (the sun ray over ``p`` hits a building).

    Args:
        scene: the scenes.
        sun_elevation_deg: ``(n,)``.

    Returns:
        bool ``(n, G, G)``.
    """
    drop = scene.cell_metres * np.sqrt(2.0) * np.tan(np.deg2rad(sun_elevation_deg))
    steps = np.ceil(scene.height.max(axis=(1, 2)) / drop).astype(int)
    reach = shifted_max(scene.height, drop.astype(np.float32), SUN_STEP, steps)
    return reach > scene.height + 0.5


def psf_blur(x: np.ndarray) -> np.ndarray:
    """Separable ``[1, 2, 1] / 4`` blur over the last two axes (edge pixels repeated).

    A stand-in for the sensor's point spread function: Sentinel-2's 10 m bands do not resolve
    a single 10 m pixel perfectly (their modulation transfer at the Nyquist frequency is well
    below 1), so sharp material edges spread into neighbouring pixels.
    """
    p = np.pad(x, [(0, 0)] * (x.ndim - 2) + [(1, 1), (1, 1)], mode="edge")
    rows = 0.25 * p[..., :-2, :] + 0.5 * p[..., 1:-1, :] + 0.25 * p[..., 2:, :]
    return 0.25 * rows[..., :-2] + 0.5 * rows[..., 1:-1] + 0.25 * rows[..., 2:]


def render_eo(rng: np.random.Generator, scene: Scene,
              nuisance: dict[str, np.ndarray]) -> np.ndarray:
    """Render Sentinel-2 patches of the scenes.

    Args:
        rng: numpy generator (sensor noise).
        scene: :class:`swdkit.data.synthetic._scenes.Scene`, ``n`` scenes.
        nuisance: output of :func:`swdkit.data.synthetic._cities.scene_nuisance`.

    Returns:
        float32 ``(n, 32, 32, 10)`` top-of-atmosphere reflectance, bands B2, B3, B4, B5, B6,
        B7, B8, B8A, B11, B12 (So2Sat ``sen2`` order), clipped below at 0.
    """
    n = scene.material.shape[0]
    m = len(MATERIALS)
    spectra = spectra_for(nuisance["greenness"], nuisance["soil_brightness"],
                          nuisance["turbidity"])  # (n, M, 10)
    lit_and_shaded = np.concatenate([spectra, spectra * SHADOW_FACTOR], axis=1)  # (n, 2M, 10)
    columns = np.ascontiguousarray(lit_and_shaded.reshape(n * 2 * m, 10).T)  # (10, n * 2M)
    shadow = optical_shadow(scene, nuisance["sun_elevation_deg"])
    row = (np.arange(n, dtype=np.intp) * (2 * m)).reshape(n, 1, 1)
    index = row + scene.material + m * shadow
    brightness = (1.0 - TEXTURE_RANGE / 2) + TEXTURE_RANGE * scene.texture
    # Band by band (band axis first): 1-d gathers are much faster than gathering rows of 10.
    surface = np.stack([block_mean(columns[b][index] * brightness, scene.upsample)
                        for b in range(columns.shape[0])])  # (10, n, 32, 32)
    fine = [b for b in range(surface.shape[0]) if b not in S2_20M_BANDS]
    coarse = list(S2_20M_BANDS)
    surface[fine] = psf_blur(surface[fine])  # 20 m bands are blurred by their 2 x 2 pixels
    gain = nuisance["eo_gain"].astype(np.float32).reshape(1, n, 1, 1)
    haze = nuisance["haze"].astype(np.float32).reshape(1, n, 1, 1)
    toa = gain * surface + haze * PATH_REFLECTANCE.reshape(-1, 1, 1, 1)
    toa[fine] += EO_NOISE_SD * rng.standard_normal((len(fine), *toa.shape[1:]), dtype=np.float32)
    # 20 m bands: recorded (with their noise) on 2 x 2 pixels, then repeated at 10 m.
    low = block_mean(toa[coarse].reshape(-1, *toa.shape[2:]), 2)
    low += EO_NOISE_SD * rng.standard_normal(low.shape, dtype=np.float32)
    toa[coarse] = np.repeat(np.repeat(low, 2, axis=1), 2, axis=2).reshape(len(coarse), n, 32, 32)
    np.maximum(toa, 0.0, out=toa)
    return np.ascontiguousarray(np.moveaxis(toa, 0, -1), dtype=np.float32)
