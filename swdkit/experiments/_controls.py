"""Controls for the claims: what each part of SWD transfer, and the semi-supervised method's
augmentation, contribute on their own.

A control compares two runs that differ in one training setting (a key of the grid's ``config``)
and agree on everything else: the data, class set, labeled count, norm, SupCon, the rest of the
config and the seed (so the labeled subset and the initial weights are shared). The rows:

- the Y-net without alignment (``alpha = beta = 0``: the two cross-entropy terms only) against
  SAR-only, and SWD against it ("does the alignment do anything at all");
- each alignment term alone (``beta = 0``: the marginal term; ``alpha = 0``: the class-
  conditional term) against no alignment;
- the SAR encoder started from the EO encoder's weights (``align_sar_init = "eo"``) against
  random weights;
- the SAR augmentations alone (``sar_augment`` true against false) for SAR-only, fine-tuning and
  SWD, and the semi-supervised contrastive method against SWD with the same augmentations: its
  gain beyond the augmentation.

A run's control settings are read from the whole config its record holds (``results["config"]``,
every default written out); a record without it (stored before records carried it) is read as
its overrides over its cell's defaults of that time (:data:`LEGACY_DEFAULTS`). So a store keeps
its meaning when a default changes.

Each row is the paired Student-t test on the per-seed differences, Holm-corrected over the
control rows of one report (a family of its own, apart from the claims), with the verdict of the
shared rule (:func:`swdkit.experiments._verdicts.decide`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from swdkit.experiments._stats import ALPHA, holm, mean_and_sem, t_test
from swdkit.experiments._tables import fmt_interval, fmt_p
from swdkit.experiments._verdicts import HIGHER, LOWER, SAME, decide

# The config keys a control may change; the others must agree for two runs to pair.
CONTROL_KEYS = ("alpha", "beta", "align_sar_init", "sar_augment")
NO_ALIGNMENT = {"alpha": 0.0, "beta": 0.0}
# Runs stored before records carried their whole config (``results["config"]``) ran with these
# defaults where they differ from today's: SAR augmentation became the lesson default after them.
LEGACY_DEFAULTS = {"sar_augment": False}

# (name, (method A, config A), (method B, config B)): A - B. A setting a side leaves out is the
# cell's default; the augmentation rows name both sides, so they hold whichever is the default.
CONTROLS: tuple[tuple[str, tuple[str, dict[str, Any]], tuple[str, dict[str, Any]]], ...] = (
    ("Y-net without alignment - SAR-only", ("swd", NO_ALIGNMENT), ("sar_only", {})),
    ("SWD - no alignment", ("swd", {}), ("swd", NO_ALIGNMENT)),
    ("marginal term alone - no alignment", ("swd", {"beta": 0.0}), ("swd", NO_ALIGNMENT)),
    ("class-conditional term alone - no alignment", ("swd", {"alpha": 0.0}),
     ("swd", NO_ALIGNMENT)),
    ("SWD, SAR encoder from EO - from random", ("swd", {"align_sar_init": "eo"}),
     ("swd", {"align_sar_init": "random"})),
    ("SAR-only with augmentation - without", ("sar_only", {"sar_augment": True}),
     ("sar_only", {"sar_augment": False})),
    ("fine-tuning with augmentation - without", ("finetune", {"sar_augment": True}),
     ("finetune", {"sar_augment": False})),
    ("SWD with augmentation - without", ("swd", {"sar_augment": True}),
     ("swd", {"sar_augment": False})),
    ("semisup - SWD with augmentation", ("semisup", {}), ("swd", {"sar_augment": True})),
)


def _split(settings: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(the run's cell key without method, seed and control keys; its control settings)."""
    config = dict(settings.get("config") or {})
    control = {k: config.pop(k) for k in CONTROL_KEYS if k in config}
    rest = {k: v for k, v in settings.items() if k not in ("method", "seed", "config")}
    return json.dumps({**rest, "config": config}, sort_keys=True, default=str), control


def _cell_defaults(cell: dict[str, Any]) -> dict[str, Any]:
    """The control settings of the cell's configuration (its preset and other settings) when a
    run leaves them out."""
    from swdkit.methods import resolve_config

    try:
        config = resolve_config(dict(cell.get("config") or {}))
    except (TypeError, ValueError):  # a setting this version does not know: today's defaults
        config = resolve_config(None)
    return {k: getattr(config, k) for k in CONTROL_KEYS}


def _control_key(control: dict[str, Any], defaults: dict[str, Any]) -> tuple[Any, ...]:
    """The control settings with every unset key at the cell's default, so a setting left at
    its default matches the default written out."""
    return tuple(control.get(k, defaults[k]) for k in CONTROL_KEYS)


def _record_key(record: dict[str, Any], control: dict[str, Any],
                defaults: dict[str, Any]) -> tuple[Any, ...]:
    """A stored run's control settings: from its whole config when the record has it, else
    its overrides over the cell's defaults (those of its time in a cell with such records)."""
    ran = record.get("results", {}).get("config")
    if isinstance(ran, dict) and all(k in ran for k in CONTROL_KEYS):
        return tuple(ran[k] for k in CONTROL_KEYS)
    return _control_key(control, defaults)


def without_control_runs(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """``records`` less the control runs: those that change a control setting
    (:data:`CONTROL_KEYS`) of a cell the store also holds without the change. The claims are
    judged on the rest (a grid that sets, say, ``alpha`` for every run keeps all its runs)."""
    records = list(records)
    split = [_split(r["settings"]) for r in records]
    base = {cell for cell, control in split if not control}
    return [r for r, (cell, control) in zip(records, split, strict=True)
            if not control or cell not in base]


def control_checks(records: Iterable[dict[str, Any]], *, alpha: float = ALPHA
                   ) -> list[dict[str, Any]]:
    """One row per control and cell that has paired runs (module docstring).

    Returns:
        Rows with ``control``, the cell (``classes``, ``n_labeled``, ``norm``, ``supcon``,
        ``data``, ``config``: the shared settings), ``n`` (pairs), ``mean`` and ``sem`` of the
        differences (fractions), ``mean_a``, ``mean_b``, ``df``, ``p_value``, ``p_holm``,
        ``ci_low``, ``ci_high`` and ``verdict``.
    """
    runs = []
    cells: dict[str, dict[str, Any]] = {}
    legacy: set[str] = set()  # cells with a run stored before records held their whole config
    for record in records:
        if record.get("results", {}).get("test_accuracy") is None:
            continue
        cell, control = _split(record["settings"])
        cells[cell] = json.loads(cell)
        if not isinstance(record["results"].get("config"), dict):
            legacy.add(cell)
        runs.append((cell, control, record))
    defaults = {cell: {**_cell_defaults(shared), **(LEGACY_DEFAULTS if cell in legacy else {})}
                for cell, shared in cells.items()}
    index: dict[tuple[str, str, tuple[Any, ...]], dict[int, float]] = {}
    for cell, control, record in runs:
        settings = record["settings"]
        key = (cell, settings["method"], _record_key(record, control, defaults[cell]))
        index.setdefault(key, {})[int(settings["seed"])] = float(record["results"]["test_accuracy"])
    rows = []
    for name, (method_a, config_a), (method_b, config_b) in CONTROLS:
        for cell in sorted(cells):
            side = {label: index.get((cell, method, _control_key(wanted, defaults[cell])))
                    for label, method, wanted in (("a", method_a, config_a),
                                                  ("b", method_b, config_b))}
            if not side["a"] or not side["b"]:
                continue
            seeds = sorted(set(side["a"]) & set(side["b"]))
            if not seeds:
                continue
            a = [side["a"][s] for s in seeds]
            b = [side["b"][s] for s in seeds]
            test = t_test([x - y for x, y in zip(a, b, strict=True)])
            rows.append({"control": name, **cells[cell], "n": len(seeds),
                         "mean_a": mean_and_sem(a)[0], "mean_b": mean_and_sem(b)[0],
                         "mean": test["mean"], "sem": test["sem"], "df": test["df"],
                         "p_value": test["p_value"], "ci_low": test["ci_low"],
                         "ci_high": test["ci_high"]})
    for row, p in zip(rows, holm([r["p_value"] for r in rows]), strict=True):
        row["p_holm"] = p
        outcome = decide(p, row["mean"], alpha=alpha)
        word = {HIGHER: "A ahead", LOWER: "B ahead", SAME: SAME}[outcome]
        row["verdict"] = f"{word} (paired t, Holm over the controls)" if row["n"] > 1 else \
            "one seed: not distinguishable"
    return rows


def controls_table(rows: list[dict[str, Any]]) -> str:
    """The control rows as a markdown table (percent; intervals are 95 % t intervals)."""
    if not rows:
        return "_No control runs in this store (see experiments/claims.yml, block controls)._\n"
    lines = ["| control (A - B) | classes | labeled | setting | A | B | A - B | 95 % interval "
             "| p (Holm) | n | verdict |", "|" + "---|" * 11]
    for r in rows:
        setting = r.get("data", {}).get("sar_input") or "default input"
        setting += f", {r['norm']} norm"
        if r.get("config"):
            setting += ", " + ", ".join(f"{k}={v}" for k, v in sorted(r["config"].items()))
        lines.append(
            f"| {r['control']} | {r['classes']} | {r['n_labeled']} | {setting} | "
            f"{100 * r['mean_a']:.1f} | {100 * r['mean_b']:.1f} | {100 * r['mean']:+.1f} | "
            f"{fmt_interval(r['ci_low'], r['ci_high'], signed=True)} | {fmt_p(r['p_holm'])} | "
            f"{r['n']} | {r['verdict']} |")
    return "\n".join(lines) + "\n"
