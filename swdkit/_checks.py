"""Checks of plain argument values shared by every subpackage (private).

One rule everywhere: a value of the wrong *type* raises ``TypeError`` (a string where a number
belongs, ``True`` where a count belongs), a value of the right type outside its range raises
``ValueError``; both name the argument, say what it must be and show what was received.
Python and numpy integers count as integers, ``bool`` never does.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

# kind -> (type test, range test, wording)
_KINDS: dict[str, tuple[Any, Any, str]] = {
    "positive integer": ("int", lambda v: v >= 1, "a positive integer"),
    "integer >= 0": ("int", lambda v: v >= 0, "an integer >= 0"),
    "number > 0": ("real", lambda v: math.isfinite(v) and v > 0, "a finite number > 0"),
    "number >= 0": ("real", lambda v: math.isfinite(v) and v >= 0, "a finite number >= 0"),
    "number": ("real", math.isfinite, "a finite number"),
}
KINDS = tuple(_KINDS)


def is_integer(value: Any) -> bool:
    """An integer (Python or numpy), not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_real(value: Any) -> bool:
    """A real number (Python or numpy int or float), not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_value(name: str, value: Any, kind: str, *, allow_none: bool = False,
                minimum: int | None = None, hint: str = "") -> Any:
    """Return ``value`` (integers as ``int``, numbers as ``float``) if it is of ``kind``.

    Args:
        name: the argument's name, for the message.
        value: what was received.
        kind: one of :data:`KINDS`.
        allow_none: None is accepted (and returned).
        minimum: for the integer kinds, a larger lower bound than the kind's.
        hint: appended to the message (what the value means, or what to do).

    Raises:
        TypeError: ``value`` is not an integer / a number as ``kind`` needs.
        ValueError: it is, but outside the range.
    """
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if allow_none and value is None:
        return None
    type_test, in_range, wording = _KINDS[kind]
    if minimum is not None:
        wording = f"an integer >= {minimum}"
        in_range = (lambda v: v >= minimum)  # noqa: E731
    wording += " or None" if allow_none else ""
    suffix = f"; {hint}" if hint else ""
    right_type = is_integer(value) if type_test == "int" else is_real(value)
    if not right_type:
        raise TypeError(f"{name} must be {wording}, got {type(value).__name__} "
                        f"{value!r}{suffix}")
    if not in_range(value):
        raise ValueError(f"{name} must be {wording}, got {value!r}{suffix}")
    return int(value) if type_test == "int" else float(value)


def check_fields(obj: Any, kind: str, *names: str) -> None:
    """:func:`check_value` on each attribute ``names`` of ``obj`` (a config dataclass)."""
    for name in names:
        check_value(name, getattr(obj, name), kind)


def check_choice(name: str, value: Any, choices: tuple[Any, ...] | list[Any]) -> Any:
    """Return ``value`` if it is one of ``choices``; else ``ValueError`` listing them."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; "
                         f"got {value!r}")
    return value
