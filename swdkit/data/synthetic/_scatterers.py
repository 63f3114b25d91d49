"""The heavy tail of city radar: a K-distributed texture and bright point scatterers.

Real Sentinel-1 intensities over cities are far from the exponential law of fully developed
speckle. So2Sat LCZ42's Lee-filtered VV intensity has a mean of 0.26 and a standard deviation of
8.3 over the version-2 training set (per-channel statistics published by torchgeo, see
:mod:`swdkit.data.synthetic._calibration`): a few pixels are hundreds to thousands of times
brighter than the rest. Two mechanisms, both standard in SAR image modelling, produce that tail:

- **Texture.** The mean backscatter of a pixel fluctuates around the value of its material:
  many independent scatterers of varying strength, not a uniform surface. Multiplying the
  pixel's sigma0 by a unit-mean gamma variate of shape ``nu`` before speckle gives the
  K-distribution (Jakeman and Pusey, "A model for non-Rayleigh sea echo", IEEE TAP 24(6), 1976;
  Oliver and Quegan, *Understanding Synthetic Aperture Radar Images*, 1998, ch. 11): small
  ``nu`` (rough, heterogeneous: built-up) gives a heavy tail, large ``nu`` approaches plain
  speckle (fields, water). ``TEXTURE_SHAPE`` gives ``nu`` per material (2-6 for built-up
  surfaces, 8-15 for vegetation and soil, 30 for water: an assumption within the ranges
  reported for C-band, not fitted to anything); a pixel mixing materials uses
  ``1 / nu = mean(1 / nu_material)`` over its cells (the texture variances add).
- **Bright point scatterers.** Building corners (trihedrals formed by two walls and the ground),
  balconies, metal roofs and street furniture are corner reflectors whose radar cross-section
  reaches 10^4 to 10^5 m^2 and more; in a 10 m pixel that is a sigma0 of +20 to +30 dB and
  above, thousands of times the surroundings (the persistent scatterers of PS interferometry).
  They are placed at the feet of radar-facing walls and on metal roofs, a Poisson number per
  pixel with mean ``density * (wall cells + METAL_WEIGHT * metal cells)`` (cells of the 5 m
  grid), so their number follows the class's building density and the city's facade style
  (the city's ``scatterer_density``, log-normal). Two populations (:data:`POPULATIONS`):
  *aligned* corners, square to the radar, strong in VV and weak in VH; and *depolarising*
  corners (dihedrals rotated about the line of sight, where VH and VV returns are alike).
  Each point has a VV sigma0 ``10^((median_db + strength_db + spread_db z) / 10)`` (z standard
  normal) and a cross-polar ratio ``10^((cross_db + cross_spread_db z') / 10)``. A point is a
  coherent return, not speckle: a deterministic amplitude with a uniform absolute phase, added
  to the speckled field (the points of one pixel add coherently). The phase of VH relative to
  VV is 0 or 180 degrees (the sign of the structure's rotation, as for the dihedrals of
  :mod:`swdkit.data.synthetic._sar`) plus a uniform jitter within ``COPOL_PHASE_JITTER_DEG``,
  so the covariance ``S_vh conj(S_vv)`` of bright points is mostly real with a random sign
  (mean zero).

  Why these numbers. The published real statistics fix the tail: the Lee VV intensity's mean
  (0.26) leaves room for about 0.04 from bright points while its standard deviation (8.3) needs
  ``density * E[I^2]`` of about 70, so the points must be rare (about one pixel in 10^4-10^5)
  and very bright (30-40 dB); the VH and covariance tails (standard deviations 2.9 and 2.9
  combined) are a third of the VV tail and equal to each other, which one population of
  coherent points cannot give (for a point ``|C12|^2 = I_vh I_vv``) and two do. Spreads of
  2 dB keep the tail's estimate stable on a few thousand patches; the city factor's spread is
  25 % (with 50 % the tail of a 10-city split swung by a factor 2 from one seed to the next).

``strength_db`` is the generator's knob for the scatterers (0 = the calibrated default, None =
no point scatterers at all): a lesson can turn the tail off, or up, and watch what it does to
batch and instance normalisation.

The constants were set by matching the published per-channel means and standard deviations of
the real training set (:mod:`swdkit.data.synthetic._calibration`, ``benchmarks/calibration.py``),
not by any accuracy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from swdkit.data.synthetic._fields import block_mean
from swdkit.data.synthetic._materials import MATERIALS, ROOF_METAL
from swdkit.data.synthetic._scenes import Scene

# K-distribution shape nu per material (smaller = heavier tail); order as MATERIALS.
TEXTURE_SHAPE = {
    "roof_concrete": 3.0, "roof_tile": 3.0, "roof_metal": 2.0, "asphalt": 6.0, "concrete": 5.0,
    "grass": 15.0, "tree": 8.0, "shrub": 10.0, "soil": 15.0, "sand_rock": 10.0, "water": 30.0,
}
METAL_WEIGHT = 0.25  # a metal-roof cell counts as this many wall cells


@dataclass(frozen=True)
class PointPopulation:
    """One kind of bright point scatterer.

    Attributes:
        density: expected points per radar-facing wall cell (5 m grid).
        median_db: median VV sigma0 of a point in its pixel, dB.
        spread_db: standard deviation of that between points, dB.
        cross_db: median VH / VV power ratio, dB.
        cross_spread_db: its standard deviation between points, dB.
    """

    density: float
    median_db: float
    spread_db: float
    cross_db: float
    cross_spread_db: float


# Aligned corners (trihedrals and dihedrals square to the radar): strong in VV, weak in VH.
# Depolarising corners (dihedrals rotated about the line of sight by about 22 degrees, where
# their VH and VV returns are equal). Together they give the real channels' ratios: the VH and
# covariance tails are about a third of the VV tail, and of one size (module docstring).
POPULATIONS = (
    PointPopulation(density=1.1e-5, median_db=38.0, spread_db=2.0, cross_db=-15.0,
                    cross_spread_db=2.0),
    PointPopulation(density=1.0e-5, median_db=33.5, spread_db=2.0, cross_db=0.0,
                    cross_spread_db=1.5),
)
COPOL_PHASE_JITTER_DEG = 60.0  # the VH-VV phase: 0 or 180 degrees plus uniform +- this

_INVERSE_SHAPE = np.array([1.0 / TEXTURE_SHAPE[m] for m in MATERIALS], dtype=np.float32)


def db_to_linear(x: float | np.ndarray) -> np.ndarray:
    """``10^(x / 10)`` in float64."""
    return 10.0 ** (np.asarray(x, dtype=np.float64) / 10.0)


def texture_field(rng: np.random.Generator, material: np.ndarray, upsample: int) -> np.ndarray:
    """A unit-mean gamma texture per 10 m pixel: float32 ``(n, 32, 32)``.

    Args:
        rng: numpy generator.
        material: uint8 ``(n, G, G)`` material of each fine cell (shadowed cells included: the
            texture multiplies whatever sigma0 the pixel has).
        upsample: cells per pixel side.

    Returns:
        ``T`` with ``E[T] = 1`` and ``Var[T] = 1 / nu`` per pixel, ``1 / nu`` the mean of the
        cells' ``1 / nu_material``.
    """
    inverse = block_mean(_INVERSE_SHAPE[material], upsample).astype(np.float64)
    shape = 1.0 / np.maximum(inverse, 1e-6)
    return (rng.gamma(shape, 1.0 / shape)).astype(np.float32)


def _points(rng: np.random.Generator, sites: np.ndarray, density: np.ndarray,
            kind: PointPopulation, strength_db: float
            ) -> tuple[tuple[np.ndarray, ...], np.ndarray, np.ndarray]:
    """One population's points: ``(pixel index tuple, amplitude VV, amplitude VH)``, one entry
    per point (complex128)."""
    counts = rng.poisson(sites * kind.density * density.reshape(-1, 1, 1))
    where = np.nonzero(counts)
    owner = tuple(np.repeat(w, counts[where]) for w in where)
    total = len(owner[0])
    vv = db_to_linear(kind.median_db + strength_db + kind.spread_db * rng.standard_normal(total))
    vh = vv * db_to_linear(kind.cross_db + kind.cross_spread_db * rng.standard_normal(total))
    phase = rng.uniform(0.0, 2 * np.pi, total)
    sign = rng.choice([-1.0, 1.0], total)
    jitter = np.deg2rad(COPOL_PHASE_JITTER_DEG) * rng.uniform(-1.0, 1.0, total)
    return owner, np.sqrt(vv) * np.exp(1j * phase), sign * np.sqrt(vh) * np.exp(1j * (phase
                                                                                       + jitter))


def scatterer_returns(rng: np.random.Generator, scene: Scene, walls: np.ndarray,
                      density: np.ndarray, strength_db: float | None = 0.0
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Coherent returns of bright point scatterers per 10 m pixel: ``(a_vh, a_vv)``.

    Every point of :data:`POPULATIONS` is a complex amplitude with a uniform absolute phase;
    the points in one pixel add coherently.

    Args:
        rng: numpy generator.
        scene: the latent scenes (``n``, fine grid ``G``).
        walls: float32 ``(n, G, G)`` height of the radar-facing wall in each cell (0 if none).
        density: ``(n,)`` each scene's multiplier of every population's density (its city's
            facade style).
        strength_db: shift of every point's sigma0, dB (None: no points).

    Returns:
        complex64 ``(n, 32, 32)`` each; zero where a pixel holds no point. Added to the
        speckled field, so ``E|a_vv|^2`` adds to the pixel's mean VV intensity.
    """
    n, g, _ = scene.material.shape
    up = scene.upsample
    a_vv = np.zeros((n, g // up, g // up), np.complex128)
    a_vh = np.zeros_like(a_vv)
    if strength_db is None:
        return a_vh.astype(np.complex64), a_vv.astype(np.complex64)
    cells = up * up
    sites = block_mean((walls > 0).astype(np.float32), up) * cells
    metal = (scene.material == ROOF_METAL).astype(np.float32)
    sites += METAL_WEIGHT * block_mean(metal, up) * cells
    density = np.asarray(density, np.float64)
    for kind in POPULATIONS:
        owner, vv, vh = _points(rng, sites, density, kind, strength_db)
        np.add.at(a_vv, owner, vv)
        np.add.at(a_vh, owner, vh)
    return a_vh.astype(np.complex64), a_vv.astype(np.complex64)
