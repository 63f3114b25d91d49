"""``swdkit notebooks``: execute the lesson notebooks with papermill from the command line.

    swdkit notebooks [--params FILE] [--out DIR] [--only PATTERN] [-p NAME VALUE]...
                     [--fail-fast] [--notebooks DIR] [--kernel NAME] [--timeout SECONDS]

Exit status 0 when every notebook ran, 1 when one failed (its executed copy keeps the error).
"""

from __future__ import annotations

import argparse
import warnings
from typing import Any

from swdkit.notebooks._runner import (
    DEFAULT_TIMEOUT,
    UnknownParameterWarning,
    load_param_file,
    run_notebooks,
)


def parse_value(text: str) -> Any:
    """A command-line value as YAML would read it: ``32`` -> 32, ``null`` -> None, ``a`` -> 'a'."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def notebooks_command(args: argparse.Namespace) -> int:
    """Run the notebooks; exit status 0 when all ran, 1 when one failed."""
    params = load_param_file(args.params)
    params.command_line = {name: parse_value(value) for name, value in args.p or []}
    with warnings.catch_warnings():  # the runner's log already prints it
        warnings.simplefilter("ignore", UnknownParameterWarning)
        runs = run_notebooks(args.notebooks, params=params, out=args.out, only=args.only,
                             fail_fast=args.fail_fast, kernel_name=args.kernel,
                             timeout=args.timeout)
    return 0 if all(r.status == "ok" for r in runs) else 1


def register(subparsers: Any) -> None:
    """Add ``swdkit notebooks`` to the command line."""
    p = subparsers.add_parser(
        "notebooks", help="execute the lesson notebooks with papermill",
        description="Execute notebooks/NN_*.ipynb in order with papermill, injecting only the "
                    "parameters each declares; write executed copies and summary.json.")
    p.add_argument("--params", metavar="FILE",
                   help="parameter file (YAML: defaults, notebooks); e.g. "
                        "notebooks/params/lesson.yml")
    p.add_argument("--out", metavar="DIR", default="build/notebooks",
                   help="where executed copies, outputs and summary.json go "
                        "(default: build/notebooks)")
    p.add_argument("--only", metavar="PATTERN",
                   help="only notebooks whose file name matches (glob or substring)")
    p.add_argument("-p", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   help="set a parameter (YAML value) for every notebook that declares it")
    p.add_argument("--fail-fast", action="store_true", help="stop at the first failing notebook")
    p.add_argument("--notebooks", metavar="DIR", default="notebooks",
                   help="folder of the notebooks (default: notebooks)")
    p.add_argument("--kernel", metavar="NAME", default=None,
                   help="Jupyter kernel to use (default: the one each notebook names)")
    p.add_argument("--timeout", metavar="SECONDS", type=float, default=DEFAULT_TIMEOUT,
                   help="seconds each notebook may run, kernel start included; the cell that "
                        f"reaches the limit is stopped and named (default: {DEFAULT_TIMEOUT:g}; "
                        "0: no limit)")
    p.set_defaults(func=notebooks_command)
