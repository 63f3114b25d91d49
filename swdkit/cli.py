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
import sys

from swdkit import __version__

# Modules that define ``register(subparsers)``; each handler is stored as ``func`` on its parser
# and returns the process exit status.
_COMMAND_MODULES = ("swdkit.data._cli", "swdkit.notebooks._runner", "swdkit.experiments._cli")


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


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``swdkit`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError) as err:
        print(f"swdkit {args.command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
