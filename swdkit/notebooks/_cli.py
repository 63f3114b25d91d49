"""``swdkit notebooks``: execute the lesson notebooks with papermill from the command line.

    swdkit notebooks [--params FILE] [--out DIR] [--only PATTERN] [-p NAME VALUE]...
                     [--sweep NAME=V1,V2,...]... [--fail-fast] [--notebooks DIR]
                     [--kernel NAME] [--timeout SECONDS]

With ``--sweep`` the one notebook ``--only`` selects runs once per combination of the swept
values (``_sweep``). Exit status 0 when every notebook (or combination) ran, 1 when one failed
(its executed copy keeps the error).
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
from swdkit.notebooks._sweep import run_sweep

SWEEP_EXAMPLE = "--sweep n_labeled=32,128,full"


def parse_value(text: str) -> Any:
    """A command-line value as YAML would read it: ``32`` -> 32, ``null`` -> None, ``a`` -> 'a'."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def parse_sweep(texts: list[str]) -> dict[str, list[Any]]:
    """``--sweep NAME=V1,V2,...`` options as ``{NAME: [values]}``, each value read like ``-p``'s.

    The values are read as a YAML flow list, so ``32,128,full`` -> ``[32, 128, 'full']``, a
    quoted value may hold a comma (``'a,b',c``) and a value may be a list (``[1,2],[3]``).

    Raises:
        ValueError: an option not of the form ``NAME=V1,V2``, an empty value or a name twice.
    """
    import yaml

    sweep: dict[str, list[Any]] = {}
    for text in texts:
        name, equals, values = text.partition("=")
        name = name.strip()
        if not equals or not name or not values.strip():
            raise ValueError(f"--sweep {text!r} is not NAME=V1,V2,...; write it like "
                             f"{SWEEP_EXAMPLE}")
        if name in sweep:
            raise ValueError(f"--sweep gives {name} twice; give all its values in one option, "
                             f"--sweep {name}=V1,V2,...")
        try:
            parsed = yaml.safe_load(f"[{values}]")
        except yaml.YAMLError:
            parsed = None
        if not isinstance(parsed, list):
            items = [item.strip() for item in values.split(",")]
            if "" in items:
                raise ValueError(f"--sweep {text!r} has an empty value; separate the values "
                                 f"by single commas, like {SWEEP_EXAMPLE}")
            parsed = [parse_value(item) for item in items]
        sweep[name] = parsed
    return sweep


def notebooks_command(args: argparse.Namespace) -> int:
    """Run the notebooks (or a sweep of one); exit status 0 when all ran, 1 when one failed."""
    sweep = parse_sweep(args.sweep) if args.sweep else None
    params = load_param_file(args.params)
    params.command_line = {name: parse_value(value) for name, value in args.p or []}
    common = {"params": params, "only": args.only, "fail_fast": args.fail_fast,
              "kernel_name": args.kernel, "timeout": args.timeout}
    with warnings.catch_warnings():  # the runner's log already prints it
        warnings.simplefilter("ignore", UnknownParameterWarning)
        if sweep is not None:
            runs = [r.run for r in run_sweep(args.notebooks, sweep=sweep,
                                             out=args.out or "build/sweep", **common)]
        else:
            runs = run_notebooks(args.notebooks, out=args.out or "build/notebooks", **common)
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
    p.add_argument("--out", metavar="DIR", default=None,
                   help="where executed copies, outputs and summary.json go "
                        "(default: build/notebooks; with --sweep: build/sweep)")
    p.add_argument("--only", metavar="PATTERN",
                   help="only notebooks whose file name matches (glob or substring); with "
                        "--sweep it must match exactly one")
    p.add_argument("-p", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   help="set a parameter (YAML value) for every notebook that declares it")
    p.add_argument("--sweep", action="append", metavar="NAME=V1,V2,...",
                   help="run the one notebook --only selects once per value (several --sweep: "
                        "once per combination), each into OUT/NAME=VALUE, and write the table "
                        "sweep.md / sweep.csv of their metrics and index.html; the values win "
                        f"over --params and -p (e.g. {SWEEP_EXAMPLE})")
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
