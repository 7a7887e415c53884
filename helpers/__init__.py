"""Small helpers shared by the lecture's notebooks: settings, data, plots. Importing it does nothing else."""

from . import plot
from .config import SettingsError, data_root, device_name, get_device, quick_mode, seed_everything, setup
from .data import DataError, load_blood_pressure, load_mnist, make_polynomial_data, phi

__all__ = [
    "DataError", "SettingsError", "data_root", "device_name", "get_device", "load_blood_pressure",
    "load_mnist", "make_polynomial_data", "phi", "plot", "quick_mode", "seed_everything", "setup",
]
