"""Latent scenes: a material map and a height map per sample, on a grid finer than a pixel.

A So2Sat patch is 32 x 32 pixels of 10 m, 320 m on a side. A scene is drawn on a grid
``UPSAMPLE`` times finer (5 m cells by default), so a small house covers a few cells and a
10 m pixel mixes materials the way real pixels do; each sensor then averages the cells of a
pixel (:mod:`swdkit.data.synthetic._eo`, :mod:`swdkit.data.synthetic._sar`).

Layout (all scenes share one vectorised recipe; the class decides the numbers):

1. A street grid rotated by the scene's grid angle, with block pitch ``P_b`` and street width
   ``W`` (metres); the coordinates are warped by a smooth random displacement of amplitude
   ``warp`` so informal settlements and natural parcels are irregular.
2. Each block interior ``I = P_b - W`` is cut into ``round(I / P_l)`` lots per side. A lot holds
   a building with probability ``occupancy``: a rectangle (or, with probability ``round_p``, a
   disc: tanks, silos) of side ``f * P_l``, jittered within the lot. The footprint ratio
   ``f = sqrt(bsf / ((I / P_b)^2 occupancy))`` makes the expected building surface fraction
   the class's ``bsf``. Heights are log-uniform around the scene's median; roofs are concrete,
   clay tile or metal by the scene's mixture.
3. Open space is paved (to reach the class's impervious fraction ``isf`` together with paved
   streets) or pervious: tree clumps from one smooth field, then shrub, grass, soil and sand
   from a second smooth field (or per lot, like crop fields, when ``parcels``), each taking its
   expected share by thresholds at normal quantiles.
4. Water (rivers, ponds, the sea) overrides everything where a third, coarse field is below the
   scene's water fraction.

Per-lot random values live in a table with one row per lot, gathered to the cells, so every
cell of a lot agrees on its building, height, roof and texture.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from swdkit.data.synthetic._fields import normal_quantile, smooth_fields
from swdkit.data.synthetic._materials import (
    ASPHALT,
    CONCRETE,
    GRASS,
    ROOF_CONCRETE,
    SAND_ROCK,
    SHRUB,
    SOIL,
    TREE,
    WATER,
)

PATCH_PIXELS = 32
PIXEL_METRES = 10.0
UPSAMPLE = 2
MIN_BUILDING_HEIGHT = 2.5
MAX_FOOTPRINT_RATIO = 1.0  # 1: a building fills its lot (terraced rows in compact zones)


@dataclass
class Scene:
    """A batch of latent scenes on the fine grid of side ``G = 32 * upsample``.

    Attributes:
        material: uint8 ``(n, G, G)`` material index
            (:data:`swdkit.data.synthetic._materials.MATERIALS`).
        height: float32 ``(n, G, G)`` building height in metres (0 off buildings).
        texture: float32 ``(n, G, G)`` per-lot uniform [0, 1): brightness variation between
            roofs, fields and so on, shared by both sensors.
        upsample: cells per pixel side.
        grid_angle_deg: ``(n,)`` street grid orientation, degrees in [0, 90).
    """

    material: np.ndarray
    height: np.ndarray
    texture: np.ndarray
    upsample: int
    grid_angle_deg: np.ndarray

    @property
    def cell_metres(self) -> float:
        """Side of a fine cell in metres: ``10 / upsample``."""
        return PIXEL_METRES / self.upsample


def _col(x: np.ndarray) -> np.ndarray:
    """Per-scene values ``(n,)`` as float32 ``(n, 1, 1)``, to broadcast over a grid."""
    return np.asarray(x, dtype=np.float32).reshape(-1, 1, 1)


def _lot_index(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Number the lots of each scene densely: int32 pixel -> row of a lot table, and its scene.

    Lot coordinates ``(a, b)`` of scene ``i`` lie in a box ``Ta x Tb``; the table holds the
    boxes of all scenes one after the other, so a gather replaces any per-pixel hashing.
    """
    n = a.shape[0]
    amin, bmin = a.min(axis=(1, 2)), b.min(axis=(1, 2))
    ta = a.max(axis=(1, 2)) - amin + 1
    tb = b.max(axis=(1, 2)) - bmin + 1
    size = (ta * tb).astype(np.int64)
    offset = np.concatenate([[0], np.cumsum(size)[:-1]]).astype(np.int32)
    col = lambda z: z.astype(np.int32).reshape(n, 1, 1)  # noqa: E731
    index = (col(offset) + (a - col(amin)) * col(tb) + (b - col(bmin))).astype(np.intp)
    scene_of_row = np.repeat(np.arange(n), size)
    return index, scene_of_row


def _lot_table(rng: np.random.Generator, layout: dict[str, np.ndarray], sid: np.ndarray,
               lot: np.ndarray, ratio: np.ndarray) -> dict[str, np.ndarray]:
    """Per-lot building and surface attributes, one row per lot (``sid`` = scene of the row).

    Returns float32 rows ``cu, cv`` (building centre in lot coordinates, metres), ``hu, hv``
    (half sizes; a disc uses ``hu`` as radius), ``height``, ``texture``, ``cover_u`` (parcel
    cover draw) and uint8 ``kind`` (0 empty, 1 rectangle, 2 disc), ``roof`` (material),
    ``asphalt`` (1 when paved open ground is asphalt rather than concrete).
    """
    m = sid.shape[0]
    # 16-bit uniforms: ample resolution for lot attributes, and cheap to draw.
    draws = (rng.integers(0, 1 << 16, (11, m), dtype=np.uint16).astype(np.float32) + 0.5) / 65536
    occ_u, h_u, roof_u, shape_u, round_u, ju, jv, size_u, texture, cover_u, paved_u = draws
    lot, ratio = lot[sid], ratio[sid]
    hw = 0.5 * ratio * lot * (0.85 + 0.3 * size_u)
    aspect = 0.8 + 0.4 * shape_u
    hu, hv = hw * aspect, hw / aspect
    is_round = round_u < layout["round_p"][sid]
    hu = np.where(is_round, 1.128 * hw, hu)  # a disc of the same area as a square of side 2 hw
    hv = np.where(is_round, 1.128 * hw, hv)
    occupied = (occ_u < layout["occupancy"][sid]) & (ratio > 0)
    kind = (occupied * (1 + is_round)).astype(np.uint8)
    log_spread = np.sqrt(3.0) * layout["height_sd"][sid] * (2 * h_u - 1)
    height = np.maximum(layout["height_median"][sid] * np.exp(log_spread), MIN_BUILDING_HEIGHT)
    first, second = layout["roof_p"][:, 0], layout["roof_p"][:, 0] + layout["roof_p"][:, 1]
    roof = ROOF_CONCRETE + (roof_u > first[sid]) + (roof_u > second[sid])
    f32 = lambda z: np.asarray(z, dtype=np.float32)  # noqa: E731
    return {
        "cu": f32(0.5 * lot + (0.5 * lot - hu) * (2 * ju - 1) * 0.8),
        "cv": f32(0.5 * lot + (0.5 * lot - hv) * (2 * jv - 1) * 0.8),
        "hu": f32(hu), "hv": f32(hv), "height": f32(height), "texture": texture,
        "cover_u": cover_u, "kind": kind, "roof": roof.astype(np.uint8),
        "asphalt": (paved_u < 0.5).astype(np.uint8),
    }


def render_scenes(rng: np.random.Generator, layout: dict[str, np.ndarray],
                  upsample: int = UPSAMPLE) -> Scene:
    """Draw the material and height maps of ``n`` scenes from their layout parameters.

    Args:
        rng: numpy generator.
        layout: output of :func:`swdkit.data.synthetic._classes.draw_layout`, arrays ``(n,)``.
        upsample: fine cells per 10 m pixel side.

    Returns:
        A :class:`Scene` with arrays ``(n, 32 * upsample, 32 * upsample)``.
    """
    n = layout["bsf"].shape[0]
    g = PATCH_PIXELS * upsample
    s = PIXEL_METRES / upsample
    half = PATCH_PIXELS * PIXEL_METRES / 2
    axis = ((np.arange(g, dtype=np.float32) + 0.5) * s - half)
    y, x = axis[None, :, None], axis[None, None, :]

    # 1. Rotated, warped street grid: block coordinates (bu, bv) in [0, pitch).
    pitch, width = _col(layout["block_pitch"]), _col(layout["street_width"])
    alpha = np.deg2rad(_col(layout["grid_angle_deg"]))
    warp = smooth_fields(rng, n, 2, g, cells=4)
    warp *= _col(layout["warp"])[:, None]
    u = x * np.cos(alpha) + y * np.sin(alpha) + warp[:, 0] + _col(rng.uniform(0, 1, n)) * pitch
    v = -x * np.sin(alpha) + y * np.cos(alpha) + warp[:, 1] + _col(rng.uniform(0, 1, n)) * pitch
    del warp
    bi, bj = np.floor(u / pitch), np.floor(v / pitch)
    bu, bv = u - bi * pitch, v - bj * pitch
    del u, v
    street = (bu < width) | (bv < width)

    # 2. Lots inside blocks, and one table row per lot.
    interior = pitch - width
    n_lots = np.maximum(1.0, np.round(interior / _col(layout["lot_pitch"])))
    lot = interior / n_lots
    bu -= width
    bv -= width
    np.maximum(bu, 0.0, out=bu)
    np.maximum(bv, 0.0, out=bv)
    li = np.minimum(np.floor(bu / lot), n_lots - 1)
    lj = np.minimum(np.floor(bv / lot), n_lots - 1)
    bu -= li * lot  # now the position inside the lot
    bv -= lj * lot
    index, sid = _lot_index((bi * n_lots + li).astype(np.int32),
                            (bj * n_lots + lj).astype(np.int32))
    del bi, bj, li, lj
    interior_frac = (interior / pitch) ** 2
    occupancy = _col(layout["occupancy"])
    # Footprint ratio that gives the class's building surface fraction in expectation.
    ratio = np.sqrt(_col(layout["bsf"]) / np.maximum(interior_frac * occupancy, 1e-6))
    ratio = np.minimum(ratio, MAX_FOOTPRINT_RATIO)
    table = _lot_table(rng, layout, sid, lot.ravel(), ratio.ravel())
    lots = {k: t[index] for k, t in table.items()}
    del index

    du, dv = bu - lots["cu"], bv - lots["cv"]
    del bu, bv
    rect = (np.abs(du) < lots["hu"]) & (np.abs(dv) < lots["hv"])
    disc = du * du + dv * dv < lots["hu"] * lots["hu"]
    kind = lots["kind"]
    building = ~street & (((kind == 1) & rect) | ((kind == 2) & disc))
    del du, dv, rect, disc

    # 3. Open space: paved share, then pervious covers by thresholds on smooth fields.
    street_frac = 1.0 - interior_frac
    built_frac = interior_frac * occupancy * ratio**2
    open_frac = np.maximum(1.0 - street_frac - built_frac, 1e-3)
    street_paved = _col(layout["paved_streets"])
    paved = np.clip((_col(layout["isf"]) - street_frac * street_paved) / open_frac, 0.0, 0.95)
    cover = layout["cover"].astype(np.float32)  # (n, 5): tree, shrub, grass, soil, sand
    shares = np.concatenate([paved.reshape(n, 1), cover * (1.0 - paved.reshape(n, 1))], axis=1)
    tree = shares[:, 1]
    rest = np.delete(shares, 1, axis=1)  # paved, shrub, grass, soil, sand
    cum = np.cumsum(rest / np.maximum(1.0 - tree[:, None], 1e-6), axis=1)[:, :-1]
    parcels = np.asarray(layout["parcels"], bool)
    thresholds = np.where(parcels[:, None], cum, normal_quantile(cum))

    fields = smooth_fields(rng, n, 2, g, cells=7)
    draw = np.where(parcels.reshape(n, 1, 1), lots["cover_u"], fields[:, 1])
    idx = np.zeros((n, g, g), dtype=np.uint8)
    for k in range(thresholds.shape[1]):
        idx += draw >= thresholds[:, k].reshape(n, 1, 1).astype(np.float32)
    is_tree = fields[:, 0] < normal_quantile(tree).reshape(n, 1, 1)
    del fields, draw
    lut = np.array([CONCRETE, SHRUB, GRASS, SOIL, SAND_ROCK], np.uint8)
    material = lut[idx]
    material -= (idx == 0) * lots["asphalt"] * np.uint8(CONCRETE - ASPHALT)
    material[is_tree] = TREE

    # 4. Buildings, streets and water on top.
    material = np.where(building, lots["roof"], material)
    street_material = np.where(layout["paved_streets"], ASPHALT, SOIL).astype(np.uint8)
    material = np.where(street, street_material.reshape(n, 1, 1), material)
    water_field = smooth_fields(rng, n, 1, g, cells=3)[:, 0]
    water = water_field < normal_quantile(layout["water"]).reshape(n, 1, 1)
    material[water] = WATER
    height = lots["height"] * (building & ~water)
    return Scene(material=material.astype(np.uint8), height=height.astype(np.float32),
                 texture=lots["texture"], upsample=upsample,
                 grid_angle_deg=np.asarray(layout["grid_angle_deg"]))
