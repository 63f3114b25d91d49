"""The experiment grid as data: blocks, the spec, the runs it expands to and their keys.

The seed paper (Hussing, Li, Eaton) compares methods over class configurations (``lowrise``,
``urban``, ``all``), labeled SAR counts (32, 128, 1024, full), normalisation (batch vs instance)
and EO pretraining (with or without SupCon), five seeds each. A grid states that study as one or
more *blocks*, each a cartesian product of those axes; the grid is the union of its blocks, with
a run that two blocks share counted once. :mod:`swdkit.experiments._parse` reads a grid config
file (YAML) into a :class:`GridSpec` and checks it.

A run is identified by its *settings* (data source, data limits, class set, method, n_labeled,
seed, norm, supcon and the training config): :func:`run_key` turns them into the canonical string
the results store uses to skip what is done. The runner (``_runner``, ``_worker``,
``_executors``) executes the runs, the store (``_store``) keeps them, the summary, figures and
report (``_summary``, ``_figures``, ``_report``) read them back.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from swdkit.models import DEFAULT_NORM

FULL = "full"


@dataclass(frozen=True)
class Block:
    """One cartesian product of the grid's axes (see :mod:`swdkit.experiments._parse`)."""

    name: str
    methods: tuple[str, ...]
    classes: tuple[str, ...]
    n_labeled: tuple[int | str, ...]
    seeds: tuple[int, ...]
    norm: tuple[str, ...] = (DEFAULT_NORM,)
    supcon: tuple[bool, ...] = (False,)
    config: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class GridSpec:
    """A parsed, validated grid config.

    Attributes:
        name: the grid's name (the default results file is ``build/experiments/<name>.jsonl``).
        data_dir: ``None`` for the synthetic default, else a So2Sat folder (as written).
        data: keyword arguments for ``load_lesson_data`` (``max_train``, ``max_val``,
            ``max_test``, ``sar_norm``).
        config: training settings passed to every run (a block's ``config`` is merged over it).
        device: ``"auto"``, ``"cpu"``, ``"cuda"``...; not part of a run's identity.
        checkpoint_dir: where the EO-pretraining cache lives (``None``: no cache).
        results: the results file named in the config, if any.
        functions: ``{"run": "module:function", "load_data": "module:function"}`` replacing
            the defaults (for tests and for plugging in a new method); empty normally.
        blocks: the blocks, in file order.
    """

    name: str
    blocks: list[Block]
    data_dir: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    device: str = "auto"
    checkpoint_dir: str | None = None
    results: str | None = None
    functions: dict[str, str] = field(default_factory=dict)

    def runs(self) -> list[dict[str, Any]]:
        """Every run's settings, blocks in order, duplicates (same key) dropped."""
        return expand_grid(self)


def expand_grid(spec: GridSpec) -> list[dict[str, Any]]:
    """The settings of every run of ``spec``: blocks in order, each a cartesian product.

    Within a block the order is class set, seed, n_labeled, norm, supcon, method, so runs that
    share a data set and an EO pretraining sit together. A run in two blocks appears once.
    """
    seen: set[str] = set()
    runs: list[dict[str, Any]] = []
    for block in spec.blocks:
        config = {**spec.config, **block.config}
        data = {**spec.data, **block.data}
        for classes, seed, n_labeled, norm, supcon, method in itertools.product(
                block.classes, block.seeds, block.n_labeled, block.norm, block.supcon,
                block.methods):
            settings = {
                "data_dir": spec.data_dir, "data": dict(data), "classes": classes,
                "method": method, "n_labeled": n_labeled, "seed": seed, "norm": norm,
                "supcon": supcon, "config": dict(config),
            }
            key = run_key(settings)
            if key not in seen:
                seen.add(key)
                runs.append(settings)
    return runs


def run_key(settings: dict[str, Any]) -> str:
    """The canonical identity of a run: its settings as sorted, compact JSON."""
    return json.dumps(settings, sort_keys=True, separators=(",", ":"))
