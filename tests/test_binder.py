"""Binder: what repo2docker builds from binder/, read from repo2docker's own Dockerfile generator.

``jupyter-repo2docker --no-build --debug .`` prints the Dockerfile it would build (no Docker is
needed for that). The check reads from it which environment file the build installs, resolves
every local pip entry of that file from the file's own folder (conda runs an environment file's
pip section there), checks that the Python pin took effect, and that postBuild, run from the
repository's root, installs swdkit from the repository and then makes the synthetic data set.
The same check must fail on a copy of the repository whose binder/environment.yml is the root
environment.yml, which is what binder/ held before (issue 16). Without repo2docker these tests
skip, naming the install command; the test extras (``pip install -e '.[dev]'``, what ``make test``
and CI install) include it.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
REPO2DOCKER = "jupyter-repo2docker"
INSTALL_HINT = "pip install -e '.[dev]' (or pip install jupyter-repo2docker)"
# pip options whose value is a separate word; the value of -e/--editable is an install target.
PIP_VALUE_OPTIONS = {"-r", "--requirement", "-c", "--constraint", "-i", "--index-url",
                     "--extra-index-url", "-f", "--find-links", "-t", "--target", "--prefix",
                     "--root", "--upgrade-strategy", "-C", "--config-settings", "--src",
                     "--python-version", "--platform", "--implementation", "--abi",
                     "--progress-bar", "--cache-dir", "--log", "--timeout", "--retries", "--proxy",
                     "--trusted-host", "--cert", "--client-cert", "--global-option", "--no-binary",
                     "--only-binary"}
SHELL_KEYWORDS = {"if", "then", "else", "elif", "fi", "!", "do", "done", "while", "until", "time",
                  "exec", "command"}


@dataclass
class Build:
    """What ``jupyter-repo2docker --no-build --debug`` printed for a repository."""

    repo: Path
    dockerfile: str  # its standard output
    log: str  # its standard error


def repo2docker_build(repo: Path) -> Build:
    """Run ``jupyter-repo2docker --no-build --debug .`` in ``repo``; skip when it is missing."""
    exe = shutil.which(REPO2DOCKER, path=str(Path(sys.executable).parent)) or \
        shutil.which(REPO2DOCKER)
    if exe is None:
        pytest.skip(f"{REPO2DOCKER} is not installed, so Binder's build cannot be checked; "
                    f"install it with: {INSTALL_HINT}")
    result = subprocess.run([exe, "--no-build", "--debug", "."], cwd=repo, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, (f"{REPO2DOCKER} --no-build --debug . failed in {repo} "
                                    f"with status {result.returncode}:\n{result.stderr[-3000:]}")
    assert "FROM " in result.stdout, f"{REPO2DOCKER} printed no Dockerfile:\n{result.stdout}"
    return Build(repo, result.stdout, result.stderr)


def shell_commands(script: str) -> list[list[str]]:
    """The simple commands of a shell script, split into words (keywords such as ``if`` dropped).

    Enough for postBuild: lines joined at a trailing backslash, ``;``, ``&&``, ``||``, ``|`` and
    parentheses separate commands, ``#`` starts a comment.
    """
    commands = []
    for line in script.replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()")
        lexer.whitespace_split = True
        words: list[str] = []
        for token in [*lexer, ";"]:
            if token and set(token) <= set(";&|()"):
                while words and words[0] in SHELL_KEYWORDS:
                    words.pop(0)
                if words:
                    commands.append(words)
                words = []
            else:
                words.append(token)
    return commands


def pip_install_args(words: list[str]) -> list[str] | None:
    """The words after ``pip install`` (``pip``, ``pip3``, ``python -m pip``); None otherwise."""
    for i, word in enumerate(words[:-1]):
        if re.fullmatch(r"pip3?(\.\d+)?", Path(word).name) and words[i + 1] == "install":
            return words[i + 2:]
    return None


def local_targets(args: list[str]) -> list[tuple[str, str]]:
    """``(kind, path)`` of every local path among pip install arguments.

    ``kind`` is ``"project"`` for something pip installs (``.``, ``-e ../x``, ``./x[dev]``,
    ``file:...``) and ``"file"`` for a requirements or constraints file (``-r``, ``-c``).
    Package names, version specifiers and URLs are not local.
    """
    found, i = [], 0
    while i < len(args):
        word = args[i]
        option, _, value = word.partition("=") if word.startswith("--") else (word, "", "")
        if option in ("-e", "--editable"):
            if not value:
                i += 1
                value = args[i] if i < len(args) else ""
            target, kind = value, "project"
        elif option in PIP_VALUE_OPTIONS:
            if not value:
                i += 1
                value = args[i] if i < len(args) else ""
            target, kind = value, ("file" if option in ("-r", "--requirement", "-c",
                                                        "--constraint") else "")
        elif word.startswith("-"):
            target, kind = "", ""
        else:
            target, kind = word, "project"
        i += 1
        if not kind or not target:
            continue
        target = target.removeprefix("file://").removeprefix("file:")
        if kind == "project" and not target.startswith((".", "/", "~")):
            continue  # a requirement (name, specifier, VCS or http URL)
        found.append((kind, re.sub(r"\[[^\]]*\]$", "", target)))
    return found


def is_python_project(folder: Path) -> bool:
    return any((folder / name).is_file() for name in ("pyproject.toml", "setup.py", "setup.cfg"))


def project_name(folder: Path) -> str | None:
    path = folder / "pyproject.toml"
    if not path.is_file():
        return None
    return tomllib.loads(path.read_text()).get("project", {}).get("name")


def pip_entry_problems(env_file: Path, label: str | None = None) -> list[str]:
    """Local pip entries of a conda environment file that do not resolve, read from its folder."""
    label = label or env_file.name
    env = yaml.safe_load(env_file.read_text())
    entries = [e for dep in env.get("dependencies", []) if isinstance(dep, dict)
               for e in dep.get("pip", [])]
    problems = []
    for entry in entries:
        for kind, target in local_targets(shlex.split(entry)):
            path = (env_file.parent / Path(target).expanduser()).resolve()
            if kind == "project" and not is_python_project(path):
                problems.append(
                    f"{label}'s pip entry {entry!r} points at {path}, resolved from the "
                    f"environment file's own folder {env_file.parent} (where conda runs pip), "
                    "and that folder holds no Python project (no pyproject.toml, setup.py or "
                    "setup.cfg); install the repository in binder/postBuild instead")
            elif kind == "file" and not path.is_file():
                problems.append(f"{label}'s pip entry {entry!r} names {path}, which does "
                                "not exist (resolved from the environment file's folder)")
    return problems


def has_local_pip_entries(env_file: Path) -> bool:
    env = yaml.safe_load(env_file.read_text())
    return any(local_targets(shlex.split(e)) for dep in env.get("dependencies", [])
               if isinstance(dep, dict) for e in dep.get("pip", []))


def unescape(text: str) -> str:
    """repo2docker names its build script files with escapism ('-2e' for '.', '-2d' for '-')."""
    return re.sub(r"-([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), text)


def python_problems(env_file: Path, build: Build, label: str) -> list[str]:
    env = yaml.safe_load(env_file.read_text())
    pins = [d for d in env.get("dependencies", []) if isinstance(d, str)
            and re.match(r"python\b(?![-_])", d)]
    used = re.findall(r"environment\.py-(\d+\.\d+)", unescape(build.dockerfile))
    if len(pins) != 1 or not re.fullmatch(r"python\s*==?\s*3\.\d+(\.\*)?", pins[0]):
        return [f"{label} must pin Python to one version repo2docker knows, e.g. "
                f"'python=3.11'; it says {pins}, so repo2docker builds its default Python "
                f"({', '.join(used) or 'unknown'}); its log: {build.log.strip()[:300]!r}"]
    wanted = re.search(r"3\.\d+", pins[0]).group(0)
    if used != [wanted]:
        return [f"{label} pins {pins[0]!r} but the build's base environment is for "
                f"Python {used or 'unknown'}; repo2docker has no base environment for {wanted}"]
    return []


def postbuild_problems(build: Build, env_step_at: int) -> list[str]:
    """postBuild runs after the environment and the repository's files, from the repository's
    root, installs the repository's own project and then makes the synthetic data set."""
    from swdkit.cli import build_parser

    repo, dockerfile = build.repo, build.dockerfile
    script = repo / "binder" / "postBuild"
    run = re.search(r"^RUN \./binder/postBuild\s*$", dockerfile, re.M)
    if not script.is_file() or run is None:
        return ["the build does not run binder/postBuild (RUN ./binder/postBuild), so nothing "
                "installs swdkit or makes the data set"]
    problems = []
    copy = re.search(r"^COPY .*\bsrc/ \$\{REPO_DIR\}/\s*$", dockerfile, re.M)
    workdir = re.search(r"^WORKDIR \$\{REPO_DIR\}\s*$", dockerfile, re.M)
    if not (copy and workdir and workdir.start() < run.start() and copy.start() < run.start()
            and env_step_at < run.start()):
        problems.append("postBuild must run after the environment step, after the repository "
                        "is copied to ${REPO_DIR} and from there (WORKDIR ${REPO_DIR})")
    syntax = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    if syntax.returncode != 0:
        problems.append(f"binder/postBuild is not valid bash: {syntax.stderr.strip()}")
    commands = shell_commands(script.read_text())
    installs = [i for i, words in enumerate(commands)
                if any(kind == "project" and project_name((repo / target).resolve()) == "swdkit"
                       for kind, target in local_targets(pip_install_args(words) or []))]
    data = [i for i, words in enumerate(commands)
            if Path(words[0]).name == "swdkit" and words[1:3] == ["data", "synthetic"]]
    if not installs:
        problems.append("binder/postBuild does not pip-install swdkit from the repository "
                        "(e.g. 'python -m pip install -e .', resolved from the repository's root)")
    if not data:
        problems.append("binder/postBuild does not make the synthetic data set "
                        "('swdkit data synthetic --if-missing')")
    elif installs and data[0] < installs[0]:
        problems.append("binder/postBuild makes the data set before swdkit is installed")
    for i in data:
        try:
            build_parser().parse_args(commands[i][1:])
        except SystemExit:
            problems.append(f"swdkit rejects postBuild's command {shlex.join(commands[i])!r}")
    return problems


def binder_problems(build: Build) -> list[str]:
    """Everything wrong with the build repo2docker generated for ``build.repo`` (empty: fine)."""
    step = re.search(r"env update -p \S+ --file \"?([^\"\s]+)\"?", build.dockerfile)
    if step is None:
        return ["the generated build has no conda environment step (mamba env update --file "
                "...): repo2docker did not find binder/environment.yml"]
    problems = []
    if step.group(1) != "binder/environment.yml":
        problems.append(f"the environment step installs {step.group(1)}, not "
                        "binder/environment.yml")
    env_file = build.repo / step.group(1)
    problems += pip_entry_problems(env_file, step.group(1))
    copy = re.search(r"^COPY .*\bsrc/ \$\{REPO_DIR\}/\s*$", build.dockerfile, re.M)
    if (copy is None or copy.start() > step.start()) and has_local_pip_entries(env_file):
        problems.append(f"this repo2docker installs {step.group(1)} before it copies the "
                        "repository, so a local pip entry there cannot find the project; install "
                        "the repository in binder/postBuild instead")
    problems += python_problems(env_file, build, step.group(1))
    problems += postbuild_problems(build, step.start())
    return problems


def repo_copy(tmp_path: Path, environment: Path, postbuild: str | None = None) -> Path:
    """A repository with this one's pyproject.toml and binder/, ``environment`` as Binder's
    environment file and ``postbuild`` (default: this one's) as its postBuild."""
    repo = tmp_path / "repo"
    (repo / "binder").mkdir(parents=True)
    shutil.copy(ROOT / "pyproject.toml", repo / "pyproject.toml")
    shutil.copy(environment, repo / "binder" / "environment.yml")
    post = repo / "binder" / "postBuild"
    post.write_text(postbuild if postbuild is not None
                    else (ROOT / "binder" / "postBuild").read_text())
    post.chmod(0o755)
    return repo


def test_binder_builds_the_environment_then_installs_swdkit_and_makes_the_data():
    build = repo2docker_build(ROOT)
    problems = binder_problems(build)
    assert not problems, "Binder's build is broken:\n- " + "\n- ".join(problems)


def test_the_check_fails_when_binder_copies_the_root_environment(tmp_path: Path):
    """binder/ before issue 16: an identical copy of environment.yml, whose '-e .' conda runs
    from binder/, and whose 'python>=3.10' repo2docker does not read as a version."""
    problems = binder_problems(repo2docker_build(repo_copy(tmp_path, ROOT / "environment.yml")))
    text = "\n".join(problems)
    assert "'-e .' points at" in text and "holds no Python project" in text, text
    assert "must pin Python to one version" in text, text


@pytest.mark.parametrize("postbuild, expected", [
    ("#!/usr/bin/env bash\nswdkit data synthetic --if-missing\n", "does not pip-install swdkit"),
    ("#!/usr/bin/env bash\npython -m pip install -e .\n", "does not make the synthetic data"),
    ("#!/usr/bin/env bash\npython -m pip install -e ./binder\nswdkit data synthetic\n",
     "does not pip-install swdkit"),
    ("#!/usr/bin/env bash\nswdkit data synthetic\npip install .\n", "before swdkit is installed"),
    ("#!/usr/bin/env bash\npip install .\nswdkit data synthetic --no-such-option\n",
     "swdkit rejects"),
])
def test_the_check_reads_postbuild(tmp_path: Path, postbuild: str, expected: str):
    repo = repo_copy(tmp_path, ROOT / "binder" / "environment.yml", postbuild)
    problems = binder_problems(repo2docker_build(repo))
    assert any(expected in p for p in problems), problems


def test_binder_start_exports_the_openmp_policy_and_runs_its_arguments():
    build = repo2docker_build(ROOT)
    assert "binder/start" in build.dockerfile, "repo2docker did not pick up binder/start"
    env = {"PATH": "/usr/bin:/bin"}
    out = subprocess.run([str(ROOT / "binder" / "start"), "sh", "-c", "echo $OMP_WAIT_POLICY"],
                         capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "PASSIVE"


def test_local_pip_entries_are_recognised():
    assert local_targets(["-e", "."]) == [("project", ".")]
    assert local_targets(["--editable=../x[dev]", "numpy>=1", "git+https://h/r.git"]) == [
        ("project", "../x")]
    assert local_targets(["--index-url", "https://download.pytorch.org/whl/cpu", "torch"]) == []
    assert local_targets(["-r", "req.txt", "file:./pkg"]) == [("file", "req.txt"),
                                                              ("project", "./pkg")]
    assert shell_commands("set -e\nif ! python -c 'import torch'; then\n  pip install torch\nfi"
                          "\npython -m pip \\\n  install -e .  # editable\n") == [
        ["set", "-e"], ["python", "-c", "import torch"], ["pip", "install", "torch"],
        ["python", "-m", "pip", "install", "-e", "."]]


def test_root_environment_file_installs_the_repository_from_the_root():
    """`conda env create -f environment.yml` from the root: its '-e .' is the repository."""
    assert pip_entry_problems(ROOT / "environment.yml") == []
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    entries = [e for d in env["dependencies"] if isinstance(d, dict) for e in d["pip"]]
    assert [t for e in entries for t in local_targets(shlex.split(e))] == [("project", ".")]
