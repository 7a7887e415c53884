"""Settings of the lecture, read from the environment in one place, and the device choice.

`AMLD_QUICK` (`1`: smoke mode, tiny data and few epochs, used by tests; default off), `AMLD_DATA` (the folder that
holds the data sets, `MNIST/raw/...`; default `data/` in the repository) and `AMLD_RESULTS` (the folder for what
notebooks write, notebook 04's runs; default the data root's `results/`, or a cache folder if that is read-only).
Nothing here runs on import: every function reads the environment when it is called.
"""

import contextlib
import ctypes
import gc
import os
import platform
import random
import tempfile
from pathlib import Path

import numpy as np
import torch

REPO_ROOT = Path(__file__).resolve().parent.parent
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


class SettingsError(ValueError):
    """An environment variable of the lecture has a value we do not understand."""


def quick_mode() -> bool:
    """True when `AMLD_QUICK` asks for smoke mode (tiny data, one epoch, few seeds)."""
    value = os.environ.get("AMLD_QUICK", "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingsError(
        f"AMLD_QUICK={os.environ['AMLD_QUICK']!r} is not understood: use 1 (quick smoke mode) or 0 (full lecture)."
    )


def data_root() -> Path:
    """The folder that holds the data sets: `AMLD_DATA` if set, else `data/` at the repository root."""
    value = os.environ.get("AMLD_DATA", "").strip()
    if value:
        return Path(value).expanduser().resolve()
    if (REPO_ROOT / "pyproject.toml").exists():  # installed from a checkout (pip install -e .)
        return REPO_ROOT / "data"
    return Path.cwd() / "data"  # installed as a plain package, e.g. on Colab


def results_dir() -> Path:
    """The folder for what notebooks write (notebook 04's runs), made if missing and checked to be writable:
    `AMLD_RESULTS` if set; else `results/` in the data root; else, when the data are shared read-only (as on
    many class servers), `amld-dl-intro/results` in the user's cache folder."""
    value = os.environ.get("AMLD_RESULTS", "").strip()
    cache = Path(os.environ.get("XDG_CACHE_HOME", "").strip() or Path.home() / ".cache") / "amld-dl-intro"
    candidates = [Path(value).expanduser().resolve()] if value else [data_root() / "results", cache / "results"]
    for folder in candidates:
        try:  # tried for real: permission bits say nothing to root, nor to a read-only mount
            folder.mkdir(parents=True, exist_ok=True)
            tempfile.TemporaryFile(dir=folder).close()
            return folder
        except OSError:
            pass
    tried = " nor in ".join(shown_path(folder) for folder in candidates)
    raise SettingsError(f"Cannot write results in {tried}: set AMLD_RESULTS to a folder you can write.")


def get_device() -> torch.device:
    """The fastest device available: CUDA, else Apple's MPS, else the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def device_name(device: torch.device) -> str:
    """A readable name for `device`: the GPU model, or the CPU with its core count."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    if device.type == "mps":
        return "Apple GPU (MPS)"
    return f"CPU ({os.cpu_count()} cores, {platform.machine()})"


def seed_everything(seed: int) -> None:
    """Seed Python's `random`, NumPy and PyTorch (all devices) with `seed`."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def free_memory() -> None:
    """Give the memory of tensors no longer used back to the system now. glibc (Linux) otherwise keeps it for reuse,
    and a kernel that builds large networks one after another grows by each one (Binder stops it above 2 GB)."""
    gc.collect()
    if platform.system() == "Linux":
        with contextlib.suppress(OSError, AttributeError):  # another C library (musl) has no malloc_trim
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def shown_path(path: Path) -> str:
    """`path` as printed in a notebook: relative to the repository when inside it, else with `~` for home."""
    path = Path(path)
    try:
        return str(path.relative_to(REPO_ROOT)) + "/ (in the repository)"
    except ValueError:
        pass
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)


def setup(seed: int = 0) -> torch.device:
    """Start a notebook: seed everything, apply the plot style, print the settings, return the device.

    The printed block says which device, mode, data folder, seed and library versions this run uses.
    """
    from importlib.metadata import version

    from .plot import use_style

    quick = quick_mode()
    device = get_device()
    seed_everything(seed)
    use_style()
    mode = "QUICK (smoke test: tiny data, few epochs)" if quick else "full lecture"
    print(f"device     : {device.type} - {device_name(device)}")
    print(f"mode       : {mode}")
    print(f"data root  : {shown_path(data_root())}")
    print(f"seed       : {seed}")
    print(f"versions   : Python {platform.python_version()}, torch {torch.__version__}, "
          f"torchvision {version('torchvision')}")
    return device
