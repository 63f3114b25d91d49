"""The radar knobs of the synthetic generator, bundled in one frozen value: :class:`RadarOptions`.

Three knobs change what the radar (Sentinel-1) records; the optical images never change. Their
defaults reproduce generator version 2 bit for bit:

- ``scatterer_db`` (default 0.0): strength of the bright point scatterers in dB relative to the
  calibrated default; None removes them (:mod:`swdkit.data.synthetic._scatterers`).
- ``looks`` (default 1): independent looks averaged into the radar intensity; speckle's
  coefficient of variation falls as ``1 / sqrt(looks)``, so the radar carries more of the
  scene (:func:`swdkit.data.synthetic._sar.multilook`).
- ``twin`` (default None): None renders the radar; a number ``s >= 0`` makes the *twin set*,
  whose VV channels are a fixed noisy linear map of the optical RGB with noise of relative
  level ``s`` (:mod:`swdkit.data.synthetic._twin`).

Each knob is written as an HDF5 attribute of every file (None as NaN), and
:func:`swdkit.data.synthetic.synthetic_matches` compares them. Files written before ``looks``
and ``twin`` existed carry neither attribute; they were made with ``looks=1`` and no twin, so
a missing attribute counts as that default (``scatterer_db`` must be present).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

from swdkit._checks import check_value

_DEFAULT_WHEN_ABSENT = {"looks": 1, "twin": float("nan")}


def check_scatterer_db(scatterer_db: float | None) -> float | None:
    """The bright-scatterer knob: None (no point scatterers) or a finite number of dB."""
    return check_value("scatterer_db", scatterer_db, "number", allow_none=True,
                       hint="dB relative to the calibrated default; None turns them off")


def check_looks(looks: int) -> int:
    """The number of looks: a positive integer (1 = single-look, the default)."""
    return check_value("looks", looks, "positive integer",
                       hint="independent looks averaged into the radar intensity; 1 is "
                            "single-look (the calibrated default)")


def check_twin(twin: float | None) -> float | None:
    """The twin knob: None (the rendered radar) or the relative noise level, a number >= 0."""
    return check_value("twin", twin, "number >= 0", allow_none=True,
                       hint="the twin set's relative noise level (e.g. 0.1); None renders "
                            "the radar")


def _stored(value: float | None) -> float:
    """A knob as a file attribute: None as NaN."""
    return float("nan") if value is None else float(value)


def _same(stored: Any, asked: float | int) -> bool:
    """A number read from a file's attributes against a knob's stored form (NaN equals NaN)."""
    if isinstance(stored, bool) or not isinstance(stored, numbers.Real):
        return False
    if isinstance(asked, float) and math.isnan(asked):
        return math.isnan(stored)
    return stored == asked


@dataclass(frozen=True)
class RadarOptions:
    """The generator's radar knobs (module docstring), checked when made.

    Attributes:
        scatterer_db: bright point scatterers, dB relative to the calibrated default; None: none.
        looks: independent looks averaged into the intensity (1: single-look).
        twin: None, or the twin set's relative noise level (a number >= 0).

    Raises:
        TypeError: a knob of the wrong type (a string, a bool, a float number of looks).
        ValueError: ``looks < 1``, a negative ``twin``, or a value that is not finite.
    """

    scatterer_db: float | None = 0.0
    looks: int = 1
    twin: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "scatterer_db", check_scatterer_db(self.scatterer_db))
        object.__setattr__(self, "looks", check_looks(self.looks))
        object.__setattr__(self, "twin", check_twin(self.twin))

    def attributes(self) -> dict[str, float | int]:
        """The knobs as HDF5 file attributes (None as NaN)."""
        return {"scatterer_db": _stored(self.scatterer_db), "looks": self.looks,
                "twin": _stored(self.twin)}

    def matches(self, attrs: dict[str, Any]) -> bool:
        """Whether a file's attributes record these knobs (``looks`` and ``twin`` absent: the
        defaults of the files written before they existed; ``scatterer_db`` must be there)."""
        return all(_same(attrs[k] if k in attrs else _DEFAULT_WHEN_ABSENT.get(k), v)
                   for k, v in self.attributes().items())


DEFAULT_OPTIONS = RadarOptions()  # generator version 2's radar
