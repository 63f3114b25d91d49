"""The project's own promises: environment files agree, notebooks stored clean, ruff clean."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
# PyPI name -> conda-forge name where they differ.
CONDA_NAME = {"torch": "pytorch"}


def split_requirement(spec: str) -> tuple[str, str]:
    """'torch>=2.1' -> ('torch', '>=2.1'); names are lower-cased."""
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*", spec)
    assert match, f"cannot read requirement {spec!r}"
    return match.group(1).lower(), match.group(2).replace(" ", "")


def conda_requirements(path: Path) -> tuple[dict[str, str], list[str]]:
    env = yaml.safe_load(path.read_text())
    assert env["channels"] == ["conda-forge"], f"{path} must use conda-forge only"
    conda, pip = {}, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip.extend(dep["pip"])
        else:
            name, version = split_requirement(dep)
            conda[name] = version
    return conda, pip


def test_environment_files_name_the_same_dependencies_as_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    expected = {CONDA_NAME.get(n, n): v for n, v in map(split_requirement,
                                                        project["dependencies"])}
    expected["python"] = project["requires-python"]
    conda, pip = conda_requirements(ROOT / "environment.yml")
    conda.pop("pip")
    assert conda == expected
    assert pip == ["-e ."], "environment.yml must pip-install the repository itself"


def test_binder_environment_is_packages_only_with_one_python_version() -> None:
    """Binder's environment names pyproject.toml's dependencies (and voila, for the explorer app)
    with Python pinned to one version, and has no pip section: conda would run it from binder/,
    which holds no Python project (issue 16). postBuild installs swdkit; tests/test_binder.py
    checks the build repo2docker generates from these files."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    expected = {CONDA_NAME.get(n, n): v for n, v in map(split_requirement,
                                                        project["dependencies"])}
    dev = dict(map(split_requirement, project["optional-dependencies"]["dev"]))
    expected["voila"] = dev["voila"]
    conda, pip = conda_requirements(ROOT / "binder" / "environment.yml")
    assert pip == [], "binder/environment.yml must not pip-install anything (postBuild does)"
    conda.pop("pip", None)
    python = conda.pop("python", "")
    assert re.fullmatch(r"=3\.\d+", python), \
        f"binder/environment.yml must pin one Python version, e.g. python=3.11; got {python!r}"
    lowest = tuple(map(int, re.search(r">=\s*(\d+)\.(\d+)", project["requires-python"]).groups()))
    assert tuple(map(int, python[1:].split("."))) >= lowest, \
        f"python{python} is below requires-python {project['requires-python']}"
    assert conda == expected
    assert (ROOT / "binder" / "postBuild").stat().st_mode & 0o111, "postBuild must be executable"


def _swdkit_commands(text: str, variables: dict[str, str]) -> list[list[str]]:
    """The ``swdkit ...`` command lines of a Makefile recipe or a shell script, split."""
    import shlex

    commands = []
    for line in text.splitlines():
        line = line.strip()
        for name, value in variables.items():
            line = line.replace(f"$({name})", value)
        words = shlex.split(line) if line and not line.startswith("#") else []
        if words and Path(words[0]).name == "swdkit":
            commands.append(words[1:])
    return commands


def test_make_run_and_postbuild_give_swdkit_valid_arguments() -> None:
    """Every swdkit command in `make run` and Binder's postBuild parses (a wrong or missing
    option would fail on a newcomer's first command, before any test runs)."""
    from swdkit.cli import build_parser

    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^run:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe, "the Makefile has no run recipe"
    variables = {"BIN": ".venv/bin", "PARAMS": "notebooks/params/lesson.yml",
                 "OUT": "build/notebooks"}
    commands = _swdkit_commands(recipe.group(1), variables)
    commands += _swdkit_commands((ROOT / "binder" / "postBuild").read_text(), variables)
    assert [c[:2] for c in commands] == [["data", "synthetic"], ["notebooks", "--params"],
                                         ["data", "synthetic"]]
    for words in commands:
        args = build_parser().parse_args(words)  # exits with status 2 on bad arguments
        assert callable(args.func)


def test_notebooks_are_stored_without_outputs() -> None:
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks, "no notebooks found"
    for path in notebooks:
        nb = json.loads(path.read_text())
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "code":
                assert not cell["outputs"], f"{path.name} cell {i + 1} is stored with outputs"
                assert cell["execution_count"] is None, f"{path.name} cell {i + 1} has a count"
        tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, f"{path.name} needs exactly one cell tagged 'parameters'"


def test_papermill_sees_every_parameter() -> None:
    """papermill silently drops a parameter it cannot parse (a comment holding '=', say)."""
    import ast

    import papermill

    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = json.loads(path.read_text())
        cell = next(c for c in nb["cells"]
                    if "parameters" in c.get("metadata", {}).get("tags", []))
        tree = ast.parse("".join(cell["source"]))
        assigned = {t.id for node in tree.body if isinstance(node, ast.Assign)
                    for t in node.targets if isinstance(t, ast.Name)}
        seen = set(papermill.inspect_notebook(str(path)))
        assert seen == assigned, f"{path.name}: papermill misses {sorted(assigned - seen)}"


def test_import_swdkit_is_light() -> None:
    code = ("import sys, swdkit; heavy = [m for m in ('torch', 'umap', 'ipywidgets', 'h5py', "
            "'papermill', 'matplotlib', 'dask') if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"import swdkit pulled in: {out.stdout.strip()}"


def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.fail("ruff is not installed; install the dev extra: pip install -e '.[dev]'")
    result = subprocess.run([ruff, "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
