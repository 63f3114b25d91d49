"""Crash-safe file writing: a good file is never replaced by a half-written one.

Every writer in swdkit (data sets, checkpoints, metrics, figures, reports) goes through
:func:`atomic_path`: it writes to a temporary name in the destination's own directory and
renames it over the destination only when the writing finished without an exception. A
rename within one file system is atomic on POSIX and Windows, so a reader sees either the
old file or the new one, never a mixture.

The temporary file is created with mode ``0o666`` minus the process umask, like any file
``open(path, "w")`` creates (so a finished file has the mode the user's umask gives, usually
``0644``, not the ``0600`` of :func:`tempfile.mkstemp`). Its name says who owns it:
``.<name>.swdkit-tmp-<host>-<pid>-<token><suffix>``. A run killed by SIGKILL (or a power cut)
cannot remove its temporary file, so the next :func:`atomic_path` in the same folder does:
:func:`remove_stale_temporaries` deletes the temporaries of this host whose process is gone.
Temporaries of live processes, of other hosts (a shared network folder) and every file that
does not carry the pattern are never touched. (On Windows, where a process cannot be probed
safely, nothing is removed.)
"""

from __future__ import annotations

import contextlib
import json
import numbers
import os
import re
import secrets
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

TMP_MARK = ".swdkit-tmp-"
_TMP_NAME = re.compile(r"^\.(?P<target>.+)\.swdkit-tmp-(?P<host>[A-Za-z0-9_]*)-(?P<pid>[0-9]+)"
                       r"-(?P<token>[0-9a-f]{8})(?P<suffix>(?:\.[^.]*)?)$")


def _host() -> str:
    """This machine's name, reduced to letters, digits and ``_`` (for temporary names)."""
    return re.sub(r"[^A-Za-z0-9]", "_", socket.gethostname())[:40]


def temporary_owner(name: str) -> tuple[str, int] | None:
    """``(host, pid)`` of the process that made the temporary file ``name``, or None.

    None means ``name`` is not a temporary file of :func:`atomic_path`.
    """
    match = _TMP_NAME.match(name)
    if match is None or Path(match["target"]).suffix != match["suffix"]:
        return None
    return match["host"], int(match["pid"])


def _process_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine (True when it cannot be told)."""
    if os.name == "nt":  # os.kill would terminate the process there; never guess on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists but belongs to another user
        return True
    return True


def remove_stale_temporaries(folder: str | os.PathLike) -> list[Path]:
    """Delete the temporary files in ``folder`` left by killed swdkit runs on this host.

    A file is removed only if its name is an :func:`atomic_path` temporary name, it was made
    on this host, and the process that made it no longer runs. Files that cannot be removed
    (another user's) are left; a missing folder is no error.

    Returns:
        The paths removed.
    """
    removed = []
    host = _host()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if TMP_MARK not in entry.name:
            continue
        owner = temporary_owner(entry.name)
        if owner is None or owner[0] != host or owner[1] == os.getpid():
            continue
        if not _process_alive(owner[1]):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def foreign_entries(folder: str | os.PathLike, is_own: Callable[[Path], bool]) -> list[Path]:
    """The entries of ``folder`` (sorted) that are neither ``is_own`` nor temporary files.

    For writers that may only write into a folder holding nothing but their own output; a
    missing folder has none.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return [p for p in sorted(folder.iterdir())
            if temporary_owner(p.name) is None and not is_own(p)]


def _create_temporary(path: Path) -> Path:
    """Create an empty, new temporary file beside ``path`` (mode 0o666 minus the umask)."""
    prefix = f".{path.name}{TMP_MARK}{_host()}-{os.getpid()}-"
    while True:
        tmp = path.with_name(f"{prefix}{secrets.token_hex(4)}{path.suffix}")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it onto ``path`` on success.

    Args:
        path: the final destination. Its parent directory is created if missing.

    Yields:
        A new, empty file in the same directory, named
        ``.<name>.swdkit-tmp-<host>-<pid>-<token><suffix>`` (the same suffix, so libraries
        that look at it, such as matplotlib's ``savefig``, behave), with mode ``0o666`` minus
        the umask. On an exception the temporary file is removed and ``path`` is left exactly
        as it was. Temporary files of killed runs in that directory are removed first
        (:func:`remove_stale_temporaries`).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path.parent)
    tmp = _create_temporary(path)
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
