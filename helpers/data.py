"""The lecture's data sets as plain tensors in memory: MNIST, blood pressure vs age, polynomial toy data."""

import contextlib
import csv
import io
import shutil
import socket
import tempfile
from importlib import resources
from pathlib import Path

import torch

from .config import data_root

# The four files of MNIST in torchvision's layout (<root>/MNIST/raw/), with their exact sizes in bytes.
MNIST_FILES = {
    "train-images-idx3-ubyte": 47_040_016,
    "train-labels-idx1-ubyte": 60_008,
    "t10k-images-idx3-ubyte": 7_840_016,
    "t10k-labels-idx1-ubyte": 10_008,
}
_MAGIC = {"images": b"\x00\x00\x08\x03", "labels": b"\x00\x00\x08\x01"}
DOWNLOAD_TIMEOUT = 15  # seconds to wait on a silent mirror before giving up on it


class DataError(RuntimeError):
    """A data set is missing, cannot be downloaded, or is corrupt. The message says what to do."""


def _how_to_get(raw: Path) -> str:
    files = "\n".join(f"    {raw / name}" for name in MNIST_FILES)
    return (
        f"MNIST expects these four files:\n{files}\n"
        "To get them: run once on a machine with internet (they are downloaded there automatically), "
        "or copy the four files (decompressed, no .gz) into that folder, "
        "or set AMLD_DATA to a folder that already holds MNIST/raw/."
    )


def _check_mnist_files(raw: Path) -> None:
    """Raise DataError if a file of MNIST is truncated or has the wrong header."""
    for name, size in MNIST_FILES.items():
        path = raw / name
        actual = path.stat().st_size
        with open(path, "rb") as f:
            magic = f.read(4)
        if actual != size or magic != _MAGIC["images" if "images" in name else "labels"]:
            raise DataError(
                f"{path} is truncated or corrupt ({actual:,} bytes, expected {size:,} with an IDX header). "
                "Delete it and run again to download it afresh, or copy a good file there."
            )


def _download_mnist(raw: Path) -> None:
    """Download MNIST with torchvision into a temporary folder, then move the files into `raw`.

    A failed or interrupted download leaves nothing in `raw`, so it cannot poison the next attempt.
    """
    from torchvision.datasets import MNIST

    raw.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".mnist-download-", dir=raw.parent))
    old_timeout = socket.getdefaulttimeout()
    log = io.StringIO()
    try:
        socket.setdefaulttimeout(DOWNLOAD_TIMEOUT)
        with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
            MNIST(tmp, train=True, download=True)
        for name in MNIST_FILES:
            (tmp / "MNIST" / "raw" / name).replace(raw / name)
    except Exception as error:  # urllib, socket, gzip errors: reported in one short message
        lines = [line for line in str(error).splitlines() if line.strip()]
        reason = (lines[-1] if lines else type(error).__name__)[:200]
        raise DataError(
            f"MNIST is not in {raw} and could not be downloaded ({reason}).\n{_how_to_get(raw)}"
        ) from None
    finally:
        socket.setdefaulttimeout(old_timeout)
        shutil.rmtree(tmp, ignore_errors=True)


def load_mnist(n_train=None, n_test=None, normalize=False, device="cpu", root=None, download=True):
    """MNIST as tensors in memory: `train_input, train_target, test_input, test_target`.

    Images are float32 `N x 1 x 28 x 28` with pixels in [0, 1]; labels are int64.
    `n_train`, `n_test`: keep the first n images of each set (default: all 60,000 and 10,000).
    `normalize`: subtract the mean and divide by the std of the *training* images (one scalar each),
    applied to both sets, as on the lecture's slide.
    `device`: where to put the tensors. `root`: the data folder (default: `helpers.data_root()`).
    Raises DataError, with what to do, when the files are missing and cannot be downloaded, or corrupt.
    """
    from torchvision.datasets import MNIST

    root = Path(root) if root is not None else data_root()
    raw = root / "MNIST" / "raw"
    if not all((raw / name).exists() for name in MNIST_FILES):
        if not download:
            raise DataError(f"MNIST is not in {raw}.\n{_how_to_get(raw)}")
        _download_mnist(raw)
    _check_mnist_files(raw)
    sets = [MNIST(root, train=train, download=False) for train in (True, False)]
    tensors = []
    for data_set, n in zip(sets, (n_train, n_test), strict=True):
        if n is not None and not 0 < n <= len(data_set.data):
            raise ValueError(f"asked for {n} images, but this set has between 1 and {len(data_set.data)}")
        images = data_set.data[:n].unsqueeze(1).float().div_(255)
        tensors += [images.to(device), data_set.targets[:n].to(device)]
    if normalize:
        mu, std = tensors[0].mean(), tensors[0].std()
        tensors[0].sub_(mu).div_(std)
        tensors[2].sub_(mu).div_(std)
    return tuple(tensors)


def load_blood_pressure():
    """Age (years) and systolic blood pressure (mmHg) of 30 people, as two float64 tensors.

    Source: Kleinbaum et al., Applied Regression Analysis and Other Multivariable Methods, Table 5.1,
    as used in F. Fleuret's lecture.
    """
    text = resources.files("helpers").joinpath("blood_pressure.csv").read_text()
    rows = [row for row in csv.reader(text.splitlines()) if row and not row[0].startswith("#")]
    values = torch.tensor([[float(v) for v in row] for row in rows[1:]], dtype=torch.float64)
    return values[:, 0], values[:, 1]


def phi(x):
    """The true function of the capacity lecture: |(|x - 0.4| - 0.2)| + x/2 - 0.1."""
    return ((x - 0.4).abs() - 0.2).abs() + x / 2 - 0.1


def make_polynomial_data(n, noise_std=0.05, seed=0, n_test=1000):
    """The toy regression task of the capacity lecture, float64: `x_train, y_train, x_test, y_test`.

    `n` training points with x uniform on [0, 1] and y = phi(x) + Gaussian noise of std `noise_std`,
    drawn from `seed`; the test set is a dense noise-free grid of `n_test` points on [0, 1].
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    generator = torch.Generator().manual_seed(seed)
    x = torch.rand(n, generator=generator, dtype=torch.float64)
    y = phi(x) + noise_std * torch.randn(n, generator=generator, dtype=torch.float64)
    x_test = torch.linspace(0, 1, n_test, dtype=torch.float64)
    return x, y, x_test, phi(x_test)
