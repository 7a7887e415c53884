"""Check this machine for the lecture: `python -m helpers.check`.

Prints the version of each package next to the minimum the lecture supports, the device found, whether
MNIST is in the data folder, and one verdict line. Exits with 1 when something required is missing.
Paste its output into a bug report.
"""

import importlib
import platform
import re
import sys
from importlib import metadata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent  # not from .config: this must run without torch

MIN_PYTHON = (3, 10)
# Needed to run the notebooks, then needed only for `make lab` / `make test` (still reported).
REQUIRED = ["torch", "torchvision", "numpy", "matplotlib", "ipywidgets", "tqdm"]
TOOLS = ["jupyterlab", "nbval", "pytest"]


def _numbers(version: str) -> tuple:
    return tuple(int(n) for n in re.findall(r"\d+", version.split("+")[0])[:3])


def minimum_versions() -> dict:
    """The lower bounds of requirements.txt (`name>=version`), else of the installed package's metadata."""
    path = REPO_ROOT / "requirements.txt"
    lines = path.read_text().splitlines() if path.exists() else metadata.requires("amld-dl-intro") or []
    bounds = {}
    for line in lines:
        match = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*>=\s*([\w.]+)", line)
        if match:
            bounds[match.group(1).lower()] = match.group(2)
    return bounds


def package_line(name: str, minimum: str | None) -> tuple[str, bool]:
    """One report line for package `name`, and whether it imports and is recent enough."""
    try:
        version = metadata.version(name)
        importlib.import_module(name)
    except metadata.PackageNotFoundError:
        return f"{name:12s} MISSING        (needs >= {minimum})", False
    except Exception as error:  # installed but broken, e.g. a torchvision built for another torch
        return f"{name:12s} BROKEN         ({type(error).__name__}: {error})", False
    ok = minimum is None or _numbers(version) >= _numbers(minimum)
    return f"{name:12s} {version:14s} (needs >= {minimum}){'' if ok else '  TOO OLD'}", ok


def device_line() -> str:
    """The device the notebooks will use, or why it cannot be told."""
    try:
        from .config import device_name, get_device

        device = get_device()
        line = f"{device.type} - {device_name(device)}"
        return line if device.type != "cpu" else line + " (no GPU found: fine for all notebooks but slower)"
    except Exception as error:  # torch missing or broken: already reported above
        return f"unknown ({type(error).__name__}: {error})"


def mnist_line() -> str:
    """Whether MNIST is present and intact in the data folder."""
    try:
        from .config import data_root, shown_path
        from .data import MNIST_FILES, _check_mnist_files
    except Exception as error:  # torch missing or broken: already reported above
        return f"unknown ({type(error).__name__}: {error})"
    raw = data_root() / "MNIST" / "raw"
    if not all((raw / name).exists() for name in MNIST_FILES):
        return f"not in {shown_path(raw)} (downloaded on first use; offline: see the README)"
    try:
        _check_mnist_files(raw)
    except Exception as error:
        return f"CORRUPT: {error}"
    return f"present in {shown_path(raw)}"


def main() -> int:
    bounds = minimum_versions()
    python_ok = sys.version_info[:2] >= MIN_PYTHON
    print(f"python       {platform.python_version():14s} (needs >= {'.'.join(map(str, MIN_PYTHON))})"
          f"{'' if python_ok else '  TOO OLD'}")
    missing = [] if python_ok else ["python"]
    for name in REQUIRED + TOOLS:
        line, ok = package_line(name, bounds.get(name))
        print(line)
        if not ok:
            missing.append(name)
    print(f"device       {device_line()}")
    print(f"MNIST        {mnist_line()}")
    blocking = [name for name in missing if name not in TOOLS]
    if blocking:
        print(f"verdict: NOT READY - missing or too old: {', '.join(blocking)}; run `pip install -r requirements.txt`")
        return 1
    if missing:
        print(f"verdict: READY for the notebooks; `make test`/`make lab` also need: {', '.join(missing)}")
    else:
        print("verdict: READY - everything the lecture needs is here")
    return 0


if __name__ == "__main__":
    sys.exit(main())
