"""tools/execute.py: the client that waits for replies in slices, and a cell past its limit that names itself."""

import asyncio
import concurrent.futures
import os
import re
import subprocess
import sys
from pathlib import Path
from queue import Empty

import nbformat
import pytest

from tools import execute

ROOT = Path(__file__).resolve().parent.parent


def run(coroutine):
    """asyncio.run in a thread of its own: the browser tests' Playwright keeps an event loop running in this one."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_a_sliced_wait_looks_again_every_slice_until_its_deadline(monkeypatch):
    monkeypatch.setattr(execute, "SLICE", 0.01)
    asked = []

    async def get_msg(timeout=None):  # a socket whose message shows only on the fourth look
        asked.append(timeout)
        if len(asked) < 4:
            await asyncio.sleep(timeout)  # waits its timeout out, as a poll that sees nothing does
            raise Empty
        return {"msg_type": "execute_reply"}

    assert run(execute.sliced(get_msg)(timeout=None)) == {"msg_type": "execute_reply"}
    assert asked == [0.01] * 4  # no slice longer than SLICE, even with no deadline
    asked.clear()
    with pytest.raises(Empty):  # a deadline before the fourth look: Empty, as nbclient expects at its limit
        run(execute.sliced(get_msg)(timeout=0.025))
    assert 3 <= len(asked) <= 4 and all(t <= 0.01 for t in asked)


def test_a_cell_past_its_limit_names_the_notebook_the_cell_and_the_versions(tmp_path):
    path = tmp_path / "slow.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"),
                                         nbformat.v4.new_code_cell("import time\ntime.sleep(30)")])
    nbformat.write(nb, path)
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "execute.py"), "--timeout", "2", str(path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("slow.ipynb: cell 1 ran past its limit of 2 s (nbclient ")
    assert "ipykernel " in message and "pyzmq " in message and "--timeout" in message
    assert nbformat.read(path, as_version=4).cells[0].outputs == []  # the notebook is left as it was


def test_a_notebook_runs_in_place(tmp_path):
    path = tmp_path / "ok.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")]), path)
    subprocess.run([sys.executable, str(ROOT / "tools" / "execute.py"), str(path)], check=True, timeout=120)
    assert nbformat.read(path, as_version=4).cells[0].outputs[0].text == "42\n"


def test_a_notebook_cell_past_nbvals_limit_fails_with_the_versions(tmp_path):
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import time\ntime.sleep(30)")]),
                   tmp_path / "slow.ipynb")
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "conftest", "-o", "addopts=", "--nbval-lax",
                             "--nbval-cell-timeout=2", "slow.ipynb"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 1, result.stdout
    assert "Timeout of 2 seconds exceeded" in result.stdout and "slow.ipynb::Cell 0" in result.stdout
    assert re.search(r"versions -+\nnbclient \S+, jupyter_client \S+, ipykernel \S+", result.stdout), result.stdout
