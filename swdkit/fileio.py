"""Crash-safe file writing: a good file is never replaced by a half-written one.

Every writer in swdkit (data sets, checkpoints, metrics, figures, reports) goes through
:func:`atomic_path`: it writes to a temporary name in the destination's own directory and
renames it over the destination only when the writing finished without an exception. A
rename within one file system is atomic on POSIX and Windows, so a reader sees either the
old file or the new one, never a mixture.
"""

from __future__ import annotations

import contextlib
import json
import numbers
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it onto ``path`` on success.

    Args:
        path: the final destination. Its parent directory is created if missing.

    Yields:
        A path in the same directory, with the same suffix (so libraries that look at the
        suffix, such as matplotlib's ``savefig``, behave). On an exception the temporary file
        is removed and ``path`` is left exactly as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".tmp{path.suffix}",
                                    dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_json_atomic(path: str | os.PathLike, obj: Any) -> Path:
    """Write ``obj`` as indented JSON to ``path`` atomically and return the path."""
    return write_text_atomic(path, json.dumps(obj, indent=2, sort_keys=True) + "\n")


def json_ready(value: Any, *, strict: bool = True) -> Any:
    """``value`` with numpy / torch scalars and arrays (in dicts, lists, tuples) made plain Python.

    Dict keys become strings, tuples lists, arrays nested lists, numpy numbers ``int`` /
    ``float``. Any other object raises ``TypeError`` when ``strict``, else is kept as it is (for
    ``json.dumps(default=...)`` or a later check to deal with).
    """
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return value.tolist()
    if isinstance(value, dict):
        return {str(k): json_ready(v, strict=strict) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v, strict=strict) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if strict:
        raise TypeError(f"value {value!r} of type {type(value).__name__} is not a number, "
                        "string, bool, list or dict; convert it before recording")
    return value
