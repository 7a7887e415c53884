"""The pip and conda set-ups must name the same packages with the same bounds, and pin nothing exactly."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONDA_TO_PIP = {"pytorch": "torch"}  # conda-forge names that differ from PyPI's
COLAB_LOWER = {"ipywidgets": ">=7.7"}  # the package admits Colab's ipywidgets 7.7.1 (helpers.check says so there)


def _parse(lines):
    found = {}
    for line in lines:
        line = line.split("#")[0].strip().lstrip("- ").strip()
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", line)
        if match:
            found[match.group(1).lower().replace("_", "-")] = match.group(2).replace(" ", "")
    return found


def pip_packages():
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    return _parse(line for line in lines if not line.lstrip().startswith("-e"))


def conda_packages():
    text = (ROOT / "environment.yml").read_text()
    block = text.split("dependencies:")[1].split("- pip:")[0]
    found = _parse(block.splitlines())
    found.pop("python"), found.pop("pip")
    return {CONDA_TO_PIP.get(name, name): spec for name, spec in found.items()}


def test_pip_and_conda_name_the_same_packages_and_bounds():
    pip, conda = pip_packages(), conda_packages()
    assert len(pip) >= 10
    assert set(pip) == set(conda), f"only pip: {set(pip) - set(conda)}; only conda: {set(conda) - set(pip)}"
    assert pip == conda


def test_lower_bounds_only_and_the_package_itself():
    for name, spec in pip_packages().items():
        assert spec.startswith(">=") and "==" not in spec, f"{name}{spec}: use a lower bound, never an exact pin"
        assert "<" not in spec, f"{name}{spec}: no upper bounds, they break Colab and Binder"
    assert any(line.startswith("-e .") for line in (ROOT / "requirements.txt").read_text().splitlines())
    environment = (ROOT / "environment.yml").read_text()
    assert "conda-forge" in environment and "python=3.11" in environment and "- -e ." in environment


def test_every_requirement_says_who_needs_it():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert "#" in line, f"'{line}' needs a comment saying which notebook or command uses it"


def test_runtime_dependencies_of_the_package_are_in_both_lists():
    text = (ROOT / "pyproject.toml").read_text()
    block = text.split("dependencies = [")[1].split("]")[0]
    runtime = _parse(s.strip().strip('",') for s in block.splitlines())
    assert set(runtime) == {"torch", "torchvision", "numpy", "matplotlib", "ipywidgets", "tqdm"}
    for name, spec in runtime.items():
        if name in COLAB_LOWER:  # Colab's own version, lower than what JupyterLab needs: see pyproject.toml
            assert spec == COLAB_LOWER[name], spec
            continue
        assert pip_packages()[name].split(",")[0] == spec  # the package keeps the lower bound only
