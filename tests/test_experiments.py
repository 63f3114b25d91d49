"""Grid configs: parsing, validation messages, expansion into runs, run keys."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from swdkit.data import CLASS_SETS
from swdkit.experiments import METHODS, expand_grid, load_grid, parse_grid, run_key
from swdkit.models import NORMS

REPO = Path(__file__).resolve().parents[1]


def _config(**block_overrides):
    block = {"name": "b", "methods": ["swd", "finetune"], "classes": ["lowrise"],
             "n_labeled": [32, "full"], "seeds": [0, 1]}
    block.update(block_overrides)
    return {"name": "t", "blocks": [block]}


def test_expansion_is_the_cartesian_product_with_full_as_a_value():
    spec = parse_grid(_config(norm=["batch", "instance"], supcon=[False, True]))
    runs = expand_grid(spec)
    assert len(runs) == 2 * 1 * 2 * 2 * 2 * 2
    combos = {(r["method"], r["classes"], r["n_labeled"], r["seed"], r["norm"], r["supcon"])
              for r in runs}
    expected = set(itertools.product(["swd", "finetune"], ["lowrise"], [32, "full"], [0, 1],
                                     ["batch", "instance"], [False, True]))
    assert combos == expected
    assert all(r["data_dir"] is None and r["config"] == {} for r in runs)


def test_defaults_are_the_default_norm_without_supcon():
    from swdkit.models import DEFAULT_NORM

    runs = expand_grid(parse_grid(_config()))
    assert {r["norm"] for r in runs} == {DEFAULT_NORM} == {"batch"}
    assert {r["supcon"] for r in runs} == {False}


def test_a_run_shared_by_two_blocks_appears_once_and_block_config_merges():
    raw = _config()
    raw["config"] = {"epochs": 3, "alpha": 1.0}
    raw["blocks"].append({"name": "norms", "methods": ["swd"], "classes": "lowrise",
                          "n_labeled": 32, "seeds": [0, 1], "norm": ["batch", "instance"]})
    raw["blocks"].append({"name": "more", "methods": "swd", "classes": "lowrise",
                          "n_labeled": 32, "seeds": [0], "config": {"alpha": 5.0}})
    raw["blocks"].append({"name": "scaled", "methods": "swd", "classes": "lowrise",
                          "n_labeled": 32, "seeds": [0], "data": {"sar_norm": "robust"}})
    runs = expand_grid(parse_grid(raw))
    # block b: 2x1x2x2 = 8; norms adds batch x 2 seeds = 2 (instance ones are duplicates);
    # more: alpha 5 differs, so 1 new run; scaled: other data, 1 new run.
    assert len(runs) == 8 + 2 + 1 + 1
    assert [r["data"] for r in runs].count({"sar_norm": "robust"}) == 1
    assert len({run_key(r) for r in runs}) == len(runs)
    assert [r["config"] for r in runs].count({"epochs": 3, "alpha": 5.0}) == 1
    assert all(r["config"]["epochs"] == 3 for r in runs)


def test_run_key_ignores_dict_order_and_separates_values():
    a = {"method": "swd", "seed": 1, "config": {"x": 1, "y": 2}}
    b = {"config": {"y": 2, "x": 1}, "seed": 1, "method": "swd"}
    assert run_key(a) == run_key(b)
    assert run_key(a) != run_key({**a, "seed": 2})


@pytest.mark.parametrize(("override", "words"), [
    ({"methods": ["swd", "dann"]}, ["unknown method 'dann'", *METHODS]),
    ({"classes": ["suburban"]}, ["unknown class set 'suburban'", *CLASS_SETS]),
    ({"norm": ["layer"]}, ["unknown norm 'layer'", *NORMS]),
    ({"n_labeled": [0]}, ["n_labeled value 0", "full"]),
    ({"n_labeled": ["many"]}, ["n_labeled value 'many'", "full"]),
    ({"seeds": [-1]}, ["seed -1"]),
    ({"seeds": []}, ["'seeds' is an empty list"]),
    ({"supcon": ["yes"]}, ["supcon value 'yes'", "true or false"]),
    ({"epochs": 3}, ["unknown key(s) epochs", "methods", "seeds"]),
    ({"data": {"max_tset": 3}}, ["under 'data'", "max_test"]),
])
def test_bad_block_values_name_the_valid_choices(override, words):
    with pytest.raises(ValueError) as info:
        parse_grid(_config(**override), source="my.yml")
    message = str(info.value)
    assert "my.yml, block 'b'" in message
    for word in words:
        assert word in message


@pytest.mark.parametrize(("raw", "words"), [
    ([1, 2], ["a grid config is a mapping", "blocks"]),
    ({"name": "x"}, ["'blocks' must be a non-empty list"]),
    ({"blocks": [], "name": "x"}, ["'blocks' must be a non-empty list"]),
    ({"blocks": ["swd"]}, ["block 0 must be a mapping", "methods"]),
    ({"blocks": [{"methods": ["swd"]}]}, ["missing key(s) classes, n_labeled, seeds"]),
    ({"blok": []}, ["unknown key(s) blok", "blocks"]),
    ({"data": {"max_trian": 3}, "blocks": [{}]}, ["under 'data'", "max_train"]),
    ({"data_dir": 3, "blocks": [{}]}, ["data_dir must be null"]),
    ({"functions": {"run": "nocolon"}, "blocks": [{}]}, ["module:function"]),
])
def test_malformed_configs_say_what_is_expected(raw, words):
    with pytest.raises(ValueError) as info:
        parse_grid(raw)
    for word in words:
        assert word in str(info.value)


def test_duplicate_block_names_are_refused():
    raw = _config()
    raw["blocks"].append(dict(raw["blocks"][0]))
    with pytest.raises(ValueError, match="block names must be unique"):
        parse_grid(raw)


def test_load_grid_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(FileNotFoundError, match="experiments/reduced.yml"):
        load_grid(tmp_path / "nope.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("blocks: [\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid YAML"):
        load_grid(bad)


@pytest.mark.parametrize("name", ["reduced.yml", "paper.yml"])
def test_the_project_grids_parse(name):
    spec = load_grid(REPO / "experiments" / name)
    runs = spec.runs()
    assert runs, name
    assert spec.data_dir is None  # the synthetic default, one parameter away from So2Sat


def test_paper_grid_covers_the_papers_study():
    runs = load_grid(REPO / "experiments" / "paper.yml").runs()
    cells = {(r["method"], r["classes"], r["n_labeled"], r["norm"], r["supcon"]) for r in runs}
    for method, classes, n in itertools.product(["sar_only", "finetune", "swd"], CLASS_SETS,
                                                [32, 128, 1024, "full"]):
        assert (method, classes, n, "instance", False) in cells
    for method, n in itertools.product(["finetune", "swd"], [32, 128, 1024, "full"]):
        assert (method, "lowrise", n, "batch", False) in cells
    for n in [32, 128, 1024, "full"]:
        assert ("swd", "lowrise", n, "instance", True) in cells
    seeds = {r["seed"] for r in runs}
    assert len(seeds) >= 5
    assert {r["method"] for r in runs} >= {"mmd", "coral", "max_sliced", "semisup"}


def test_restrict_grid_keeps_the_intersection_and_merges_settings():
    from swdkit.experiments import restrict_grid

    raw = _config(norm=["batch", "instance"])
    raw["blocks"].append({"name": "urban", "methods": ["swd"], "classes": ["urban"],
                          "n_labeled": [32], "seeds": [0, 1, 2]})
    raw["data"] = {"max_train": 500}
    spec = parse_grid(raw)
    small = restrict_grid(spec, seeds=[1, 7], classes=["lowrise"], n_labeled=["full"],
                          data={"max_test": 50}, config={"epochs": 1})
    runs = small.runs()
    assert [b.name for b in small.blocks] == ["b"]
    assert {(r["seed"], r["classes"], r["n_labeled"]) for r in runs} == {(1, "lowrise", "full")}
    assert len(runs) == 2 * 2  # methods x norms
    assert runs[0]["data"] == {"max_train": 500, "max_test": 50}
    assert runs[0]["config"] == {"epochs": 1}
    assert len(spec.runs()) == 2 * 2 * 2 * 2 + 3  # the original is untouched
    with pytest.raises(ValueError, match="nothing of grid 't' is left"):
        restrict_grid(spec, seeds=[9])
    with pytest.raises(ValueError, match="unknown method 'dan'"):
        restrict_grid(spec, methods=["dan"])


def test_the_facade_reaches_the_grid_functions():
    import swdkit.experiments as ex
    from swdkit.experiments._runner import run_grid
    from swdkit.experiments._summary import summarize

    assert ex.run_grid is run_grid and ex.summarize is summarize
    with pytest.raises(AttributeError):
        ex.nothing_here  # noqa: B018
