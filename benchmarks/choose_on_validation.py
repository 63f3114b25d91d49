"""Validation and test accuracy side by side, per cell of a results store: choose on the first.

The house rule: every choice (representation, normalisation, capacity, alignment options) is made
on the validation cities; the test cities give the final number only. A record's
``results.val_accuracy`` is the validation accuracy of the final network (the last epoch of the
SAR phase), ``results.test_accuracy`` the test accuracy of the same network. This prints, per
cell (every setting but the seed), the mean and standard error over seeds of both, grouped by
the settings named in ``--group`` (default: method and label count), best validation first.

Run: ``.venv/bin/python benchmarks/choose_on_validation.py build/experiments/ablation.jsonl``
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
from collections import defaultdict

from swdkit.data import DEFAULT_SAR_INPUT
from swdkit.experiments import read_store


def describe(settings: dict) -> dict[str, str]:
    """The settings that vary between cells, as short strings (a run without ``sar_input`` in
    its data settings read the default, ``DEFAULT_SAR_INPUT``, of the source that made it: every
    store in experiments/results was made after the default became ``db_smooth``)."""
    config = {k: v for k, v in (settings.get("config") or {}).items() if k != "progress"}
    return {"method": settings["method"], "n_labeled": str(settings["n_labeled"]),
            "norm": settings["norm"], "sar_input": (settings.get("data") or {}).get(
                "sar_input", DEFAULT_SAR_INPUT),
            "config": json.dumps(config, sort_keys=True) if config else "lesson preset"}


def mean_se(values: list[float]) -> str:
    if len(values) < 2:
        return f"{100 * values[0]:.1f}"
    se = statistics.stdev(values) / math.sqrt(len(values))
    return f"{100 * statistics.mean(values):.1f} +- {100 * se:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store")
    parser.add_argument("--group", nargs="+", default=["method", "n_labeled"])
    args = parser.parse_args()
    cells: dict[tuple, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for record in read_store(args.store).records:
        key = tuple(sorted(describe(record["settings"]).items()))
        results = record["results"]
        if "val_accuracy" in results:
            cells[key]["val"].append(results["val_accuracy"])
            cells[key]["test"].append(results["test_accuracy"])
    groups: dict[tuple, list] = defaultdict(list)
    for key, values in cells.items():
        fields = dict(key)
        groups[tuple(fields[g] for g in args.group)].append((fields, values))
    for group, rows in sorted(groups.items()):
        print(f"\n#### {', '.join(f'{g} {v}' for g, v in zip(args.group, group, strict=True))}\n")
        shown = [c for c in ("norm", "sar_input", "config", "method", "n_labeled")
                 if c not in args.group]
        print("| " + " | ".join(shown) + " | validation (%) | test (%) | seeds |")
        print("|" + "---|" * (len(shown) + 3))
        rows.sort(key=lambda r: -statistics.mean(r[1]["val"]))
        for fields, values in rows:
            print("| " + " | ".join(fields[c] for c in shown) + f" | {mean_se(values['val'])} | "
                  f"{mean_se(values['test'])} | {len(values['val'])} |")


if __name__ == "__main__":
    main()
