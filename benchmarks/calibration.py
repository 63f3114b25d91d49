"""The synthetic set beside the real So2Sat LCZ42: every channel's mean, spread and tail.

Renders the default synthetic training split (400 samples per class, seed 0: what
``swdkit data synthetic`` writes) in memory and prints, for every 4th sample (as the issue that
asked for the calibration measured it), each of the 18 channels' mean, standard deviation and
upper quantiles beside the published real values (the So2Sat LCZ42 version-2 training set, per-
channel statistics published by torchgeo, ``torchgeo/datamodules/so2sat.py``; see
``swdkit.data.synthetic.channel_statistics``), whether each is within the calibration target
(standard deviation within a factor 1.5, mean within 20 %, or 0.01 near zero), and the share of
pixels whose VV intensity exceeds ten times their patch's median.

``--scatterer-db`` renders with the bright point scatterers shifted by that many dB (``none``:
without them), the knob a lesson turns; several values print one table each.

Run: ``.venv/bin/python benchmarks/calibration.py`` (about 30 s on 2 cores).
"""

from __future__ import annotations

import argparse
import datetime
import platform
import time

from swdkit.data.synthetic import (
    DEFAULT_N_TRAIN,
    bright_share,
    calibration_table,
    channel_statistics,
    generate_split,
)


def knob(text: str) -> float | None:
    """``none`` -> None, else a float (dB)."""
    return None if text.lower() == "none" else float(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-per-class", type=int, default=DEFAULT_N_TRAIN)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--stride", type=int, default=4, help="use every STRIDE-th sample")
    parser.add_argument("--scatterer-db", type=knob, nargs="+", default=[0.0],
                        help="strength of the bright point scatterers, dB ('none': off)")
    args = parser.parse_args()
    print(f"# {datetime.date.today()}, {platform.machine()}, synthetic training split, "
          f"{args.n_per_class} per class, seed {args.seed}, every {args.stride}th sample\n")
    for strength in args.scatterer_db:
        start = time.perf_counter()
        data = generate_split("training", args.n_per_class, seed=args.seed,
                              scatterer_db=strength)
        seconds = time.perf_counter() - start
        stats = channel_statistics(data["sen1"], data["sen2"], stride=args.stride)
        met = sum(s.mean_ok and s.std_ok for s in stats)
        print(f"## scatterer_db = {strength} (rendered in {seconds:.1f} s): "
              f"{met} of {len(stats)} channels within target; share of pixels above 10x the "
              f"patch median VV intensity: {bright_share(data['sen1'], stride=args.stride):.4f}"
              "\n")
        print(calibration_table(stats))
        print()


if __name__ == "__main__":
    main()
