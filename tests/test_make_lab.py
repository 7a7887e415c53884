"""`make lab` opens the lecture, also as root (containers, cloud VMs), and prints the URL with its token.

The test starts `make lab` on a free port of 127.0.0.1 without a browser, reads the URL that Jupyter prints,
asks the server's status with that token, and stops it. It uses the set-up that `make test` made (.venv).
"""

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
URL = re.compile(r"(http://127\.0\.0\.1:\d+/lab\?token=[0-9a-f]+)")


def test_make_lab_starts_jupyterlab_and_prints_its_url_with_a_token(tmp_path):
    if not (ROOT / ".venv" / ".installed").exists():
        if os.environ.get("CI"):
            pytest.fail("no .venv: `make test` sets it up before running the tests")
        pytest.skip("no .venv set up by `make setup` here")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces")}
    log = tmp_path / "lab.log"
    with open(log, "w") as out:
        lab = subprocess.Popen(["make", "--no-print-directory", "lab",
                                f"LAB_ARGS=--no-browser --ip=127.0.0.1 --port={port}"],
                               cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        deadline, url = time.monotonic() + 90, None
        while url is None:
            match = URL.search(log.read_text())
            if match:
                url = match.group(1)
            elif lab.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"make lab printed no URL with a token:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        assert f":{port}/" in url
        token = url.split("token=")[1]
        status = urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=10)
        assert status.status == 200
        if os.geteuid() == 0:
            command = [line for line in log.read_text().splitlines() if line.startswith(".venv/bin/jupyter lab")]
            assert command and "--allow-root" in command[0], "as root, make lab must pass --allow-root"
    finally:
        os.killpg(lab.pid, signal.SIGTERM)
        try:
            lab.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(lab.pid, signal.SIGKILL)
