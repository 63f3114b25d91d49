"""``swdkit notebooks --sweep``: a small notebook written by the test, run per combination."""

from __future__ import annotations

import csv
import json
import os
import re
import shlex
from pathlib import Path
from urllib.parse import unquote

import pytest
from test_runner import write_notebook

from swdkit import cli
from swdkit.fileio import TMP_MARK
from swdkit.notebooks import (
    combination_name,
    declared_parameters,
    flatten_metrics,
    run_sweep,
    sweep_combinations,
)
from swdkit.notebooks._cli import parse_sweep
from swdkit.notebooks._sweep import select_notebook

ROOT = Path(__file__).resolve().parents[1]
PARAMETERS = "a = 1\nb = 'x'\nc = 0\nout_dir = 'x'\ncheckpoint_dir = 'y'"
FAIL = "if a == 2 and b == 'y':\n    raise RuntimeError('planted failure')"
RECORD = ("import json, pathlib\n"
          "p = pathlib.Path(out_dir); p.mkdir(parents=True, exist_ok=True)\n"
          "metrics = {'a': a, 'b': b, 'score': a * 10, 'nested': {'inner': a + 0.5, "
          "'deep': {'x': 1}}, 'per_class': [1, 2], 'flag': True, 'nothing': None, 'c': c, "
          "'checkpoints': checkpoint_dir}\n"
          "(p / 'metrics.json').write_text(json.dumps(metrics))")


@pytest.fixture(scope="module")
def lessons(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two notebooks: the one swept (it fails for a=2, b='y') and another one."""
    nbdir = tmp_path_factory.mktemp("sweep") / "notebooks"
    nbdir.mkdir()
    write_notebook(nbdir / "01_swept.ipynb", PARAMETERS, FAIL, RECORD)
    write_notebook(nbdir / "02_other.ipynb", "a = 1\nout_dir = 'x'", "pass")
    return nbdir


@pytest.fixture(scope="module")
def swept(lessons: Path) -> dict:
    """The CLI sweep a=1,2 x b=x,y (one combination fails), with every os.replace recorded."""
    out = lessons.parent / "out"
    params = lessons.parent / "params.yml"
    params.write_text("defaults: {a: 99, b: file, c: 5}\n")
    replaced: list[Path] = []
    original = os.replace

    def recording_replace(src, dst, *args, **kwargs):
        replaced.append(Path(dst))
        return original(src, dst, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "replace", recording_replace)
        status = cli.main(["notebooks", "--notebooks", str(lessons), "--out", str(out),
                           "--params", str(params), "--only", "01", "-p", "b", "cli",
                           "--sweep", "a=1,2", "--sweep", "b=x,y"])
    return {"status": status, "out": out, "replaced": replaced}


def test_combinations_are_the_cartesian_product_in_order() -> None:
    combos = sweep_combinations({"a": [1, 2], "b": ["x", "full"]})
    assert combos == [{"a": 1, "b": "x"}, {"a": 1, "b": "full"},
                      {"a": 2, "b": "x"}, {"a": 2, "b": "full"}]
    with pytest.raises(ValueError, match="'a' lists the value.s. 1 more than once"):
        sweep_combinations({"a": [1, 1]})
    with pytest.raises(ValueError, match="no values"):
        sweep_combinations({"a": []})


def test_folder_names_are_readable_and_safe() -> None:
    assert combination_name({"n_labeled": 32}) == "n_labeled=32"
    assert combination_name({"n_labeled": "full", "seed": 1}) == "n_labeled=full,seed=1"
    assert combination_name({"x": None, "y": True, "z": 0.5}) == "x=null,y=true,z=0.5"
    assert combination_name({"path": "a/b c", "l": [1, 2]}) == "path=a_b_c,l=_1_2_"
    long = combination_name({"name": "v" * 300})
    assert len(long) <= 120 and long.startswith("name=vvv")
    assert long != combination_name({"name": "v" * 301})


def test_sweep_values_are_read_like_other_parameter_values() -> None:
    assert parse_sweep(["n_labeled=32,128,full"]) == {"n_labeled": [32, 128, "full"]}
    assert parse_sweep(["x=null, true, 0.5", "y='a,b',c"]) == {"x": [None, True, 0.5],
                                                                "y": ["a,b", "c"]}
    assert parse_sweep(["seeds=[0,1],[2]"]) == {"seeds": [[0, 1], [2]]}
    with pytest.raises(ValueError, match="empty value"):
        parse_sweep(["a=1,,2"])
    with pytest.raises(ValueError, match="not NAME=V1,V2"):
        parse_sweep(["a"])
    with pytest.raises(ValueError, match="gives a twice"):
        parse_sweep(["a=1", "a=2"])


def test_metrics_are_flattened_with_dotted_keys() -> None:
    assert flatten_metrics({"a": {"b": 1, "c": {"d": [2]}}, "e": "f"}) == {
        "a.b": 1, "a.c.d": [2], "e": "f"}


def test_every_combination_runs_into_its_own_folder(swept: dict) -> None:
    out = swept["out"]
    folders = ["a=1,b=x", "a=1,b=y", "a=2,b=x", "a=2,b=y"]
    for folder in folders:
        assert (out / folder / "01_swept.ipynb").is_file()
    record = json.loads((out / "sweep.json").read_text())
    assert [r["folder"] for r in record["runs"]] == folders
    ok = [r for r in record["runs"] if r["status"] == "ok"]
    # The swept values win over the parameter file and -p; the file's other values still apply;
    # every combination shares one checkpoint folder.
    assert [(r["metrics"]["a"], r["metrics"]["b"]) for r in ok] == [(1, "x"), (1, "y"), (2, "x")]
    assert {r["metrics"]["c"] for r in ok} == {5}
    assert {r["metrics"]["checkpoints"] for r in ok} == {str((out / "checkpoints").resolve())}


def test_a_failing_combination_is_reported_and_the_others_finish(swept: dict) -> None:
    assert swept["status"] == 1
    with (swept["out"] / "sweep.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [r["status"] for r in rows] == ["ok", "ok", "ok", "failed"]
    assert rows[3]["error"] == "cell 3: RuntimeError: planted failure"
    assert [r["error"] for r in rows[:3]] == ["", "", ""]
    assert rows[3]["score"] == ""  # it recorded nothing
    assert "planted failure" in (swept["out"] / "a=2,b=y" / "01_swept.ipynb").read_text()


def test_table_columns_and_values_come_from_the_metrics(swept: dict) -> None:
    out = swept["out"]
    with (out / "sweep.csv").open() as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    assert reader.fieldnames == ["a", "b", "status", "seconds", "metrics.a", "metrics.b",
                                 "score", "nested.inner", "nested.deep.x", "flag", "nothing",
                                 "c", "checkpoints", "error"]
    assert [(r["a"], r["b"], r["score"], r["nested.inner"]) for r in rows[:3]] == [
        ("1", "x", "10", "1.5"), ("1", "y", "10", "1.5"), ("2", "x", "20", "2.5")]
    assert rows[0]["flag"] == "true" and rows[0]["nothing"] == "null"
    assert all(float(r["seconds"]) > 0 for r in rows)
    markdown = (out / "sweep.md").read_text()
    table = [line for line in markdown.splitlines() if line.startswith("|")]
    header = [c.strip() for c in table[0].strip("|").split("|")]
    assert header == reader.fieldnames
    assert len(table) == 2 + 4
    assert "| 2 | y | failed |" in table[-1] and "planted failure" in table[-1]
    assert "per_class" in markdown  # named as left out of the table (a list)


def test_index_links_every_executed_notebook(swept: dict) -> None:
    out = swept["out"]
    page = (out / "index.html").read_text()
    targets = [unquote(href) for href in re.findall(r'href="([^"]+)"', page)]
    notebooks = [t for t in targets if t.endswith(".ipynb")]
    assert notebooks == [f"{f}/01_swept.ipynb" for f in ("a=1,b=x", "a=1,b=y", "a=2,b=x",
                                                         "a=2,b=y")]
    assert all((out / t).exists() for t in targets)


def test_every_output_is_written_atomically(swept: dict) -> None:
    out = swept["out"]
    for name in ("sweep.md", "sweep.csv", "index.html", "sweep.json"):
        assert out / name in swept["replaced"], f"{name} was not moved into place"
    assert out / "a=1,b=x" / "01_swept.ipynb" in swept["replaced"]
    assert [p for p in out.rglob("*") if TMP_MARK in p.name] == []


def _refused(capsys: pytest.CaptureFixture[str], args: list[str]) -> str:
    """Run the CLI, check it refused with exit status 2 and one line; return that line."""
    assert cli.main(["notebooks", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith("swdkit notebooks: error: ")
    return err


def test_wrong_sweeps_are_refused_before_anything_runs(lessons: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "never"
    base = ["--notebooks", str(lessons), "--out", str(out)]
    err = _refused(capsys, [*base, "--only", "01", "--sweep", "a=1,2", "--sweep", "nope=1"])
    assert "01_swept.ipynb does not declare the parameter(s) nope" in err and "a, b" in err
    err = _refused(capsys, [*base, "--only", "0", "--sweep", "a=1,2"])
    assert "matches 2 notebooks (01_swept.ipynb, 02_other.ipynb)" in err
    assert "exactly one" in err
    err = _refused(capsys, [*base, "--only", "99", "--sweep", "a=1,2"])
    assert "no notebook" in err and "'99'" in err and "01_swept.ipynb" in err
    err = _refused(capsys, [*base, "--sweep", "a=1,2"])
    assert "--only" in err
    err = _refused(capsys, [*base, "--only", "01", "--sweep", "out_dir=p,q"])
    assert "out_dir cannot be swept" in err
    _refused(capsys, [*base, "--only", "01", "--sweep", "a=1,,2"])
    assert not out.exists()


def test_a_sweep_that_all_ran_exits_zero(lessons: Path, tmp_path: Path) -> None:
    out = tmp_path / "ok"
    assert cli.main(["notebooks", "--notebooks", str(lessons), "--out", str(out),
                     "--only", "02_*", "--sweep", "a=3"]) == 0
    assert (out / "a=3" / "02_other.ipynb").is_file()
    assert "| 3 | ok |" in (out / "sweep.md").read_text()


def test_fail_fast_stops_after_the_first_failing_combination(lessons: Path,
                                                            tmp_path: Path) -> None:
    runs = run_sweep(lessons, only="01", sweep={"a": [2, 1], "b": ["y"]}, out=tmp_path / "ff",
                     fail_fast=True, log=lambda *_: None)
    assert [(r.folder, r.run.status) for r in runs] == [("a=2,b=y", "failed")]
    assert "2 combination(s) of a, b; 0 ran, 1 failed, 1 not run;" in (
        tmp_path / "ff" / "sweep.md").read_text()


def test_make_sweep_gives_swdkit_valid_arguments() -> None:
    """`make sweep`'s command parses and sweeps a parameter notebook 04 declares."""
    from swdkit.cli import build_parser

    makefile = (ROOT / "Makefile").read_text()
    variables = dict(re.findall(r"^(\w+) \?= (.*)$", makefile, re.M))
    variables["BIN"] = ".venv/bin"
    recipe = re.search(r"^sweep:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe, "the Makefile has no sweep recipe"
    text = recipe.group(1).replace("\\\n", " ")
    for name, value in variables.items():
        text = text.replace(f"$({name})", value)
    commands = [shlex.split(line)[1:] for line in text.splitlines() if "swdkit" in line]
    assert [c[:2] for c in commands] == [["data", "synthetic"], ["notebooks", "--params"]]
    args = build_parser().parse_args(commands[1])
    sweep = parse_sweep(args.sweep)
    assert sweep == {"n_labeled": [32, 128, "full"]}
    notebook = select_notebook(ROOT / args.notebooks, args.only)
    assert notebook.name.startswith("04_") and set(sweep) <= declared_parameters(notebook)
    assert args.out == "build/sweep"
