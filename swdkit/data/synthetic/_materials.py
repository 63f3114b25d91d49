"""Surface materials of the synthetic scenes and how each sensor sees them.

Each sub-pixel of a synthetic scene holds one material. This module is the only place that
knows what a material looks like: its Sentinel-2 reflectance spectrum (EO) and its Sentinel-1
C-band backscatter (SAR). The numbers are hand-set typical values, chosen to follow the shapes
and levels reported in the literature, not fitted to any data set:

- Spectra (surface reflectance, 0..1, at the centres of Sentinel-2 bands B2 490 nm, B3 560,
  B4 665, B5 705, B6 740, B7 783, B8 842, B8A 865, B11 1610, B12 2190): green vegetation is
  dark in blue and red (chlorophyll absorption), has a small green peak, a steep red edge
  (B5 to B7) and a near-infrared plateau (B8, B8A) of 0.3 to 0.45, and drops in the SWIR
  (leaf water); trees are darker than grass in the visible and SWIR (canopy shadowing); dry
  vegetation and soils rise steadily towards the SWIR; water is dark everywhere and nearly
  black in NIR and SWIR; asphalt is dark and flat; concrete is bright and flat; red clay tiles
  are dark in blue and green and bright from red on. See the ECOSTRESS/ASTER spectral library
  (Baldridge et al., Remote Sensing of Environment 113, 2009; Meerdink et al., RSE 230, 2019)
  and Herold, Roberts, Gardner and Dennison, "Spectrometry for urban area remote sensing",
  RSE 91, 2004, for measured urban materials.
- Backscatter sigma0 in dB at 35 degrees incidence, VV and VH, for C band: calm water -20 to
  -25 dB VV (specular, away from the radar), smooth asphalt about -17 dB, bare soil -10 to
  -15 dB depending on moisture and roughness, grass and crops about -11 dB VV / -18 dB VH,
  forest about -7 to -8 dB VV / -12 to -14 dB VH (volume scattering raises VH most), flat roofs
  about -8 dB; see Ulaby and Dobson, "Handbook of Radar Scattering Statistics for Terrain",
  Artech House 1989, and Sentinel-1 land-cover studies (for example Abdikan et al., ISPRS
  Archives XLI-B7, 2016). Buildings add double bounce, layover and shadow; those are geometry
  and live in :mod:`swdkit.data.synthetic._sar`.
- ``INCIDENCE_SLOPE_DB``: how fast sigma0 falls with incidence angle (dB per degree): steep for
  specular surfaces (water, asphalt), small for volume scatterers (forest), as in the
  incidence-angle normalisation literature (for example Mladenova et al., IEEE TGRS 51(3),
  2013).
"""

from __future__ import annotations

import numpy as np

MATERIALS = (
    "roof_concrete", "roof_tile", "roof_metal", "asphalt", "concrete", "grass", "tree",
    "shrub", "soil", "sand_rock", "water",
)
ROOF_CONCRETE, ROOF_TILE, ROOF_METAL, ASPHALT, CONCRETE, GRASS, TREE, SHRUB, SOIL, SAND_ROCK, \
    WATER = range(len(MATERIALS))

# Bands Sentinel-2 records at 20 m (So2Sat resampled them to 10 m).
S2_20M_BANDS = (3, 4, 5, 7, 8, 9)

_SPECTRA = {
    #                B2     B3     B4     B5     B6     B7     B8     B8A    B11    B12
    "roof_concrete": (0.200, 0.220, 0.240, 0.250, 0.260, 0.270, 0.280, 0.280, 0.300, 0.270),
    "roof_tile":     (0.070, 0.090, 0.180, 0.230, 0.260, 0.280, 0.300, 0.310, 0.380, 0.330),
    "roof_metal":    (0.220, 0.230, 0.230, 0.230, 0.230, 0.230, 0.230, 0.230, 0.200, 0.170),
    "asphalt":       (0.060, 0.070, 0.080, 0.090, 0.100, 0.100, 0.110, 0.110, 0.130, 0.120),
    "concrete":      (0.180, 0.210, 0.230, 0.240, 0.250, 0.260, 0.270, 0.270, 0.300, 0.270),
    "grass":         (0.035, 0.075, 0.045, 0.120, 0.300, 0.370, 0.400, 0.410, 0.230, 0.120),
    "tree":          (0.025, 0.055, 0.030, 0.090, 0.250, 0.320, 0.350, 0.360, 0.170, 0.080),
    "shrub":         (0.040, 0.070, 0.060, 0.120, 0.230, 0.280, 0.300, 0.310, 0.250, 0.150),
    "soil":          (0.080, 0.110, 0.150, 0.180, 0.210, 0.230, 0.250, 0.260, 0.330, 0.280),
    "sand_rock":     (0.160, 0.210, 0.270, 0.300, 0.320, 0.340, 0.350, 0.360, 0.440, 0.390),
    "water":         (0.050, 0.045, 0.025, 0.020, 0.012, 0.010, 0.008, 0.007, 0.003, 0.002),
}
# The same vegetation out of season (dry grass and scrub, leafless deciduous canopy); a city's
# greenness g in [0, 1] blends g * green + (1 - g) * dormant.
_DORMANT = {
    "grass": (0.070, 0.100, 0.130, 0.160, 0.200, 0.220, 0.240, 0.250, 0.320, 0.250),
    "tree":  (0.040, 0.060, 0.060, 0.080, 0.120, 0.140, 0.150, 0.160, 0.170, 0.120),
    "shrub": (0.060, 0.090, 0.110, 0.140, 0.180, 0.200, 0.220, 0.230, 0.300, 0.230),
}
# Suspended sediment brightens water in green and red (turbidity 1 adds this).
WATER_TURBID_ADD = np.array([0.02, 0.04, 0.04, 0.03, 0.01, 0.005, 0.004, 0.003, 0.0, 0.0],
                            dtype=np.float32)
# Fraction of the light left in a cast shadow (diffuse skylight, bluer than direct sun).
SHADOW_FACTOR = np.array([0.40, 0.33, 0.28, 0.26, 0.24, 0.23, 0.22, 0.22, 0.18, 0.16],
                         dtype=np.float32)
# Top-of-atmosphere path reflectance added at haze 1 (Rayleigh and aerosol, strongest in blue).
PATH_REFLECTANCE = np.array([0.070, 0.045, 0.030, 0.025, 0.020, 0.017, 0.015, 0.014, 0.005,
                             0.002], dtype=np.float32)

# sigma0 in dB at 35 degrees incidence: (VV, VH). Water VV is replaced per city (wind).
SIGMA0_DB = {
    "roof_concrete": (-9.0, -18.0),
    "roof_tile": (-8.0, -16.0),
    "roof_metal": (-6.0, -14.0),
    "asphalt": (-17.0, -26.0),
    "concrete": (-13.0, -22.0),
    "grass": (-11.0, -18.0),
    "tree": (-7.5, -13.0),
    "shrub": (-9.5, -15.5),
    "soil": (-12.0, -20.0),
    "sand_rock": (-15.0, -24.0),
    "water": (-20.0, -28.0),
}
REFERENCE_INCIDENCE_DEG = 35.0
INCIDENCE_SLOPE_DB = {
    "roof_concrete": -0.15, "roof_tile": -0.15, "roof_metal": -0.15, "asphalt": -0.30,
    "concrete": -0.25, "grass": -0.15, "tree": -0.05, "shrub": -0.10, "soil": -0.25,
    "sand_rock": -0.30, "water": -0.50,
}
# How much a city's soil moisture (dB, 0..4) brightens each material (dielectric constant).
MOISTURE_SENSITIVITY = {"grass": 1.0, "tree": 0.3, "shrub": 0.6, "soil": 1.0, "sand_rock": 0.5}
# dB change per unit of (greenness - 0.6) for vegetation, (VV, VH): leaves add volume scattering.
GREENNESS_DB = {"grass": (1.0, 3.0), "tree": (0.5, 1.5), "shrub": (1.0, 2.5)}
# VV of water for a city is drawn from this range (wind roughening), VH = VV - 8 dB.
WATER_VV_DB_RANGE = (-24.0, -15.0)
WATER_VH_OFFSET_DB = -8.0


def _table(values: dict[str, tuple[float, ...]]) -> np.ndarray:
    """The rows of ``values`` in :data:`MATERIALS` order, float32 ``(M, k)``."""
    return np.array([values[m] for m in MATERIALS], dtype=np.float32)


SPECTRA = _table(_SPECTRA)  # (M, 10)


def spectra_for(greenness: np.ndarray, soil_brightness: np.ndarray,
                turbidity: np.ndarray) -> np.ndarray:
    """Per-scene material spectra ``(n, M, 10)`` after season, soil colour and water sediment.

    Args:
        greenness: ``(n,)`` in [0, 1]; vegetation = g * green + (1 - g) * dormant spectrum.
        soil_brightness: ``(n,)`` multiplier of the soil and sand spectra.
        turbidity: ``(n,)`` in [0, 1]; water gains ``turbidity * WATER_TURBID_ADD``.
    """
    n = greenness.shape[0]
    out = np.repeat(SPECTRA[None], n, axis=0)
    g = greenness.astype(np.float32).reshape(n, 1)
    for name, dormant in _DORMANT.items():
        m = MATERIALS.index(name)
        out[:, m] = g * SPECTRA[m] + (1 - g) * np.asarray(dormant, np.float32)
    for m in (SOIL, SAND_ROCK):
        out[:, m] *= soil_brightness.astype(np.float32).reshape(n, 1)
    out[:, WATER] += turbidity.astype(np.float32).reshape(n, 1) * WATER_TURBID_ADD
    return out


def sigma0_for(incidence_deg: np.ndarray, moisture_db: np.ndarray, greenness: np.ndarray,
               water_vv_db: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-scene linear sigma0 of every material, ``(n, M)`` for VV and for VH.

    ``sigma0_dB = table + slope * (incidence - 35) + sensitivity * moisture
    + greenness_term``, then ``10 ** (dB / 10)``.

    Args:
        incidence_deg: ``(n,)`` local incidence angle in degrees.
        moisture_db: ``(n,)`` soil-moisture brightening in dB.
        greenness: ``(n,)`` vegetation greenness in [0, 1].
        water_vv_db: ``(n,)`` VV backscatter of open water at 35 degrees (wind).
    """
    n = incidence_deg.shape[0]
    base = _table(SIGMA0_DB)  # (M, 2)
    db = np.repeat(base[None], n, axis=0).astype(np.float64)
    db[:, WATER, 0] = water_vv_db
    db[:, WATER, 1] = water_vv_db + WATER_VH_OFFSET_DB
    slope = np.array([INCIDENCE_SLOPE_DB[m] for m in MATERIALS])
    db += (slope[None, :] * (incidence_deg[:, None] - REFERENCE_INCIDENCE_DEG))[..., None]
    for name, sens in MOISTURE_SENSITIVITY.items():
        db[:, MATERIALS.index(name)] += (sens * moisture_db)[:, None]
    for name, (dvv, dvh) in GREENNESS_DB.items():
        m = MATERIALS.index(name)
        db[:, m, 0] += dvv * (greenness - 0.6)
        db[:, m, 1] += dvh * (greenness - 0.6)
    lin = (10.0 ** (db / 10.0)).astype(np.float32)
    return lin[..., 0], lin[..., 1]
