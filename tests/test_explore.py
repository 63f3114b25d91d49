"""`make explore`: the alignment explorer as a Voila app on 127.0.0.1, and its slider in Chromium.

The app is notebooks/apps/explorer.ipynb. The tests run a copy of it in a folder laid
out like the repository (``notebooks/apps/`` for the copy, ``build/`` for the caches its relative
defaults point at), so nothing is written into the checkout. The browser test starts the server
with ``make explore`` itself (``-o`` keeps make from rebuilding .venv; ``BIN`` is the folder of
the Python running the tests), on a free port, waits for the page, moves the epoch slider, checks
the picture changed, that the page shows no code, that make printed the URL, and that every TCP
socket make, Voila and the kernels listen on is a loopback address. The data set is the default
one (``SWDKIT_DATA_DIR`` or ~/.cache/swdkit/synthetic), made by the recipe when it is missing.
Without Chromium or playwright the browser test skips, naming the install command; with
SWDKIT_REQUIRE_BROWSER=1 (CI) it fails instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from browser_support import (
    browser_page,
    check_epoch_slider,
    free_port,
    is_loopback,
    listening_addresses,
    process_tree,
    require_browser,
    serve,
    serve_command,
)
from test_layout import PRIVATE_ATTRIBUTE, private_references

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "notebooks" / "apps" / "explorer.ipynb"
STAMP = ".venv/.swdkit-installed"  # the Makefile's $(STAMP)
PAGE_TIMEOUT_S = 300  # the first visit trains and fits UMAP frames (generous for a slow CI)
# The README's Binder links; OWNER stays a placeholder until the project is public.
BINDER_LINK = r"https://mybinder\.org/v2/gh/OWNER/swdkit/HEAD\?urlpath=([^\s`)>]+)"


def require_make() -> str:
    make = shutil.which("make")
    if make is None:
        message = "make is not installed; `make explore` cannot be run (apt-get install make)"
        if os.environ.get("SWDKIT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"SWDKIT_REQUIRE_BROWSER=1 but {message}")
        pytest.skip(message)
    return make


def make_explore(port: int, app: Path, *, dry_run: bool = False) -> list[str]:
    """The command line of `make explore` on ``port`` serving ``app``, without a .venv rebuild."""
    return [require_make(), "-C", str(ROOT), *(["-n"] if dry_run else []), "-o", STAMP,
            "explore", f"EXPLORE_PORT={port}", f"EXPLORE_APP={app}",
            f"BIN={Path(sys.executable).parent}"]


@pytest.fixture(scope="module")
def app_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository-like folder holding a copy of the app (shared, so the caches are reused)."""
    home = tmp_path_factory.mktemp("explore")
    (home / "notebooks" / "apps").mkdir(parents=True)
    shutil.copy(APP, home / "notebooks" / "apps" / APP.name)
    return home


def test_app_is_stored_clean_with_public_imports_only():
    nb = json.loads(APP.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for i, cell in enumerate(code):
        assert not cell["outputs"] and cell["execution_count"] is None, \
            f"{APP.name} code cell {i + 1} is stored with outputs; clear them"
    tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{APP.name} needs exactly one cell tagged 'parameters'"
    source = "\n".join("".join(c["source"]) for c in code)
    assert private_references(source) == [] and re.findall(PRIVATE_ATTRIBUTE, source) == []


def test_make_explore_serves_the_app_on_loopback_only():
    """The recipe: make the data set, print the URL, run Voila on 127.0.0.1 at that port."""
    assert re.search(r"^explore: \$\(STAMP\)$", (ROOT / "Makefile").read_text(), re.M), \
        "explore must depend on $(STAMP), so that it works right after a fresh clone"
    out = subprocess.run(make_explore(8123, APP, dry_run=True), capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.replace("\\\n", " ").splitlines()
    data = next(i for i, line in enumerate(lines) if "swdkit data synthetic --if-missing" in line)
    voila = next(i for i, line in enumerate(lines) if "/voila " in line)
    url = next(i for i, line in enumerate(lines) if "http://127.0.0.1:8123/" in line)
    assert data < url < voila, lines
    words = lines[voila].split()
    assert str(APP) in words and "--no-browser" in words and "--port=8123" in words, words
    assert "--Voila.ip=127.0.0.1" in words, f"Voila must listen on 127.0.0.1 only: {words}"
    assert "--Voila.port_retries=0" in words, "another port than the printed one must not be used"
    assert "0.0.0.0" not in out.stdout


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux's /proc/net/tcp")
def test_listening_addresses_tell_loopback_from_all_interfaces():
    """The loopback check of the browser test can fail: a socket on 0.0.0.0 is caught."""
    with socket.socket() as wild, socket.socket() as local:
        wild.bind(("0.0.0.0", 0))
        local.bind(("127.0.0.1", 0))
        wild.listen()
        local.listen()
        found = dict((port, address) for address, port in listening_addresses([os.getpid()]))
        assert found[wild.getsockname()[1]] == "0.0.0.0"
        assert found[local.getsockname()[1]] == "127.0.0.1"
    assert not is_loopback("0.0.0.0") and not is_loopback("::")
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("::ffff:127.0.0.1")


@pytest.mark.slow
def test_app_runs_headless_and_caches_in_build(app_home: Path):
    """The app's cells, run by papermill from its folder: runs, explorer, playground, caches."""
    import nbformat
    import papermill

    app = app_home / "notebooks" / "apps" / APP.name
    out = app_home / "executed.ipynb"
    papermill.execute_notebook(str(app), str(out), cwd=str(app.parent), progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "instance norm: SW between the probe clouds" in text, text
    assert "batch norm: SW between the probe clouds" in text, text
    # (a progress bar, a widget too, shows up when the data set had to be made first)
    view = "application/vnd.jupyter.widget-view+json"
    pictures = [o for o in outputs if {view, "image/png"} <= set(o.get("data", {}))]
    assert len(pictures) == 2, \
        "the explorer and the playground must each show a widget with a static PNG"
    assert list((app_home / "build" / "checkpoints").glob("*.pt")), "no EO checkpoint cached"
    assert list((app_home / "build" / "cache" / "umap_frames").iterdir()), "no UMAP frame cached"


@pytest.mark.browser
@pytest.mark.slow
def test_make_explore_page_slider_moves_the_picture(app_home: Path, tmp_path: Path):
    sync_api = require_browser()
    port = free_port()
    app = app_home / "notebooks" / "apps" / APP.name
    log = tmp_path / "make-explore.log"
    with serve_command(make_explore(port, app), cwd=ROOT, root=tmp_path, log=log,
                       ready=f"http://127.0.0.1:{port}/voila/static/favicon.ico") as proc:
        with browser_page(sync_api) as page:
            page.goto(f"http://127.0.0.1:{port}/", timeout=PAGE_TIMEOUT_S * 1000)
            check_epoch_slider(page, tmp_path / "screenshots")
            page.screenshot(path=str(tmp_path / "screenshots" / "page.png"), full_page=True)
            assert page.locator(".swdkit-swd-playground").count() == 1, "no SWD playground"
            assert page.locator(".jp-InputArea-editor, .cm-editor, .CodeMirror").count() == 0, \
                "the app must show no code"
        listening = listening_addresses(process_tree(proc.pid))
    assert ("127.0.0.1", port) in listening, f"nothing listens on 127.0.0.1:{port}: {listening}"
    exposed = [(a, p) for a, p in listening if not is_loopback(a)]
    assert not exposed, f"make explore listens beyond loopback: {exposed}"
    printed = log.read_text(errors="replace")
    assert f"http://127.0.0.1:{port}/" in printed, f"make explore did not print the URL:\n{printed}"


@pytest.mark.slow
def test_readme_binder_links_open_the_first_lesson_and_the_explorer(app_home: Path,
                                                                     tmp_path: Path):
    """The README's two Binder links, followed the way Binder follows them: ``urlpath`` on a
    Jupyter server at the repository's root, with Voila's server extension (binder/ installs
    voila), here on 127.0.0.1 at a copy of the app."""
    paths = re.findall(BINDER_LINK, (ROOT / "README.md").read_text())
    assert paths == ["lab/tree/notebooks/00_welcome.ipynb",
                     "voila/render/notebooks/apps/explorer.ipynb"], paths
    assert (ROOT / paths[0].removeprefix("lab/tree/")).is_file()
    assert (ROOT / paths[1].removeprefix("voila/render/")) == APP
    # serve() roots the server at the given path's parent: here the repository-like folder.
    with serve("lab", app_home / "notebooks", tmp_path) as page:
        base, token = page.split("/lab/")[0], page.split("token=")[1]
        with urllib.request.urlopen(f"{base}/{paths[1]}?token={token}",
                                    timeout=PAGE_TIMEOUT_S) as response:
            html = response.read().decode()
    assert "instance norm: SW between the probe clouds" in html, html[-2000:]
