"""The notebook runner on small notebooks written by the tests (no torch in the kernels)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import nbformat
import pytest

from swdkit import cli
from swdkit.notebooks._cli import parse_value
from swdkit.notebooks._runner import (
    ParamSpec,
    UnknownParameterWarning,
    discover,
    load_param_file,
    run_notebooks,
)


def write_notebook(path: Path, parameters: str, *body: str) -> Path:
    """A notebook with a tagged parameters cell followed by ``body`` cells."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, *[nbformat.v4.new_code_cell(src) for src in body]]
    nbformat.write(nb, path)
    return path


RECORD = ("import json, pathlib\n"
          "p = pathlib.Path(out_dir); p.mkdir(parents=True, exist_ok=True)\n"
          "(p / 'metrics.json').write_text(json.dumps({'value': value, 'name': name}))")


@pytest.fixture()
def lesson(tmp_path: Path) -> Path:
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    write_notebook(nbdir / "01_first.ipynb", "value = 1\nname = 'a'\nout_dir = 'x'", RECORD)
    write_notebook(nbdir / "02_second.ipynb", "value = 2\nname = 'b'\nout_dir = 'x'\nboom = False",
                   "if boom:\n    raise RuntimeError('planted failure')", RECORD)
    write_notebook(nbdir / "03_third.ipynb", "value = 3\nname = 'c'\nout_dir = 'x'", RECORD)
    (nbdir / "scratch.ipynb").write_text("not a lesson, not even JSON")
    return nbdir


def test_discover_orders_lessons_and_filters(lesson: Path) -> None:
    assert [p.name for p in discover(lesson)] == ["01_first.ipynb", "02_second.ipynb",
                                                   "03_third.ipynb"]
    assert [p.name for p in discover(lesson, "second")] == ["02_second.ipynb"]
    assert [p.name for p in discover(lesson, "0[13]_*")] == ["01_first.ipynb", "03_third.ipynb"]


def test_parameters_injected_only_where_declared(lesson: Path, tmp_path: Path) -> None:
    params = ParamSpec(defaults={"value": 10}, overrides=[("03_*", {"value": 30, "name": "z"})])
    out = tmp_path / "out"
    runs = run_notebooks(lesson, params=params, out=out, log=lambda *_: None)
    assert [r.status for r in runs] == ["ok", "ok", "ok"]
    values = {r.name: r.metrics for r in runs}
    assert values["01_first.ipynb"] == {"value": 10, "name": "a"}
    assert values["03_third.ipynb"] == {"value": 30, "name": "z"}
    summary = json.loads((out / "summary.json").read_text())
    assert [n["status"] for n in summary["notebooks"]] == ["ok", "ok", "ok"]
    assert summary["notebooks"][1]["metrics"] == {"value": 10, "name": "b"}
    assert all(n["seconds"] > 0 for n in summary["notebooks"])
    # The executed copy exists, carries the injected values and leaves no temporary file behind.
    executed = nbformat.read(out / "03_third.ipynb", as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert "value = 30" in injected[0].source
    assert sorted(p.name for p in out.glob(".*")) == []


def test_unknown_parameter_is_reported(lesson: Path, tmp_path: Path) -> None:
    params = ParamSpec(defaults={"valeu": 5})
    with pytest.warns(UnknownParameterWarning, match="valeu"):
        run_notebooks(lesson, params=params, out=tmp_path / "out", only="01",
                      log=lambda *_: None)


def test_declared_by_another_notebook_is_not_a_typo(lesson: Path, tmp_path: Path) -> None:
    params = ParamSpec(defaults={"boom": False})
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnknownParameterWarning)
        run_notebooks(lesson, params=params, out=tmp_path / "out", only="01",
                      log=lambda *_: None)


def test_failure_is_named_kept_and_the_rest_still_runs(lesson: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    lines: list[str] = []
    params = ParamSpec(command_line={"boom": True})
    runs = run_notebooks(lesson, params=params, out=out, log=lines.append)
    assert [r.status for r in runs] == ["ok", "failed", "ok"]
    failed = runs[1]
    assert failed.error["cell"] == 3  # 1: parameters, 2: injected parameters, 3: the raise
    assert failed.error["ename"] == "RuntimeError"
    assert "planted failure" in failed.error["evalue"]
    report = "\n".join(lines)
    assert "02_second.ipynb" in report and "cell 3" in report
    executed = (out / "02_second.ipynb").read_text()
    assert "planted failure" in executed


def test_fail_fast_stops_at_the_first_failure(lesson: Path, tmp_path: Path) -> None:
    params = ParamSpec(command_line={"boom": True})
    runs = run_notebooks(lesson, params=params, out=tmp_path / "out", fail_fast=True,
                         log=lambda *_: None)
    assert [r.name for r in runs] == ["01_first.ipynb", "02_second.ipynb"]


def test_param_file_shape_is_checked(tmp_path: Path) -> None:
    good = tmp_path / "good.yml"
    good.write_text("defaults: {value: 4}\nnotebooks:\n  '02_*': {value: 5}\n")
    spec = load_param_file(good)
    assert spec.for_notebook("02_x.ipynb") == {"value": 5}
    assert spec.for_notebook("01_x.ipynb") == {"value": 4}
    bad = tmp_path / "bad.yml"
    bad.write_text("defaults: {value: 4}\nnotebook: {}\n")
    with pytest.raises(ValueError, match="'defaults' and 'notebooks'"):
        load_param_file(bad)
    with pytest.raises(FileNotFoundError, match="missing.yml"):
        load_param_file(tmp_path / "missing.yml")


def test_command_line_values_are_yaml() -> None:
    assert parse_value("32") == 32
    assert parse_value("null") is None
    assert parse_value("[1, 2]") == [1, 2]
    assert parse_value("lowrise") == "lowrise"


def test_cli_exit_status_and_summary(lesson: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli-out"
    ok = cli.main(["notebooks", "--notebooks", str(lesson), "--out", str(out), "--only", "01",
                   "-p", "value", "7"])
    assert ok == 0
    assert json.loads((out / "summary.json").read_text())["notebooks"][0]["metrics"]["value"] == 7
    failing = cli.main(["notebooks", "--notebooks", str(lesson), "--out", str(out),
                        "-p", "boom", "true"])
    assert failing == 1
    missing = cli.main(["notebooks", "--notebooks", str(lesson), "--out", str(out),
                        "--only", "99_nothing"])
    assert missing == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "02_second.ipynb" in err  # what --only could be
    no_folder = cli.main(["notebooks", "--notebooks", str(tmp_path / "none"), "--out", str(out)])
    assert no_folder == 2
    assert "--notebooks DIR" in capsys.readouterr().err


def test_kernels_draw_no_progress_bars_and_the_setting_is_restored(tmp_path: Path) -> None:
    """An executed copy would keep only a bar's first frame: the runner's kernels see
    SWDKIT_NO_PROGRESS=1, and swdkit's bars ask for it (swdkit._progress.show_progress)."""
    import os

    from swdkit._progress import NO_PROGRESS_ENV, show_progress

    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    write_notebook(nbdir / "01_env.ipynb", "value = 0\nname = ''\nout_dir = 'x'",
                   "import os\nfrom swdkit._progress import show_progress\n"
                   f"value = os.environ.get({NO_PROGRESS_ENV!r})\n"
                   "name = str(show_progress(True))", RECORD)
    assert os.environ.get(NO_PROGRESS_ENV) is None
    runs = run_notebooks(nbdir, out=tmp_path / "out", log=lambda *_: None)
    assert runs[0].status == "ok", runs[0].error
    assert runs[0].metrics == {"value": "1", "name": "False"}
    assert os.environ.get(NO_PROGRESS_ENV) is None  # restored in this process
    assert show_progress(True) is True and show_progress(False) is False
