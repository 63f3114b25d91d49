"""Radar (SAR, Sentinel-1) rendering of synthetic scenes: So2Sat's 8 ``sen1`` channels.

Geometry. The radar looks east from the west (ground range increases with the column index),
at the scene's incidence angle ``theta``. Per fine cell of side ``s``, in linear sigma0:

- surface: the material's sigma0 (:func:`swdkit.data.synthetic._materials.sigma0_for`), times a
  per-lot variation of +-1.5 dB (fields, roofs and lawns are not all alike);
- radar shadow: a cell is hidden behind a building of height ``h`` up to ``h tan(theta)`` away
  (it keeps only layover from elsewhere and the noise floor);
- double bounce: a wall of height ``w`` facing the radar and the illuminated ground in front of
  it form a dihedral corner reflector; its return is placed in the ground cell at the wall's
  foot and grows linearly with ``w`` (Franceschetti, Iodice and Riccio, "A canonical problem in
  electromagnetic backscattering from buildings", IEEE TGRS 40(8), 2002): ``DB_GAIN`` in
  sigma0 units for a 10 m wall in a 5 m cell, scaled by ``w / 10 m`` and ``5 m / s``. It falls
  off fast when the wall is not parallel to the flight direction (the "cardinal effect"):
  ``orient(phi) = floor + (1 - floor) exp(-(phi / 10 deg)^2)``, with ``phi`` the street grid's
  angle to north folded into [0, 45]; rotated dihedrals leak into cross-polarisation
  (``0.02 + 0.08 sin^2 2 phi`` of the co-polar strength) and correlate VH with VV
  (``rho = 0.6 sin 2 phi``);
- layover: a facade of height ``w`` is imaged ``w / tan(theta)`` towards the radar, adding
  ``FACADE_DB`` times ``tan(theta)`` to every ground cell it overlays.

A 10 m pixel sums the powers of its cells (incoherent average). Then the city's calibration
gain and the noise floor (NESZ about -24 dB, Sentinel-1 IW) are applied.

Speckle. Each pixel is a circular complex Gaussian pair with the pixel's 2 x 2 covariance
``C = [[s_vh, c], [c*, s_vv]]``: ``S_vv = sqrt(s_vv) z1``, ``S_vh = (c / sqrt(s_vv)) z1 +
sqrt(s_vh - |c|^2 / s_vv) z2`` with ``z1, z2`` independent standard circular complex normals,
so ``|S|^2`` is exponentially distributed (fully developed speckle, coefficient of variation 1;
Goodman, "Some fundamental properties of speckle", JOSA 66(11), 1976). The unfiltered channels
are calibrated so that ``E|S|^2 = sigma0`` (linear): the assumption is that So2Sat's complex
values are sigma0-calibrated amplitudes, giving magnitudes of about 0.03 (calm water) to 1 and
above (bright buildings).

Looks (the generator's ``looks = L``, default 1). With ``L`` independent looks (sub-apertures)
the pixel's covariance is the mean ``C_L = (1/L) sum_l u_l u_l^H`` of ``L`` single-look vectors
``u_l = (S_vh, S_vv)_l``, each with its own speckle but the same texture and the same bright
points (a point target is a deterministic return present in every look). Each intensity is then
gamma distributed with shape ``L`` and mean sigma0: speckle's coefficient of variation is
``1 / sqrt(L)``, and over a textured area ``E[I^2] / E[I]^2 = (1 + 1/nu)(1 + 1/L)``. A single
complex value per channel cannot hold a rank-2 matrix, so the stored channels keep the
intensities and the multilooked VH-VV phase difference with the single-look phase of look 1:
``S_vv = sqrt(C22_L) exp(i phi_1)``, ``S_vh = sqrt(C11_L) exp(i (phi_1 + arg C12_L))``
(:func:`multilook`); channels 4 to 7 filter ``C_L`` itself with ``L`` looks. ``L = 1`` skips
all of this and gives generator version 2's arrays bit for bit.

Channels (So2Sat ``sen1`` order): 0 Re S_vh, 1 Im S_vh, 2 Re S_vv, 3 Im S_vv, 4 Lee-filtered
C11 = |S_vh|^2, 5 Lee-filtered C22 = |S_vv|^2, 6 Re and 7 Im of the Lee-filtered
C12 = S_vh conj(S_vv) (:mod:`swdkit.data.synthetic._lee`).
"""

from __future__ import annotations

import numpy as np

from swdkit.data.synthetic._fields import block_mean, shifted_count, shifted_max
from swdkit.data.synthetic._lee import lee_filter_covariance, lee_filter_matrix
from swdkit.data.synthetic._materials import MATERIALS, sigma0_for
from swdkit.data.synthetic._scatterers import scatterer_returns, texture_field
from swdkit.data.synthetic._scenes import Scene

DB_GAIN = 10.0
ORIENT_FLOOR = 0.05
ORIENT_WIDTH_DEG = 10.0
FACADE_DB = (-8.0, -15.0)
NESZ_DB = -24.0
TEXTURE_DB = 3.0
RANGE_STEP = (0, 1)


def _db(x: float | np.ndarray) -> np.ndarray:
    """Decibels to linear power: ``10 ** (x / 10)``, float64."""
    return 10.0 ** (np.asarray(x, dtype=np.float64) / 10.0)


def radar_shadow(height: np.ndarray, cell: float, incidence_deg: np.ndarray) -> np.ndarray:
    """Cells hidden from the radar (west) behind taller cells: bool ``(n, G, G)``."""
    drop = cell / np.tan(np.deg2rad(incidence_deg))
    steps = np.ceil(height.max(axis=(1, 2)) / drop).astype(int)
    reach = shifted_max(height, drop.astype(np.float32), RANGE_STEP, steps)
    return reach > height + 0.5


def facing_walls(height: np.ndarray) -> np.ndarray:
    """Height of the radar-facing (west) wall at the west edge of each cell: ``(n, G, G)``."""
    walls = np.zeros_like(height)
    np.maximum(height[:, :, 1:] - height[:, :, :-1], 0.0, out=walls[:, :, 1:])
    return walls


def orientation_terms(grid_angle_deg: np.ndarray) -> tuple[np.ndarray, ...]:
    """Cardinal effect of the street grid: ``(orient, cross_pol, rho)`` per scene ``(n,)``."""
    signed = (np.asarray(grid_angle_deg, np.float64) + 45.0) % 90.0 - 45.0  # in [-45, 45)
    phi = np.abs(signed)
    orient = ORIENT_FLOOR + (1 - ORIENT_FLOOR) * np.exp(-((phi / ORIENT_WIDTH_DEG) ** 2))
    cross = 0.02 + 0.08 * np.sin(np.deg2rad(2 * phi)) ** 2
    rho = 0.6 * np.sin(np.deg2rad(2 * signed))
    return orient, cross, rho


def sigma0_maps(scene: Scene, nuisance: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
    """Pixel (10 m) mean backscatter before speckle: ``(s_vv, s_vh, c12)``, each ``(n, 32, 32)``.

    ``c12`` is the expected ``S_vh conj(S_vv)`` (real here). Calibration gain and noise floor
    included.
    """
    n = scene.material.shape[0]
    m = len(MATERIALS)
    s = scene.cell_metres
    theta = np.asarray(nuisance["incidence_deg"], np.float64)
    vv_m, vh_m = sigma0_for(theta, nuisance["moisture_db"], nuisance["greenness"],
                            nuisance["water_vv_db"])
    shadow = radar_shadow(scene.height, s, theta)
    visible = np.where(shadow, np.uint8(m), scene.material)  # row m of each scene: zero
    index = (np.arange(n, dtype=np.intp) * (m + 1)).reshape(n, 1, 1) + visible
    variation = 10.0 ** (TEXTURE_DB * (scene.texture - 0.5) / 10.0)
    zero = np.zeros((n, 1), np.float32)
    surface = [np.concatenate([t, zero], axis=1).ravel()[index] * variation for t in (vv_m, vh_m)]

    orient, cross, rho = orientation_terms(scene.grid_angle_deg)
    walls = facing_walls(scene.height)
    foot = np.zeros_like(walls)  # wall height credited to the ground cell in front of it
    foot[:, :, :-1] = walls[:, :, 1:] * ~shadow[:, :, :-1]
    strength = (DB_GAIN * (5.0 / s) / 10.0 * orient).astype(np.float32).reshape(n, 1, 1)
    db_vv = foot * strength
    db_vh = db_vv * cross.astype(np.float32).reshape(n, 1, 1)
    tan_t = np.tan(np.deg2rad(theta))
    steps = np.ceil(walls.max(axis=(1, 2)) / (tan_t * s)).astype(int)
    overlays = shifted_count(walls, (s * tan_t).astype(np.float32), (0, -1), steps)
    facade = (_db(FACADE_DB)[None, :] * tan_t[:, None]).astype(np.float32)  # (n, 2)
    surface[0] += db_vv + overlays * facade[:, 0].reshape(n, 1, 1)
    surface[1] += db_vh + overlays * facade[:, 1].reshape(n, 1, 1)
    c12 = np.sqrt(db_vv * db_vh) * rho.astype(np.float32).reshape(n, 1, 1)
    s_vv, s_vh, c12 = (block_mean(x, scene.upsample) for x in (surface[0], surface[1], c12))
    gain = _db(nuisance["sar_gain_db"]).astype(np.float32).reshape(n, 1, 1)
    floor = np.float32(_db(NESZ_DB))
    return s_vv * gain + floor, s_vh * gain + floor, c12 * gain


def speckle(rng: np.random.Generator, s_vv: np.ndarray, s_vh: np.ndarray,
            c12: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Single-look complex ``(S_vh, S_vv)`` with covariance ``[[s_vh, c12], [c12*, s_vv]]``.

    Returns:
        complex64 ``(n, H, W)`` each.
    """
    shape = s_vv.shape

    def circular() -> np.ndarray:
        """Standard circular complex normals ``(x + iy) / sqrt 2``, ``E|z|^2 = 1``."""
        z = rng.standard_normal((2, *shape), dtype=np.float32) * np.float32(np.sqrt(0.5))
        return z[0] + 1j * z[1]

    z1, z2 = circular(), circular()
    a = np.sqrt(s_vv)
    coupling = c12 / a
    rest = np.sqrt(np.maximum(s_vh - np.abs(coupling) ** 2, 0.0))
    s_vv_c = (a * z1).astype(np.complex64)
    s_vh_c = (coupling * z1 + rest * z2).astype(np.complex64)
    return s_vh_c, s_vv_c


def multilook(rng: np.random.Generator, first: tuple[np.ndarray, np.ndarray],
              sigma: tuple[np.ndarray, np.ndarray, np.ndarray],
              points: tuple[np.ndarray, np.ndarray], looks: int
              ) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, ...]]:
    """Average ``looks`` independent looks into the covariance and form the complex channels.

    Look 1 is ``first`` (speckle plus points, already drawn); looks 2..L are drawn here, in
    order, each :func:`speckle` with the same covariance plus the same point returns.
    ``C_L = (1/L) sum_l u_l u_l^H``; then ``S_vv = sqrt(C22_L) exp(i phi_1)`` and
    ``S_vh = sqrt(C11_L) exp(i (phi_1 + arg C12_L))`` with ``phi_1 = arg S_vv`` of look 1, so
    ``|S|^2`` are the ``L``-look intensities (gamma, shape ``L``, for a constant covariance) and
    the VH-VV phase is the multilooked one.

    Args:
        rng: numpy generator (looks 2..L).
        first: complex ``(S_vh, S_vv)`` of look 1, ``(n, H, W)`` each.
        sigma: ``(s_vv, s_vh, c12)``, the covariance each look's speckle is drawn with.
        points: complex ``(a_vh, a_vv)``, the bright points' returns (the same in every look).
        looks: ``L >= 1``.

    Returns:
        ``(S_vh, S_vv, (C11_L, C22_L, C12_L))``: complex64 channels and the float64, float64,
        complex128 elements of the ``L``-look covariance.
    """
    vh, vv = (x.astype(np.complex128) for x in first)
    phase = np.exp(1j * np.angle(vv))
    c11, c22, c12 = np.abs(vh) ** 2, np.abs(vv) ** 2, vh * np.conj(vv)
    for _ in range(looks - 1):
        vh, vv = speckle(rng, *sigma)
        vh, vv = vh + points[0], vv + points[1]
        c11 += np.abs(vh.astype(np.complex128)) ** 2
        c22 += np.abs(vv.astype(np.complex128)) ** 2
        c12 += vh.astype(np.complex128) * np.conj(vv.astype(np.complex128))
    c11, c22, c12 = c11 / looks, c22 / looks, c12 / looks
    s_vv = np.sqrt(c22) * phase
    s_vh = np.sqrt(c11) * phase * np.exp(1j * np.angle(c12))
    return s_vh.astype(np.complex64), s_vv.astype(np.complex64), (c11, c22, c12)


def render_sar(rng: np.random.Generator, scene: Scene, nuisance: dict[str, np.ndarray],
               scatterer_db: float | None = 0.0, looks: int = 1) -> np.ndarray:
    """Render Sentinel-1 patches of the scenes in So2Sat's ``sen1`` layout.

    Args:
        rng: numpy generator (texture, speckle, points; then looks 2..L).
        scene: :class:`swdkit.data.synthetic._scenes.Scene`, ``n`` scenes.
        nuisance: output of :func:`swdkit.data.synthetic._cities.scene_nuisance`.
        scatterer_db: strength of the bright point scatterers, dB relative to the calibrated
            default (None: none; :mod:`swdkit.data.synthetic._scatterers`).
        looks: independent looks averaged into the intensity (module docstring; 1: single-look,
            the calibrated default, unchanged since generator version 2).

    Returns:
        float32 ``(n, 32, 32, 8)``: VH real, VH imaginary, VV real, VV imaginary, Lee VH
        intensity, Lee VV intensity, Re and Im of the Lee-filtered VH-VV covariance.
    """
    s_vv, s_vh, c12 = sigma0_maps(scene, nuisance)
    # K-distributed texture: the whole covariance of a pixel scales with one gamma variate;
    # the noise floor does not.
    t = texture_field(rng, scene.material, scene.upsample)
    floor = np.float32(_db(NESZ_DB))
    s_vv, s_vh, c12 = (s_vv - floor) * t + floor, (s_vh - floor) * t + floor, c12 * t
    vh, vv = speckle(rng, s_vv, s_vh, c12)
    density = np.asarray(nuisance["scatterer_density"], np.float64)
    a_vh, a_vv = scatterer_returns(rng, scene, facing_walls(scene.height), density, scatterer_db)
    vh, vv = vh + a_vh, vv + a_vv
    if looks == 1:
        c11_f, c22_f, c12_f = lee_filter_covariance(vh, vv)
    else:
        vh, vv, cov = multilook(rng, (vh, vv), (s_vv, s_vh, c12), (a_vh, a_vv), looks)
        c11_f, c22_f, c12_f = lee_filter_matrix(*cov, looks=float(looks))
    channels = (vh.real, vh.imag, vv.real, vv.imag, c11_f, c22_f, c12_f.real, c12_f.imag)
    return np.stack(channels, axis=-1).astype(np.float32)
