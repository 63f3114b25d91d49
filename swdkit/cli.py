"""The ``swdkit`` command.

Each command group lives beside the code it drives and registers itself here through a
``register(subparsers)`` function, so this file only wires them together:

    swdkit data synthetic|download|verify|prepare   (swdkit.data)
    swdkit notebooks                                (swdkit.notebooks)
    swdkit grid | report                            (swdkit.experiments)
"""

from __future__ import annotations

import argparse
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
# value of the wrong type (TypeError), a file or folder that is not there (FileNotFoundError).
# Their messages say what to do; anything else is a bug and keeps its traceback.
_USER_ERRORS = (ValueError, TypeError, FileNotFoundError)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``swdkit`` console script; returns the exit status.

    A command's status is returned as it is (0: done, 1: some runs or notebooks failed). A wrong
    input ends as exit status 2 with one line on stderr, ``swdkit COMMAND: error: MESSAGE``
    (a message of several lines, such as a YAML parser's, is joined into one).
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
    if isinstance(err, FileNotFoundError) and err.errno is not None and err.filename:
        return (f"{err.strerror}: {err.filename}; check the path (relative paths start at "
                f"{os.getcwd()})")
    return " ".join(str(err).split()) or type(err).__name__


if __name__ == "__main__":
    sys.exit(main())
