"""The paper's three figures from the claims store, one set per configuration.

A claims store holds two configurations (swdkit's defaults and the paper's) and the control runs,
so the report draws no figure from it as a whole; this script draws Figures 1-3 for each
configuration (the records with the same ``data`` and ``config`` settings, control runs left
out) into ``docs/figures/claims_<configuration>_<figure>.png``:

    .venv/bin/python benchmarks/claims_figures.py experiments/results/claims.jsonl
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from swdkit.experiments import (  # noqa: E402
    figure_accuracy_vs_labels,
    figure_norm,
    figure_supcon,
    read_store,
)
from swdkit.experiments._controls import without_control_runs  # noqa: E402
from swdkit.notebooks import save_figure  # noqa: E402

FIGURES = {"fig1_accuracy_vs_labels": figure_accuracy_vs_labels, "fig2_norm": figure_norm,
           "fig3_supcon": figure_supcon}


def configuration(settings: dict) -> str:
    """A short name: "defaults" for no data or config settings, else the settings joined."""
    parts = {**(settings.get("data") or {}), **(settings.get("config") or {})}
    if not parts:
        return "defaults"
    return "paper" if parts.get("preset") == "paper_lesson" else "_".join(
        f"{k}-{v}" for k, v in sorted(parts.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--out", type=Path, default=Path("docs/figures"))
    args = parser.parse_args()
    records = without_control_runs(read_store(args.store).records)
    groups: dict[str, list[dict]] = {}
    for r in records:
        groups.setdefault(configuration(r["settings"]), []).append(r)
    for name, group in sorted(groups.items()):
        for figure, draw in FIGURES.items():
            fig = draw(group)
            if fig is None:
                print(f"{name} {figure}: no runs for it")
                continue
            fig.suptitle(f"{fig._suptitle.get_text() if fig._suptitle else ''}\n"
                         f"configuration: {name}".strip())
            path = save_figure(fig, args.out, f"claims_{name}_{figure}")
            plt.close(fig)
            print(f"{name} {figure}: {path} ({len(group)} runs, "
                  f"{json.dumps(group[0]['settings'].get('config') or {})})")


if __name__ == "__main__":
    main()
