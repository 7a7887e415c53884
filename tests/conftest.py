"""Fixtures for the browser tests: JupyterLab on 127.0.0.1 and headless Chromium driven by Playwright."""

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "amld-browser-test"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def find_chromium():
    """Debian's Chromium (or another Chromium/Chrome on PATH); AMLD_CHROMIUM names one explicitly."""
    for candidate in [os.environ.get("AMLD_CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser",
                      "google-chrome"]:
        path = candidate and shutil.which(candidate)
        if path:
            return path
    return None


def _unavailable(reason):
    # In CI the browser tests must run for real: a missing browser is a failure there, a skip elsewhere.
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the browser tests)")
    pytest.skip(reason)


def _write_settings(folder, extra=()):
    """JupyterLab user settings for the tests: no autosave, no news pop-up; `extra`: more (plugin, value) pairs."""
    for plugin, value in [("docmanager-extension/plugin", {"autosave": False, "autoStartDefaultKernel": True}),
                          ("apputils-extension/notification", {"fetchNews": "false", "checkForUpdates": False}),
                          *extra]:
        path = folder / "@jupyterlab" / (plugin + ".jupyterlab-settings")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))


@contextlib.contextmanager
def jupyterlab(home, settings=()):
    """JupyterLab on a free port of 127.0.0.1 with a token, its files and settings in `home`; yields its URL.

    It serves a copy of notebooks/ (so nothing done there is saved into the repository) in quick mode.
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    shutil.copytree(ROOT / "notebooks", home / "root" / "notebooks")
    _write_settings(home / "settings", settings)
    log = home / "server.log"
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # kernels draw inline, as for a reader
    env.update(AMLD_QUICK="1", JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTERLAB_SETTINGS_DIR=str(home / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"))
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
               f"--port={port}", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={home / 'root'}"]
    with open(log, "w") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start:\n{log.read_text()[-3000:]}") from None
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="session")
def lab_url(tmp_path_factory):
    """JupyterLab serving a copy of notebooks/ in quick mode (see `jupyterlab`); yields its URL."""
    try:
        with jupyterlab(tmp_path_factory.mktemp("jupyterlab")) as url:
            yield url
    except RuntimeError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium, launched by Playwright from the system's binary (no browser download)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -r requirements.txt)")
    chromium = find_chromium()
    if chromium is None:
        _unavailable("Chromium not found: install it (Debian: apt-get install chromium) or set AMLD_CHROMIUM")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, tmp_path):
    """A 1280 x 720 page; its last state is saved as last.png in the test's temporary folder."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    page.screenshot(path=str(tmp_path / "last.png"))
    print(f"screenshots: {tmp_path}")
    context.close()
