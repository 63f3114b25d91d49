"""Notebook 05 in a real browser: drag the epoch slider, see the picture and the epoch follow.

Served by JupyterLab and by Voila on 127.0.0.1 (private config and runtime folders, a token),
driven by headless Chromium through Playwright, on a copy of the notebook with the CI
parameters injected. A third test breaks the widget callback in its copy and expects the same
check to fail, so the check is known to catch a dead slider. Screenshots before and after the
move are saved under each test's tmp_path. Without Chromium or playwright these tests skip,
naming the install command; with SWDKIT_REQUIRE_BROWSER=1 (CI) they fail instead.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest
from browser_support import (
    browser_page,
    check_epoch_slider,
    prepare_notebook,
    require_browser,
    run_all_in_lab,
    serve,
    wait_for_file,
)

from swdkit.notebooks._runner import load_param_file

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "05_umap_embeddings.ipynb"
CI_PARAMS = ROOT / "notebooks" / "params" / "ci.yml"
RUN_TIMEOUT_S = 300  # a notebook run in a served kernel (CI parameters; generous for slow CI)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def shared_caches(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """EO checkpoints and UMAP frames shared by the served kernels (the later runs reuse them)."""
    root = tmp_path_factory.mktemp("browser-caches")
    return {"checkpoint_dir": str(root / "checkpoints"), "umap_cache_dir": str(root / "umap")}


def prepared(tmp_path: Path, caches: dict[str, str], *, break_callback: bool = False) -> Path:
    params = load_param_file(CI_PARAMS).for_notebook(NOTEBOOK.name)
    params.update(caches, out_dir=str(tmp_path / "out"))
    return prepare_notebook(NOTEBOOK, tmp_path / "served" / NOTEBOOK.name, params,
                            break_callback=break_callback)


@contextmanager
def open_in_voila(sync_api, notebook: Path, tmp_path: Path):
    """A page on which Voila has run the whole notebook."""
    with serve("voila", notebook, tmp_path) as url, browser_page(sync_api) as page:
        page.goto(url, timeout=RUN_TIMEOUT_S * 1000)
        wait_for_file(tmp_path / "out" / "metrics.json", 60, tmp_path / "voila-server.log")
        yield page


def test_lab_epoch_slider_moves_the_picture(tmp_path: Path, shared_caches: dict[str, str]):
    sync_api = require_browser()
    notebook = prepared(tmp_path, shared_caches)
    with serve("lab", notebook, tmp_path) as url, browser_page(sync_api) as page:
        page.goto(url, timeout=60_000)
        run_all_in_lab(page, timeout_s=60)
        wait_for_file(tmp_path / "out" / "metrics.json", RUN_TIMEOUT_S,
                      tmp_path / "lab-server.log")
        check_epoch_slider(page, tmp_path / "screenshots")
    assert (tmp_path / "screenshots" / "after.png").stat().st_size > 0


def test_voila_epoch_slider_moves_the_picture(tmp_path: Path, shared_caches: dict[str, str]):
    sync_api = require_browser()
    with open_in_voila(sync_api, prepared(tmp_path, shared_caches), tmp_path) as page:
        check_epoch_slider(page, tmp_path / "screenshots")
        page.screenshot(path=str(tmp_path / "screenshots" / "page.png"))
    assert (tmp_path / "screenshots" / "after.png").stat().st_size > 0


def test_the_check_fails_when_the_callback_is_broken(tmp_path: Path,
                                                     shared_caches: dict[str, str]):
    sync_api = require_browser()
    notebook = prepared(tmp_path, shared_caches, break_callback=True)
    with open_in_voila(sync_api, notebook, tmp_path) as page:
        with pytest.raises(AssertionError, match="picture did not change|did not follow"):
            check_epoch_slider(page, tmp_path / "screenshots", wait_s=4.0)
