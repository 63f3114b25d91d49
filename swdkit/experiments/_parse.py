"""Grid configs: read a YAML file or a dict into a checked :class:`GridSpec`, and restrict one.

A config file (YAML)::

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

Every problem is a ``ValueError`` that names the file and the block (``"<file>, block 'b':
..."``) and says what is valid: the methods of :data:`swdkit.methods.METHODS`, the class sets of
:data:`swdkit.data.CLASS_SETS`, the norms of :data:`swdkit.models.NORMS`.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

from swdkit._checks import check_choice, check_value, is_integer
from swdkit.data import CLASS_SETS, SAR_INPUTS, SAR_NORMS
from swdkit.experiments._spec import FULL, Block, GridSpec
from swdkit.methods import METHODS, resolve_config
from swdkit.models import DEFAULT_NORM, NORMS

_TOP_KEYS = {"name", "data_dir", "data", "config", "device", "checkpoint_dir", "results",
             "functions", "blocks"}
_BLOCK_KEYS = {"name", "methods", "classes", "n_labeled", "seeds", "norm", "supcon", "config",
               "data"}
_DATA_KEYS = {"max_train", "max_val", "max_test", "sar_norm", "sar_input"}
_FUNCTION_KEYS = {"run", "load_data"}


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
        elif is_integer(value) and value > 0:
            out.append(int(value))
        else:
            raise ValueError(f"{where}: n_labeled value {value!r} is not valid; use positive "
                             f"integers (labeled SAR samples) or '{FULL}' (all labels)")
    return tuple(out)


def _parse_seeds(values: list[Any], where: str) -> tuple[int, ...]:
    for value in values:
        if not is_integer(value) or value < 0:
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
        raise ValueError(f"{where}: '{name}' must be a mapping of names to values, like "
                         f"{name}: {{epochs: 5}}; got {value!r}")
    return dict(value)


def _unknown_keys(raw: dict[str, Any], valid: set[str], where: str, under: str = "") -> None:
    unknown = set(raw) - valid
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {under}{', '.join(sorted(map(str, unknown)))};"
                         f" valid keys are {', '.join(sorted(valid))}")


def _check_data(data: dict[str, Any], where: str) -> dict[str, Any]:
    _unknown_keys(data, _DATA_KEYS, where, under="under 'data': ")
    try:
        for name in sorted(set(data) - {"sar_norm", "sar_input"}):
            check_value(name, data[name], "positive integer", allow_none=True,
                        hint="samples to keep (null: all)")
        if "sar_norm" in data:
            check_choice("sar_norm", data["sar_norm"], SAR_NORMS)
        if "sar_input" in data:
            check_choice("sar_input", data["sar_input"], SAR_INPUTS)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{where}: under 'data': {err}") from None
    return data


def check_training_configs(spec: GridSpec, functions: dict[str, Any] | None = None) -> None:
    """Build every block's training config, so a bad setting is one error before any run.

    Each block's ``config`` (merged over the top level's) must make a
    :class:`swdkit.methods.MethodConfig` (:func:`swdkit.methods.resolve_config`). Skipped when
    ``functions`` (or the spec's) names another run function: that one reads the config its own
    way.

    Raises:
        ValueError, TypeError: naming the grid, the block and the setting.
    """
    if {**spec.functions, **(functions or {})}.get("run") is not None:
        return
    for block in spec.blocks:
        try:
            resolve_config({**spec.config, **block.config} or None)
        except (TypeError, ValueError) as err:
            raise type(err)(f"grid {spec.name!r}, block {block.name!r}: config: {err}; fix it "
                            "in the grid config (no run was started)") from None


def _parse_block(raw: Any, index: int, source: str) -> Block:
    if not isinstance(raw, dict):
        raise ValueError(f"{source}: block {index} must be a mapping with the keys "
                         f"{', '.join(sorted(_BLOCK_KEYS))}; got {raw!r}")
    name = str(raw.get("name", f"block{index}"))
    where = _where(source, name)
    _unknown_keys(raw, _BLOCK_KEYS, where)
    missing = [k for k in ("methods", "classes", "n_labeled", "seeds") if k not in raw]
    if missing:
        raise ValueError(f"{where}: missing key(s) {', '.join(missing)}; every block needs "
                         "methods, classes, n_labeled and seeds")
    methods = _as_list(raw["methods"], "methods", where)
    _check_choices(methods, "method", METHODS, where)
    classes = _as_list(raw["classes"], "classes", where)
    _check_choices(classes, "class set", CLASS_SETS, where)
    norms = _as_list(raw.get("norm", DEFAULT_NORM), "norm", where)
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


def parse_grid(raw: Any, *, source: str = "grid config") -> GridSpec:
    """Validate a grid config already read into Python values and return its :class:`GridSpec`.

    Raises:
        ValueError: a malformed config, an unknown key, method, class set or norm; the message
            names the valid choices.
    """
    if not isinstance(raw, dict):
        raise ValueError(f"{source}: a grid config is a mapping with the keys "
                         f"{', '.join(sorted(_TOP_KEYS))}; got {type(raw).__name__}")
    _unknown_keys(raw, _TOP_KEYS, source)
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
        raise ValueError(f"{source}: block names must be unique; got {names}; rename the "
                         "repeated ones")
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
        raise ValueError(f"grid config {path} is not valid YAML: {err}; fix the line it names "
                         "(experiments/reduced.yml shows the layout)") from err
    return parse_grid(raw, source=str(path))


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
