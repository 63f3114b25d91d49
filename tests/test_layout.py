"""The package's shape: subpackages with public faces, no forwarding, no import circle.

These tests read the source (AST), not the running package, so they see imports inside
functions too, and they fail on the shape a newcomer would trip over: a module handing out a
sibling's names through ``__getattr__``, two modules that import each other (however
indirectly), a notebook reaching into a private module, a file past the house limit.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "swdkit"
MAX_LINES = 300


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
PACKAGES = {name for name, p in MODULES.items() if p.name == "__init__.py"}


def runtime_nodes(tree: ast.AST):
    """Every node of ``tree`` except those under ``if TYPE_CHECKING:`` (never run)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                stack.extend(child.orelse)
            else:
                stack.append(child)


def imported_modules(tree: ast.AST, importer: str) -> set[str]:
    """The swdkit modules an AST imports when it runs (top level and inside functions)."""
    found = set()
    for node in runtime_nodes(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "swdkit"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.split(".")[0] == "swdkit":
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in MODULES else node.module)
    return found


def import_edges(name: str, path: Path) -> set[str]:
    """Modules that importing ``name`` runs: what it imports, and the ``__init__`` of every
    package those live in that does not already contain ``name`` (Python runs a package's
    ``__init__`` before any module inside it; within its own package that is no cycle)."""
    edges = set()
    for target in imported_modules(ast.parse(path.read_text()), name):
        parts = target.split(".")
        for i in range(2, len(parts) + 1):
            candidate = ".".join(parts[:i])
            inside = name == candidate or name.startswith(candidate + ".")
            if candidate in MODULES and candidate != name and (i == len(parts) or not inside):
                edges.add(candidate)
    return edges


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = 2
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_sees_a_cycle_and_its_absence():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_no_import_circle_between_swdkit_modules():
    graph = {name: import_edges(name, path) for name, path in MODULES.items()
             if name != "swdkit"}  # the top level loads subpackages lazily, by name
    assert not find_cycle(graph), f"import circle: {' -> '.join(find_cycle(graph))}"


def test_every_module_imports_on_its_own():
    """Each module imported first in a clean package state (an order-dependent circle fails)."""
    code = (
        "import importlib, sys\n"
        f"names = {sorted(MODULES)!r}\n"
        "bad = []\n"
        "for name in names:\n"
        "    for key in [k for k in sys.modules if k == 'swdkit' or k.startswith('swdkit.')]:\n"
        "        del sys.modules[key]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as err:\n"
        "        bad.append(f'{name}: {type(err).__name__}: {err}')\n"
        "print('\\n'.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_no_module_forwards_names_through_getattr():
    forwarding = [name for name, path in MODULES.items() if name != "swdkit"
                  and any(isinstance(n, ast.FunctionDef) and n.name == "__getattr__"
                          for n in ast.parse(path.read_text()).body)]
    assert forwarding == []


def test_every_subpackage_exports_what_it_lists():
    """A package's ``__all__`` names exist, and come from its own private modules."""
    import importlib

    for name in sorted(PACKAGES - {"swdkit"}):
        package = importlib.import_module(name)
        assert package.__all__, f"{name} has no __all__"
        for public in package.__all__:
            value = getattr(package, public)
            origin = getattr(value, "__module__", None)
            if origin is not None and isinstance(value, type | type(len) | type(lambda: 0)):
                assert origin.startswith(name + "."), f"{name}.{public} comes from {origin}"


def notebook_sources() -> dict[str, str]:
    out = {}
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        out[path.name] = "\n".join(line for line in code.splitlines()
                                   if not line.lstrip().startswith(("%", "!")))
    return out


def private_references(source: str) -> list[str]:
    """swdkit modules imported by ``source`` whose dotted name has a private part."""
    found = imported_modules(ast.parse(source), "")
    return sorted(m for m in found if any(part.startswith("_") for part in m.split(".")))


# a private module or name reached through attributes, e.g. swdkit.views._plots
PRIVATE_ATTRIBUTE = r"\bswdkit(?:\.[a-z]\w*)*\._[a-z]\w*"


def test_private_reference_finder_sees_private_modules():
    assert private_references("from swdkit.train._loop import TrainConfig") == [
        "swdkit.train._loop"]
    assert private_references("from swdkit.views import _plots") == ["swdkit.views._plots"]
    assert private_references("from swdkit.train import TrainConfig\nimport swdkit") == []


@pytest.mark.parametrize("notebook", sorted(notebook_sources()))
def test_notebooks_import_only_public_subpackages(notebook):
    source = notebook_sources()[notebook]
    assert private_references(source) == []
    assert re.findall(PRIVATE_ATTRIBUTE, source) == []


def test_private_attribute_pattern():
    assert re.findall(PRIVATE_ATTRIBUTE, "swdkit.views._plots.figure_png(f)")
    assert not re.findall(PRIVATE_ATTRIBUTE, "swdkit.__version__, swdkit.views.plot_runs")


def test_every_source_file_is_tracked_not_ignored():
    """A .gitignore pattern once hid swdkit/data/ from git: the package worked here and not in
    a clean clone."""
    out = subprocess.run(["git", "ls-files", "--others", "--ignored", "--exclude-standard",
                          "--", "swdkit", "tests", "notebooks", "benchmarks"],
                         capture_output=True, text=True, cwd=REPO)
    if out.returncode != 0:
        pytest.skip(f"not a git checkout: {out.stderr.strip()}")
    hidden = [f for f in out.stdout.split() if f.endswith((".py", ".ipynb", ".yml", ".md"))]
    assert hidden == [], f"ignored by .gitignore, so never committed: {hidden}"


def test_no_file_in_the_package_is_over_the_house_limit():
    long = {name: n for name, p in MODULES.items()
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}, f"split these along a concern: {long}"
