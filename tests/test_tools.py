"""`python -m helpers.check` and `make links` (tools/sync_links.py); the course site is in test_site.py."""

import json
import os
import re
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import sync_links  # noqa: E402


def run_check(python):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run([python, "-m", "helpers.check"], cwd=ROOT, capture_output=True, text=True, env=env)


def test_check_gives_a_verdict_and_exits_0_here():
    result = run_check(sys.executable)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for name in ["python", "torch", "torchvision", "numpy", "matplotlib", "ipywidgets", "nbval", "device", "MNIST"]:
        assert any(line.startswith(name + " ") for line in lines), f"no line for {name}"
    torch_minimum = re.search(r"^torch>=(\S+)", (ROOT / "requirements.txt").read_text(), re.M).group(1)
    assert f"(needs >= {torch_minimum})" in result.stdout  # the minimum comes from requirements.txt
    assert lines[-1].startswith("verdict: READY")


def test_check_exits_non_zero_and_says_so_without_torch(tmp_path):
    # A bare environment: Python without torch (nor anything else), running the check from the checkout.
    venv.create(tmp_path / "bare", with_pip=False)
    result = run_check(str(tmp_path / "bare" / "bin" / "python"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "torch        MISSING" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("verdict: NOT READY") and "torch" in result.stdout.splitlines()[-1]


def test_links_follow_the_one_repository_address(tmp_path, monkeypatch):
    nb = tmp_path / "09-demo.ipynb"
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# 09 · Demo\n\nText."},
             {"cell_type": "code", "metadata": {"tags": ["colab-install"]}, "source": "", "outputs": [],
              "execution_count": None}]
    nb.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    monkeypatch.setattr(sync_links, "settings", lambda: ("someone/lecture", "main"))
    assert sync_links.sync_notebook(nb) is True
    text = nb.read_text()
    assert "colab.research.google.com/github/someone/lecture/blob/main/notebooks/09-demo.ipynb" in text
    assert "mybinder.org/v2/gh/someone/lecture/main?labpath=notebooks%2F09-demo.ipynb" in text
    assert "git+https://github.com/someone/lecture.git@main" in text
    assert sync_links.sync_notebook(nb) is False  # idempotent
    monkeypatch.setattr(sync_links, "settings", lambda: ("other/name", "main"))
    assert sync_links.sync_notebook(nb) is True and "someone/lecture" not in nb.read_text()
