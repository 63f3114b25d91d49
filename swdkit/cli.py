"""The ``swdkit`` command.

Each command group lives beside the code it drives and registers itself here through a
``register(subparsers)`` function, so this file only wires them together:

    swdkit data synthetic|download|verify|prepare   (swdkit.data)
    swdkit notebooks                                (swdkit.notebooks)
    swdkit grid | report                            (swdkit.experiments)
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sys

from swdkit import __version__

# Modules that define ``register(subparsers)``; each handler is stored as ``func`` on its parser
# and returns the process exit status.
_COMMAND_MODULES = ("swdkit.data._cli", "swdkit.notebooks._cli", "swdkit.experiments._cli")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every command group that is installed."""
    parser = argparse.ArgumentParser(
        prog="swdkit",
        description="Few-shot EO-to-SAR transfer by sliced-Wasserstein alignment: data, "
                    "notebooks and experiments.")
    parser.add_argument("--version", action="version", version=f"swdkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name != name:
                raise
            continue
        module.register(sub)
    return parser


# What a command raises for a wrong input: a value out of range or malformed (ValueError), a
# value of the wrong type (TypeError), and whatever the operating system refuses (OSError: a
# file or folder that is not there, permission denied, a read-only or full disk, a folder where
# a file belongs...). Their messages say what to do; anything else is a bug and keeps its
# traceback.
_USER_ERRORS = (ValueError, TypeError, OSError)

# What to do about an operating-system error, by errno name.
_OS_REMEDIES = {
    "ENOENT": "check the path (relative paths start at {cwd})",
    "EACCES": "choose a place you may write to, or change the permissions",
    "EPERM": "choose a place you may write to, or change the permissions",
    "EROFS": "the file system is read-only; choose another place",
    "ENOSPC": "the disk is full; free some space or choose another place",
    "EDQUOT": "your disk quota is used up; free some space or choose another place",
    "EISDIR": "that is a folder; give a file path",
    "ENOTDIR": "a part of the path is a file, not a folder; fix the path",
    "EEXIST": "it is in the way; move it aside or choose another name",
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``swdkit`` console script; returns the exit status.

    A command's status is returned as it is (0: done, 1: some runs or notebooks failed). A wrong
    input, or a file the operating system refuses, ends as exit status 2 with one line on
    stderr, ``swdkit COMMAND: error: MESSAGE`` (a message of several lines, such as a YAML
    parser's, is joined into one).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except _USER_ERRORS as err:
        print(f"swdkit {args.command}: error: {_one_line(err)}", file=sys.stderr)
        return 2


def _one_line(err: Exception) -> str:
    """The error's message on one line; the operating system's own gets a remedy too."""
    if isinstance(err, OSError) and err.errno is not None and err.strerror:
        code = errno.errorcode.get(err.errno, "")
        remedy = _OS_REMEDIES.get(code, "check the path and try again").format(cwd=os.getcwd())
        where = f": {err.filename}" if err.filename else ""
        return f"{err.strerror}{where}; {remedy}"
    return " ".join(str(err).split()) or type(err).__name__


if __name__ == "__main__":
    sys.exit(main())
