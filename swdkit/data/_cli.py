"""``swdkit data``: make the synthetic set, fetch, check and prepare the real So2Sat files.

    swdkit data synthetic [--out DIR] [--seed S] [--n-train N --n-val N --n-test N] [--if-missing]
                          [--scatterer-db DB|none] [--looks L] [--twin NOISE]
    swdkit data download --version 2 --out DIR [--base-url URL] [--split NAME ...]
    swdkit data verify DIR|FILE
    swdkit data prepare SRC OUT [--classes lowrise|urban|all|I,J,...] [--block-size N]

Each handler returns the exit status: 0 success, 1 a check failed or the host could not be
reached (the message says what to do), 2 bad input (printed by ``swdkit.cli``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from swdkit._checks import check_value

if TYPE_CHECKING:
    from swdkit.data.io._verify import VerifyResult


def _classes_arg(text: str) -> str | list[int]:
    """``lowrise`` / ``urban`` / ``all``, or comma-separated So2Sat class indices."""
    if text.replace(",", "").replace(" ", "").isdigit():
        return [int(part) for part in text.split(",") if part.strip()]
    return text


def _radar_knobs(args: argparse.Namespace) -> dict:
    """The radar knobs given on the command line, checked and named by their flags (a knob not
    given is left out: the generator's default)."""
    knobs = {}
    if args.scatterer_db is not None:
        text = args.scatterer_db.strip()
        try:
            value = None if text.lower() == "none" else float(text)
        except ValueError:
            raise ValueError(f"--scatterer-db must be a number of dB or 'none', got {text!r}"
                             ) from None
        knobs["scatterer_db"] = check_value(
            "--scatterer-db", value, "number", allow_none=True,
            hint="dB relative to the calibrated default, or 'none' for no point scatterers")
    if args.looks is not None:
        knobs["looks"] = check_value("--looks", args.looks, "positive integer",
                                     hint="independent looks averaged; 1 is single-look")
    if args.twin is not None:
        knobs["twin"] = check_value("--twin", args.twin, "number >= 0",
                                    hint="the twin set's relative noise level, e.g. 0.1")
    return knobs


def _cmd_synthetic(args: argparse.Namespace) -> int:
    """``swdkit data synthetic``: write the synthetic set (or keep a matching one)."""
    from swdkit.data._lesson import ensure_synthetic

    # Checked here to name the flags, before anything is made.
    sizes = {"n_train": args.n_train, "n_val": args.n_val, "n_test": args.n_test}
    for name, value in sizes.items():
        if value is not None:
            check_value(f"--{name.replace('_', '-')}", value, "positive integer",
                        hint="samples per class")
    check_value("--seed", args.seed, "integer >= 0")
    knobs = _radar_knobs(args)
    if args.out is None:
        from swdkit.data._split import default_data_dir

        out = default_data_dir()
    else:
        out = Path(args.out)
    made = True
    if args.if_missing and not knobs:
        out, made = ensure_synthetic(out, seed=args.seed, **sizes)
    else:
        from swdkit.data import synthetic

        defaults = {"n_train": synthetic.DEFAULT_N_TRAIN, "n_val": synthetic.DEFAULT_N_VAL,
                    "n_test": synthetic.DEFAULT_N_TEST}
        sizes = {k: defaults[k] if v is None else v for k, v in sizes.items()}
        made = not (args.if_missing
                    and synthetic.synthetic_matches(out, seed=args.seed, **sizes, **knobs))
        if made:
            synthetic.make_synthetic(out, seed=args.seed, progress=True, **sizes, **knobs)
    print(f"{'made' if made else 'kept (already there, same settings)'}: synthetic set in {out}")
    return 0


def _cmd_download(args: argparse.Namespace) -> int:
    """``swdkit data download``: 1 (with the manual steps) when the host cannot be reached."""
    from swdkit.data.io._download import DownloadError, download

    try:
        paths = download(args.version, args.out, base_url=args.base_url, splits=args.split,
                         retries=args.retries, timeout=args.timeout)
    except DownloadError as err:
        print(f"swdkit data download: {err}", file=sys.stderr)
        return 1
    for path in paths:
        print(f"ok (md5 verified): {path}")
    return 0


def _verify_line(r: VerifyResult) -> str:
    """One line of ``swdkit data verify`` for one :class:`swdkit.data.io.VerifyResult`."""
    if r.status == "ok":
        return f"ok           {r.path}  md5 {r.found_md5} (published, version {r.version})"
    if r.status == "generated":
        return (f"NOT CHECKED  {r.path}  written by swdkit (synthetic or a prepared cache): it "
                "has no published md5; verify the downloaded files it was made from")
    if r.status == "missing":  # version-3 files live one folder below the download folder
        out = r.path.parent.parent if r.version.startswith("3") else r.path.parent
        return (f"MISSING      {r.path}  fetch it with `swdkit data download --version "
                f"{r.version} --out {out} --split {r.path.stem}`")
    if r.status == "size":
        return (f"BAD SIZE     {r.path}  {r.path.stat().st_size:,} bytes (truncated or wrong "
                "file); download it again")
    return (f"BAD MD5      {r.path}  found {r.found_md5}, expected {r.expected_md5}; download "
            "it again")


def _cmd_verify(args: argparse.Namespace) -> int:
    """``swdkit data verify``: one line per file and what was checked; 0 only when every
    published file found was hashed and matched, none missing; 1 otherwise."""
    from swdkit.data.io._verify import verify, verify_passed

    results = verify(args.dir)
    for r in results:
        print(_verify_line(r))
    count = {s: sum(r.status == s for r in results)
             for s in ("ok", "size", "md5", "generated", "missing")}
    print(f"checked {len(results) - count['generated'] - count['missing']} file(s) against "
          f"their published md5: {count['ok']} verified, {count['size'] + count['md5']} bad; "
          f"{count['generated']} not checked, {count['missing']} missing")
    if verify_passed(results):
        return 0
    if not count["ok"] + count["size"] + count["md5"]:
        print("nothing was verified: the files here were written by swdkit (synthetic or "
              "prepared caches) and have no published md5; point verify at the downloaded "
              "So2Sat files", file=sys.stderr)
    else:
        print("not verified: see the lines above", file=sys.stderr)
    return 1


def _cmd_prepare(args: argparse.Namespace) -> int:
    """``swdkit data prepare``: write the lesson caches and name them."""
    from swdkit.data.io._prepare import prepare

    for path in prepare(args.src, args.out, classes=args.classes, block_size=args.block_size):
        print(f"wrote {path}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``data`` command group to the ``swdkit`` parser."""
    data = subparsers.add_parser(
        "data", help="make, fetch, check and prepare data sets",
        description="Make the synthetic So2Sat-format set, or fetch, check and prepare the real "
                    "So2Sat LCZ42 files.")
    sub = data.add_subparsers(dest="data_command", metavar="ACTION", required=True)

    p = sub.add_parser("synthetic", help="write the synthetic So2Sat-format set (3 .h5 files)")
    p.add_argument("--out", default=None,
                   help="destination folder (default: where the notebooks look for it, "
                        "$SWDKIT_DATA_DIR or ~/.cache/swdkit/synthetic)")
    p.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    for split in ("train", "val", "test"):
        p.add_argument(f"--n-{split}", type=int, default=None, metavar="N",
                       help=f"{split} samples per class (default: the generator's)")
    p.add_argument("--if-missing", action="store_true",
                   help="do nothing if DIR already holds a set made with these settings")
    p.add_argument("--scatterer-db", default=None, metavar="DB|none",
                   help="bright radar point scatterers, dB relative to the calibrated default, "
                        "or 'none' (default 0)")
    p.add_argument("--looks", type=int, default=None, metavar="L",
                   help="independent radar looks averaged into the intensity; speckle falls as "
                        "1/sqrt(L) (default 1)")
    p.add_argument("--twin", type=float, default=None, metavar="NOISE",
                   help="make the twin set: VV real/imaginary a fixed linear map of the RGB "
                        "plus noise of this relative level, e.g. 0.1 (default: off)")
    p.set_defaults(func=_cmd_synthetic)

    from swdkit.data.io._download import DOWNLOAD_VERSIONS

    p = sub.add_parser("download", help="fetch the real So2Sat LCZ42 files (resumable, md5)")
    p.add_argument("--version", required=True, choices=DOWNLOAD_VERSIONS,
                   help="2 (training/validation/testing) or a version-3 scenario; 3 = all three")
    p.add_argument("--out", required=True, help="destination folder")
    p.add_argument("--base-url", default=None,
                   help="URL pattern with {dir} and {file}, or a prefix for the relative path "
                        "(default: the TUM dataserv share)")
    p.add_argument("--split", action="append", default=None,
                   choices=("training", "validation", "testing"),
                   help="fetch only this split (repeatable; default: all)")
    p.add_argument("--retries", type=int, default=5, help="resumes after a broken connection")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds without data")
    p.set_defaults(func=_cmd_download)

    p = sub.add_parser("verify", help="check the md5 of every So2Sat file in DIR (or one file)",
                       description="Check downloaded So2Sat files against their published md5 "
                                   "sums. Exit 0 only when every published file found was "
                                   "checked and matched and no split is missing; 1 otherwise "
                                   "(swdkit's own files cannot be checked).")
    p.add_argument("dir", help="folder with the .h5 files, or one .h5 file")
    p.set_defaults(func=_cmd_verify)

    from swdkit.data.io._h5 import DEFAULT_BLOCK_SIZE

    p = sub.add_parser("prepare", help="stream So2Sat files into a compact lesson cache")
    p.add_argument("src", help="a So2Sat .h5 file or a folder of them")
    p.add_argument("out", help="cache folder (or, for one source file, a .h5 path)")
    p.add_argument("--classes", type=_classes_arg, default="all",
                   help="class set (lowrise, urban, all) or indices like 2,5,6,7 (default all)")
    p.add_argument("--block-size", type=int, default=DEFAULT_BLOCK_SIZE,
                   help=f"rows per block; memory ~ 80 KB per row (default {DEFAULT_BLOCK_SIZE})")
    p.set_defaults(func=_cmd_prepare)
