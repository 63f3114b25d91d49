"""Plumbing for the real-browser tests: a parametrised notebook copy, a private Jupyter server
(JupyterLab or Voila) on 127.0.0.1, headless Chromium through Playwright, and the slider check.

What is known to work on the project's machines is recorded in shared/BROWSER_TESTING.md:
Debian's Chromium launched by path (never ``playwright install``), every non-loopback request
aborted, private config and runtime folders, readiness by polling, SIGTERM to stop.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
INSTALL_HINT = "apt-get install -y chromium fonts-dejavu-core (and pip install playwright)"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
EXPLORER = ".swdkit-alignment-explorer"
# Inserted after the parameters by the broken variant: every widget callback does nothing.
BREAK_CALLBACK = ("# test-only: break every swdkit widget callback\n"
                  "import swdkit.views\n"
                  "swdkit.views.LiveFigureWidget._on_change = lambda self, change: None\n")


def require_browser() -> Any:
    """Playwright's sync API when Chromium and playwright are here; skip (or fail) otherwise.

    With ``SWDKIT_REQUIRE_BROWSER=1`` (CI) a missing browser fails instead of skipping.
    """
    problem = None
    try:
        from playwright import sync_api
    except ImportError:
        sync_api, problem = None, "the playwright Python package is not installed"
    if problem is None and not Path(CHROMIUM).exists():
        problem = f"Chromium is not installed at {CHROMIUM}"
    if problem is None:
        return sync_api
    message = f"{problem}; install with: {INSTALL_HINT}"
    if os.environ.get("SWDKIT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"SWDKIT_REQUIRE_BROWSER=1 but {message}")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_notebook(source: Path, target: Path, parameters: dict[str, Any], *,
                     break_callback: bool = False) -> Path:
    """Copy ``source`` to ``target`` with ``parameters`` injected (papermill, not executed).

    With ``break_callback`` a cell that disables every widget callback follows the injected
    parameters: the check must then fail.
    """
    import nbformat
    import papermill

    target.parent.mkdir(parents=True, exist_ok=True)
    papermill.execute_notebook(str(source), str(target), parameters=parameters,
                               prepare_only=True, progress_bar=False)
    nb = nbformat.read(target, as_version=4)
    for cell in nb.cells:  # papermill's bookkeeping metadata is not needed by a front end
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    nb.metadata.pop("papermill", None)
    if break_callback:
        at = next(i for i, c in enumerate(nb.cells)
                  if "injected-parameters" in c.metadata.get("tags", []))
        nb.cells.insert(at + 1, nbformat.v4.new_code_cell(BREAK_CALLBACK))
    nbformat.write(nb, target)
    return target


def _private_env(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    # JUPYTER_DATA_DIR too: the server writes its notebook-signing key there. Kernel specs and
    # lab extensions installed in the environment are still found under sys.prefix.
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR",
                 "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR"):
        folder = root / name.lower()
        folder.mkdir(parents=True, exist_ok=True)
        env[name] = str(folder)
    settings = (Path(env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyterlab" / "apputils-extension"
                / "notification.jupyterlab-settings")
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _wait_until_ready(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}; its log:\n"
                               f"{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer {url} within {timeout} s; its log:\n"
                       f"{log.read_text(errors='replace')[-3000:]}")


@contextmanager
def serve(kind: str, notebook: Path, root: Path, *, timeout: float = 60.0):
    """Serve ``notebook`` with ``kind`` ``"lab"`` or ``"voila"``; yield the page's URL."""
    port, token = free_port(), "swdkit-browser-test"
    log = root / f"{kind}-server.log"
    if kind == "lab":
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
               f"--port={port}", f"--IdentityProvider.token={token}", "--LabApp.news_url=None",
               f"--ServerApp.root_dir={notebook.parent}", "--allow-root"]
        ready = f"http://127.0.0.1:{port}/api/status?token={token}"
        page = f"http://127.0.0.1:{port}/lab/tree/{notebook.name}?token={token}"
    elif kind == "voila":
        cmd = [sys.executable, "-m", "voila", str(notebook), "--no-browser",
               "--Voila.ip=127.0.0.1", f"--port={port}", f"--token={token}"]
        ready = f"http://127.0.0.1:{port}/voila/static/favicon.ico"
        page = f"http://127.0.0.1:{port}/?token={token}"
    else:
        raise ValueError(f"kind must be 'lab' or 'voila'; got {kind!r}")
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, cwd=notebook.parent, env=_private_env(root), stdout=fh,
                                stderr=subprocess.STDOUT)
    try:
        _wait_until_ready(ready, proc, log, timeout)
        yield page
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


@contextmanager
def serve_command(cmd: list[str], *, cwd: Path, root: Path, ready: str, log: Path,
                  timeout: float = 120.0):
    """Run ``cmd`` (a server, possibly behind ``make``) until ``ready`` answers; yield its Popen.

    The command gets the private Jupyter folders of :func:`serve` and its own process group:
    on exit the whole group gets SIGTERM (``make`` and the server it started, which shuts its
    kernels down), and the exit waits until every process of the group is gone.
    """
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, cwd=cwd, env=_private_env(root), stdout=fh,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_ready(ready, proc, log, timeout)
        yield proc
    finally:
        _stop_group(proc)


def _stop_group(proc: subprocess.Popen, grace_s: float = 20.0) -> None:
    """SIGTERM to ``proc``'s own process group, then SIGKILL to what is left after ``grace_s``."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline:
            proc.poll()  # reap make itself, so that the group can empty
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (Linux ``/proc``), e.g. make, Voila and its kernels."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended meanwhile
            continue
        parent = int(text[text.rindex(")") + 2:].split()[1])  # the name may hold spaces
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        found.append(todo.pop())
        todo.extend(children.get(found[-1], []))
    return found


def _proc_address(hex_address: str) -> str:
    """``/proc/net/tcp{,6}``'s hex address (32-bit words in host order, little-endian)."""
    raw = bytes.fromhex(hex_address)
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    return str(ipaddress.ip_address(words))


def listening_addresses(pids: list[int]) -> list[tuple[str, int]]:
    """``(address, port)`` of every TCP socket in LISTEN state that one of ``pids`` holds.

    Read from Linux's ``/proc`` (the socket inodes in ``/proc/PID/fd``, matched against
    ``/proc/net/tcp`` and ``tcp6``); raises FileNotFoundError where there is no ``/proc``.
    """
    inodes = set()
    for pid in pids:
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:  # the process ended meanwhile
            continue
        for fd in fds:
            try:
                link = os.readlink(fd)
            except OSError:  # the file was closed meanwhile
                continue
            match = re.fullmatch(r"socket:\[(\d+)\]", link)
            if match:
                inodes.add(match.group(1))
    found = []
    for table in ("tcp", "tcp6"):
        path = Path("/proc/net") / table
        if not path.exists():
            if table == "tcp":
                raise FileNotFoundError(f"{path} does not exist: not a Linux /proc")
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, port = fields[1].split(":")
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: TCP_LISTEN
                found.append((_proc_address(address), int(port, 16)))
    return sorted(set(found))


def is_loopback(address: str) -> bool:
    """127.0.0.0/8, ::1, or an IPv4-mapped loopback address; never 0.0.0.0 or ::."""
    ip = ipaddress.ip_address(address)
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


@contextmanager
def browser_page(sync_api: Any):
    """A headless Chromium page that may reach 127.0.0.1 only."""
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.route(r"re:^(?!https?://127\.0\.0\.1[:/]).*",
                          lambda route: route.abort())
            yield context.new_page()
        finally:
            browser.close()


def run_all_in_lab(page: Any, timeout_s: float) -> None:
    """Wait for an idle kernel (Run All is ignored before), then Run > Run All Cells."""
    page.get_by_text("Python 3 (ipykernel) | Idle").first.wait_for(timeout=timeout_s * 1000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()


def wait_for_file(path: Path, timeout_s: float, server_log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        if time.monotonic() > deadline:
            tail = server_log.read_text(errors="replace")[-3000:] if server_log else ""
            raise AssertionError(f"{path} did not appear within {timeout_s} s: the notebook did "
                                 f"not finish. Server log tail:\n{tail}")
        time.sleep(0.25)


def explorer_state(page: Any) -> dict[str, str]:
    """What the explorer shows: its picture's data URL, status line and epoch readout.

    ``text_content`` (not ``inner_text``) so that text is read even while JupyterLab's windowed
    notebook has the cell out of layout.
    """
    box = page.locator(EXPLORER).first
    slider = box.locator(".widget-slider", has_text="epoch").first
    return {"src": box.locator(".widget-output img").first.get_attribute("src") or "",
            "status": (box.locator(".swdkit-status").first.text_content() or "").strip(),
            "readout": (slider.locator(".widget-readout").first.text_content() or "").strip()}


def _brief(state: dict[str, str]) -> dict[str, str]:
    return {**state, "src": state["src"][:40] + "..."}


def _poll(read: Any, done: Any, wait_s: float) -> dict[str, str]:
    """Call ``read()`` every 0.1 s until ``done(value)`` or ``wait_s`` passed; the last value."""
    deadline = time.monotonic() + wait_s
    value = read()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(0.1)
        value = read()
    return value


def check_epoch_slider(page: Any, shots: Path, *, wait_s: float = 8.0) -> dict[str, Any]:
    """Press ArrowRight on the epoch slider; assert the picture and the shown epoch follow.

    Raises:
        AssertionError: the picture or the status line did not change within ``wait_s``.
    """
    shots.mkdir(parents=True, exist_ok=True)
    box = page.locator(EXPLORER).first
    box.locator(".widget-output img").first.wait_for(timeout=30_000)
    box.scroll_into_view_if_needed()
    before = _poll(lambda: explorer_state(page),
                   lambda v: v["readout"].isdigit() and v["status"] and v["src"], 10.0)
    assert before["src"].startswith("data:image/png;base64,"), before["src"][:60]
    assert before["readout"].isdigit(), f"no epoch readout on the slider: {_brief(before)}"
    box.screenshot(path=str(shots / "before.png"))
    slider = box.locator(".widget-slider", has_text="epoch").first
    slider.locator(".noUi-handle").first.focus()
    page.keyboard.press("ArrowRight")
    after = _poll(lambda: explorer_state(page),
                  lambda v: v["readout"].isdigit() and v["src"] != before["src"]
                  and v["status"] != before["status"], wait_s)
    box.screenshot(path=str(shots / "after.png"))
    assert after["readout"].isdigit(), f"no epoch readout after the move: {_brief(after)}"
    epoch_before, epoch_after = int(before["readout"]), int(after["readout"])
    assert epoch_after > epoch_before, \
        f"the slider did not move: {_brief(before)} -> {_brief(after)}"
    assert after["src"] != before["src"], \
        f"the picture did not change after the slider moved to epoch {epoch_after}"
    assert f"epoch {epoch_after}" in after["status"] and f"epoch {epoch_before}" in \
        before["status"], f"the shown epoch did not follow the slider: {before['status']!r} -> " \
                          f"{after['status']!r} (slider at {epoch_after})"
    return {"before": before, "after": after}
