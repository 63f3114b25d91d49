"""So2Sat LCZ42's catalogue: the 17 Local Climate Zones, the paper's class sets, the channels.

Sentinel-2 is the optical sensor (EO) and Sentinel-1 the radar (SAR); the seed paper swaps the
two names. The lessons use, like the paper, EO = Sentinel-2 B4, B3, B2 (RGB) and SAR =
Sentinel-1 unfiltered VV real and imaginary parts (Zhu et al., IEEE GRSM 8(3), 2020).
"""

from __future__ import annotations

from collections.abc import Sequence

CLASS_NAMES = (
    "LCZ 1 compact high-rise", "LCZ 2 compact mid-rise", "LCZ 3 compact low-rise",
    "LCZ 4 open high-rise", "LCZ 5 open mid-rise", "LCZ 6 open low-rise",
    "LCZ 7 lightweight low-rise", "LCZ 8 large low-rise", "LCZ 9 sparsely built",
    "LCZ 10 heavy industry", "LCZ A dense trees", "LCZ B scattered trees",
    "LCZ C bush, scrub", "LCZ D low plants", "LCZ E bare rock or paved",
    "LCZ F bare soil or sand", "LCZ G water",
)
# Class configurations of the paper: So2Sat label indices kept, renumbered 0..K-1 in this order.
CLASS_SETS = {
    "lowrise": (2, 5, 6, 7),  # LCZ 3, 6, 7, 8: the four LCZs named low-rise
    "urban": tuple(range(10)),  # LCZ 1-10
    "all": tuple(range(17)),
}
SEN1_CHANNELS = (
    "VH real", "VH imaginary", "VV real", "VV imaginary", "Lee-filtered VH intensity",
    "Lee-filtered VV intensity", "Lee-filtered covariance off-diagonal real",
    "Lee-filtered covariance off-diagonal imaginary",
)
SEN2_BANDS = ("B2", "B3", "B4", "B5", "B6", "B7", "B8", "B8A", "B11", "B12")
EO_SEN2_INDICES = (2, 1, 0)  # the paper's EO input: sen2[..., [2, 1, 0]] = B4, B3, B2 (RGB)
SAR_SEN1_INDICES = (2, 3)  # the paper's SAR input: sen1[..., 2:4] = unfiltered VV real, imag
EO_CHANNELS = ("B4 red", "B3 green", "B2 blue")
SAR_CHANNELS = ("VV real", "VV imaginary")


def resolve_classes(classes: str | Sequence[int]) -> tuple[int, ...]:
    """Turn a class-set name or explicit So2Sat class indices into sorted indices.

    Raises:
        ValueError: an unknown set name (the valid ones are listed), or indices that are not
            distinct integers in 0..16.
    """
    if isinstance(classes, str):
        if classes not in CLASS_SETS:
            raise ValueError(f"classes={classes!r} is not a class configuration; choose one of "
                             f"{sorted(CLASS_SETS)} or give a list of class indices 0..16")
        return CLASS_SETS[classes]
    try:
        values = [int(c) for c in classes]
    except (TypeError, ValueError) as err:
        raise ValueError(f"classes must be one of {sorted(CLASS_SETS)} or a list of class "
                         f"indices 0..16, got {classes!r}") from err
    if any(int(c) != c for c in classes) or not values or len(set(values)) != len(values) \
            or min(values) < 0 or max(values) >= len(CLASS_NAMES):
        raise ValueError(f"classes must be distinct integers in 0..{len(CLASS_NAMES) - 1} "
                         f"(at least one), got {list(classes)}")
    return tuple(sorted(values))
