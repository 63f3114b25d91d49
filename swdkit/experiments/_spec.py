"""The experiment grid: what to run (a config file) and the list of runs it expands to.

The seed paper (Hussing, Li, Eaton) compares methods over class configurations (``lowrise``,
``urban``, ``all``), labeled SAR counts (32, 128, 1024, full), normalisation (batch vs instance)
and EO pretraining (with or without SupCon), five seeds each. A grid config states that study as
one or more *blocks*, each a cartesian product of those axes; the grid is the union of its blocks,
with a run that two blocks share counted once. A config file (YAML)::

    name: reduced                  # names the default results file
    data_dir: null                 # null = the built-in synthetic data set; or a So2Sat folder
    data: {max_train: 2000, max_test: 1000}   # passed to swdkit.data.load_lesson_data
    config: {epochs: 5}            # training settings passed to run_method(config=...)
    device: auto                   # not part of a run's identity
    blocks:
      - name: methods
        methods: [sar_only, finetune, swd]
        classes: [lowrise]
        n_labeled: [32, 128, full]
        seeds: [0, 1, 2, 3, 4]
        norm: [instance]           # optional, default [instance]
        supcon: [false]            # optional, default [false]
        config: {}                 # optional, merged over the top-level config
        data: {}                   # optional, merged over the top-level data

A run is identified by its *settings* (data source, data limits, class set, method, n_labeled,
seed, norm, supcon and the training config): :func:`run_key` turns them into the canonical string
the results store uses to skip what is done. The runner (``_runner``, ``_worker``,
``_executors``) executes the runs, the store (``_store``) keeps them, the summary, figures and
report (``_summary``, ``_figures``, ``_report``) read them back.
"""

from __future__ import annotations

import itertools
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from swdkit.data import CLASS_SETS
from swdkit.methods import METHODS
from swdkit.models import NORMS

FULL = "full"

_TOP_KEYS = {"name", "data_dir", "data", "config", "device", "checkpoint_dir", "results",
             "functions", "blocks"}
_BLOCK_KEYS = {"name", "methods", "classes", "n_labeled", "seeds", "norm", "supcon", "config",
               "data"}
_DATA_KEYS = {"max_train", "max_val", "max_test", "sar_norm"}
_FUNCTION_KEYS = {"run", "load_data"}


@dataclass(frozen=True)
class Block:
    """One cartesian product of the grid's axes (see the module docstring)."""

    name: str
    methods: tuple[str, ...]
    classes: tuple[str, ...]
    n_labeled: tuple[int | str, ...]
    seeds: tuple[int, ...]
    norm: tuple[str, ...] = ("instance",)
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


def _where(source: str, block: str | None) -> str:
    return f"{source}, block {block!r}" if block else source


def _as_list(value: Any, name: str, where: str) -> list[Any]:
    if isinstance(value, (list, tuple)):
        if not value:
            raise ValueError(f"{where}: '{name}' is an empty list; give at least one value")
        return list(value)
    return [value]


def _check_choices(values: list[Any], name: str, choices: tuple[str, ...], where: str) -> None:
    for value in values:
        if value not in choices:
            raise ValueError(f"{where}: unknown {name} {value!r}; valid choices are "
                             f"{', '.join(choices)}")


def _parse_n_labeled(values: list[Any], where: str) -> tuple[int | str, ...]:
    out: list[int | str] = []
    for value in values:
        if value is None or (isinstance(value, str) and value.lower() == FULL):
            out.append(FULL)
        elif isinstance(value, int) and not isinstance(value, bool) and value > 0:
            out.append(int(value))
        else:
            raise ValueError(f"{where}: n_labeled value {value!r} is not valid; use positive "
                             f"integers (labeled SAR samples) or '{FULL}' (all labels)")
    return tuple(out)


def _parse_seeds(values: list[Any], where: str) -> tuple[int, ...]:
    for value in values:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{where}: seed {value!r} is not valid; seeds are integers >= 0, "
                             "e.g. seeds: [0, 1, 2, 3, 4]")
    return tuple(int(v) for v in values)


def _parse_bools(values: list[Any], name: str, where: str) -> tuple[bool, ...]:
    for value in values:
        if not isinstance(value, bool):
            raise ValueError(f"{where}: {name} value {value!r} is not valid; use true or false")
    return tuple(values)


def _mapping(value: Any, name: str, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{where}: '{name}' must be a mapping of names to values; got {value!r}")
    return dict(value)


def _parse_block(raw: Any, index: int, source: str) -> Block:
    if not isinstance(raw, dict):
        raise ValueError(f"{source}: block {index} must be a mapping with the keys "
                         f"{', '.join(sorted(_BLOCK_KEYS))}; got {raw!r}")
    name = str(raw.get("name", f"block{index}"))
    where = _where(source, name)
    unknown = set(raw) - _BLOCK_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
                         f"valid keys are {', '.join(sorted(_BLOCK_KEYS))}")
    missing = [k for k in ("methods", "classes", "n_labeled", "seeds") if k not in raw]
    if missing:
        raise ValueError(f"{where}: missing key(s) {', '.join(missing)}; every block needs "
                         "methods, classes, n_labeled and seeds")
    methods = _as_list(raw["methods"], "methods", where)
    _check_choices(methods, "method", METHODS, where)
    classes = _as_list(raw["classes"], "classes", where)
    _check_choices(classes, "class set", CLASS_SETS, where)
    norms = _as_list(raw.get("norm", "instance"), "norm", where)
    _check_choices(norms, "norm", NORMS, where)
    return Block(
        name=name,
        methods=tuple(methods),
        classes=tuple(classes),
        n_labeled=_parse_n_labeled(_as_list(raw["n_labeled"], "n_labeled", where), where),
        seeds=_parse_seeds(_as_list(raw["seeds"], "seeds", where), where),
        norm=tuple(norms),
        supcon=_parse_bools(_as_list(raw.get("supcon", False), "supcon", where), "supcon", where),
        config=_mapping(raw.get("config"), "config", where),
        data=_check_data(_mapping(raw.get("data"), "data", where), where),
    )


def _check_data(data: dict[str, Any], where: str) -> dict[str, Any]:
    bad = set(data) - _DATA_KEYS
    if bad:
        raise ValueError(f"{where}: unknown key(s) under 'data': {', '.join(sorted(bad))}; "
                         f"valid keys are {', '.join(sorted(_DATA_KEYS))}")
    return data


def parse_grid(raw: Any, *, source: str = "grid config") -> GridSpec:
    """Validate a grid config already read into Python values and return its :class:`GridSpec`.

    Raises:
        ValueError: a malformed config, an unknown key, method, class set or norm; the message
            names the valid choices.
    """
    if not isinstance(raw, dict):
        raise ValueError(f"{source}: a grid config is a mapping with the keys "
                         f"{', '.join(sorted(_TOP_KEYS))}; got {type(raw).__name__}")
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise ValueError(f"{source}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
                         f"valid keys are {', '.join(sorted(_TOP_KEYS))}")
    blocks_raw = raw.get("blocks")
    if not isinstance(blocks_raw, list) or not blocks_raw:
        raise ValueError(f"{source}: 'blocks' must be a non-empty list of blocks, each with "
                         "methods, classes, n_labeled and seeds (see experiments/reduced.yml)")
    data = _check_data(_mapping(raw.get("data"), "data", source), source)
    functions = _mapping(raw.get("functions"), "functions", source)
    bad = set(functions) - _FUNCTION_KEYS
    if bad or not all(isinstance(v, str) and ":" in v for v in functions.values()):
        raise ValueError(f"{source}: 'functions' maps {' and '.join(sorted(_FUNCTION_KEYS))} to "
                         f"'module:function' strings; got {functions!r}")
    data_dir = raw.get("data_dir")
    if data_dir is not None and not isinstance(data_dir, str):
        raise ValueError(f"{source}: data_dir must be null (the synthetic default) or a folder "
                         f"path; got {data_dir!r}")
    blocks = [_parse_block(b, i, source) for i, b in enumerate(blocks_raw)]
    names = [b.name for b in blocks]
    if len(set(names)) != len(names):
        raise ValueError(f"{source}: block names must be unique; got {names}")
    return GridSpec(
        name=str(raw.get("name", "grid")),
        blocks=blocks,
        data_dir=data_dir,
        data=data,
        config=_mapping(raw.get("config"), "config", source),
        device=str(raw.get("device", "auto")),
        checkpoint_dir=raw.get("checkpoint_dir"),
        results=raw.get("results"),
        functions={k: str(v) for k, v in functions.items()},
    )


def load_grid(path: str | os.PathLike) -> GridSpec:
    """Read and validate a grid config file (YAML).

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: it is not valid YAML or not a valid grid config.
    """
    import yaml

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"grid config {path} does not exist; the project's own are "
                                "experiments/reduced.yml and experiments/paper.yml")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise ValueError(f"grid config {path} is not valid YAML: {err}") from err
    return parse_grid(raw, source=str(path))


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


def restrict_grid(spec: GridSpec, *, seeds: list[int] | None = None,
                  classes: list[str] | None = None, methods: list[str] | None = None,
                  n_labeled: list[int | str] | None = None, data: dict[str, Any] | None = None,
                  config: dict[str, Any] | None = None) -> GridSpec:
    """A smaller (or differently sized) copy of ``spec``, e.g. for a quick look or for CI.

    Each axis given keeps, in every block, only the values also in the list (a block left empty
    on an axis is dropped); ``data`` and ``config`` are merged over the spec's. A run's settings
    change with ``data`` or ``config``, so such runs are new runs in the store.

    Raises:
        ValueError: an unknown method or class set, or nothing left to run.
    """
    import dataclasses

    if classes is not None:
        _check_choices(list(classes), "class set", CLASS_SETS, "classes")
    if methods is not None:
        _check_choices(list(methods), "method", METHODS, "methods")
    wanted_n = None if n_labeled is None else _parse_n_labeled(list(n_labeled), "n_labeled")
    blocks = []
    for block in spec.blocks:
        axes = {"seeds": (block.seeds, seeds), "classes": (block.classes, classes),
                "methods": (block.methods, methods), "n_labeled": (block.n_labeled, wanted_n)}
        kept = {name: tuple(v for v in have if keep is None or v in keep)
                for name, (have, keep) in axes.items()}
        if all(kept.values()):
            blocks.append(dataclasses.replace(block, **kept, data={**block.data, **(data or {})},
                                              config={**block.config, **(config or {})}))
    if not blocks:
        raise ValueError(f"nothing of grid {spec.name!r} is left after restricting it to "
                         f"seeds={seeds}, classes={classes}, methods={methods}, "
                         f"n_labeled={n_labeled}; widen the restriction")
    return dataclasses.replace(spec, blocks=blocks, data={**spec.data, **(data or {})},
                               config={**spec.config, **(config or {})})


# The grid's public functions live in their own modules; reach them from here too.
