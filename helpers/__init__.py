"""Small helpers shared by the lecture's notebooks: settings, data, plots, exercise checks.

Importing it does nothing else."""

try:
    from . import exercise, plot, runs
    from .config import (
        SettingsError,
        data_root,
        device_name,
        free_memory,
        get_device,
        quick_mode,
        results_dir,
        seed_everything,
        setup,
    )
    from .data import DataError, load_blood_pressure, load_mnist, make_polynomial_data, phi
except ModuleNotFoundError as _error:  # torch or another dependency is missing: say what to do on first use
    _missing = _error.name

    def __getattr__(name):
        raise ModuleNotFoundError(f"helpers needs {_missing!r}, which is not installed: run "
                                  "`pip install -r requirements.txt`, then `python -m helpers.check`")

__all__ = [
    "DataError", "SettingsError", "data_root", "device_name", "exercise", "free_memory", "get_device",
    "load_blood_pressure", "load_mnist", "make_polynomial_data", "phi", "plot", "quick_mode", "results_dir",
    "runs", "seed_everything", "setup",
]
