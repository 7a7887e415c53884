import socket
import time

import pytest
import torch
from torchvision.datasets import MNIST

import helpers
from helpers import data

# Facts about the genuine MNIST files (LeCun, Cortes, Burges).
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


@pytest.fixture(scope="module")
def mnist():
    return helpers.load_mnist()


def test_mnist_shapes_dtypes_and_known_facts(mnist):
    train_input, train_target, test_input, test_target = mnist
    assert train_input.shape == (60000, 1, 28, 28) and test_input.shape == (10000, 1, 28, 28)
    assert train_input.dtype == test_input.dtype == torch.float32
    assert train_target.dtype == test_target.dtype == torch.int64
    assert 0 <= train_input.min() and train_input.max() <= 1
    assert train_input.mean().item() == pytest.approx(0.1307, abs=1e-4)
    assert train_input.std().item() == pytest.approx(0.3081, abs=1e-4)
    assert train_target.bincount().tolist() == TRAIN_COUNTS
    assert train_target[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert test_target[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


def test_mnist_subset_takes_the_first_images(mnist):
    small = helpers.load_mnist(n_train=1000, n_test=200)
    assert [len(t) for t in small] == [1000, 1000, 200, 200]
    assert torch.equal(small[0], mnist[0][:1000]) and torch.equal(small[3], mnist[3][:200])


@pytest.mark.parametrize("n", [0, 60001, -5])
def test_mnist_bad_subset_size_is_a_clear_error(n):
    with pytest.raises(ValueError, match="between 1 and 60000"):
        helpers.load_mnist(n_train=n)


def test_mnist_normalisation_uses_training_statistics(mnist):
    train_input, _, test_input, _ = helpers.load_mnist(normalize=True)
    assert train_input.mean().item() == pytest.approx(0, abs=1e-4)
    assert train_input.std().item() == pytest.approx(1, abs=1e-4)
    mu, std = mnist[0].mean(), mnist[0].std()
    assert torch.allclose(test_input, (mnist[2] - mu) / std, atol=1e-5)  # test set: the *training* mu, std


def test_mnist_device_option(mnist):
    train_input, *_ = helpers.load_mnist(n_train=10, n_test=10, device="cpu")
    assert train_input.device.type == "cpu"
    if torch.cuda.is_available():
        assert helpers.load_mnist(n_train=10, n_test=10, device="cuda")[0].is_cuda


def _write_fake_mnist(raw, truncate=None):
    """Files with the right IDX headers and sizes (zero pixels): enough to test the checks."""
    raw.mkdir(parents=True, exist_ok=True)
    for name, size in data.MNIST_FILES.items():
        n = 60000 if name.startswith("train") else 10000
        header = (b"\x00\x00\x08\x03" + n.to_bytes(4, "big") + (28).to_bytes(4, "big") * 2 if "images" in name
                  else b"\x00\x00\x08\x01" + n.to_bytes(4, "big"))
        body = bytes(size - len(header))
        (raw / name).write_bytes((header + body)[: truncate if name == "train-images-idx3-ubyte" else None])


def test_truncated_file_is_reported_as_such(tmp_path):
    _write_fake_mnist(tmp_path / "MNIST" / "raw", truncate=1_000_000)
    with pytest.raises(helpers.DataError, match="train-images-idx3-ubyte is truncated or corrupt"):
        helpers.load_mnist(root=tmp_path)


def test_corrupt_header_is_reported(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    _write_fake_mnist(raw)
    path = raw / "t10k-labels-idx1-ubyte"
    path.write_bytes(b"junk" + path.read_bytes()[4:])
    with pytest.raises(helpers.DataError, match="t10k-labels-idx1-ubyte is truncated or corrupt"):
        helpers.load_mnist(root=tmp_path)


def test_fake_files_with_good_headers_load(tmp_path):
    _write_fake_mnist(tmp_path / "MNIST" / "raw")
    train_input, *_ = helpers.load_mnist(root=tmp_path, n_train=5, n_test=5)
    assert train_input.shape == (5, 1, 28, 28)


def _assert_offline_error(root, started):
    elapsed = time.monotonic() - started
    assert elapsed < 30, f"the offline error took {elapsed:.0f} s"
    raw = root / "MNIST" / "raw"
    assert list(raw.iterdir()) == [], "a failed download left files behind"
    assert [p.name for p in (root / "MNIST").iterdir()] == ["raw"], "a temporary folder was left behind"


def test_offline_with_empty_root_raises_the_package_error(tmp_path, monkeypatch):
    # A mirror that refuses connections stands for "no network" on any machine.
    monkeypatch.setattr(MNIST, "mirrors", ["http://127.0.0.1:9/"])
    monkeypatch.setenv("AMLD_DATA", str(tmp_path))
    started = time.monotonic()
    with pytest.raises(helpers.DataError) as info:
        helpers.load_mnist()
    message = str(info.value)
    assert str(tmp_path / "MNIST" / "raw") in message
    assert all(name in message for name in data.MNIST_FILES)
    assert "AMLD_DATA" in message and "internet" in message
    assert info.value.__suppress_context__, "the urllib traceback must not reach the user"
    _assert_offline_error(tmp_path, started)


def test_silent_mirror_gives_up_within_the_timeout(tmp_path, monkeypatch):
    # A server that accepts the connection and never answers: the download must not hang.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    port = server.getsockname()[1]
    monkeypatch.setattr(MNIST, "mirrors", [f"http://127.0.0.1:{port}/"])
    monkeypatch.setattr(data, "DOWNLOAD_TIMEOUT", 1)
    started = time.monotonic()
    try:
        with pytest.raises(helpers.DataError, match="could not be downloaded.*timed out"):
            helpers.load_mnist(root=tmp_path)
    finally:
        server.close()
    _assert_offline_error(tmp_path, started)
    assert socket.getdefaulttimeout() is None, "the socket timeout must be restored"


def test_no_download_option_reports_missing_files(tmp_path):
    with pytest.raises(helpers.DataError, match="MNIST is not in"):
        helpers.load_mnist(root=tmp_path, download=False)


def test_blood_pressure_table_and_its_least_squares_fit():
    age, pressure = helpers.load_blood_pressure()
    assert age.dtype == pressure.dtype == torch.float64 and len(age) == len(pressure) == 30
    assert (age[0].item(), pressure[0].item()) == (39, 144) and (age[1].item(), pressure[1].item()) == (47, 220)
    assert (age[-1].item(), pressure[-1].item()) == (69, 175)
    design = torch.stack([age, torch.ones_like(age)], dim=1)
    slope, intercept = torch.linalg.lstsq(design, pressure[:, None]).solution.ravel().tolist()
    assert slope == pytest.approx(0.97087, abs=1e-5) and intercept == pytest.approx(98.7147, abs=1e-4)


def test_polynomial_data_follows_phi_and_the_seed():
    x, y, x_test, y_test = helpers.make_polynomial_data(10, noise_std=0.1, seed=3)
    assert x.dtype == y.dtype == x_test.dtype == y_test.dtype == torch.float64
    assert x.shape == y.shape == (10,) and x_test.shape == y_test.shape == (1000,)
    assert 0 <= x.min() and x.max() <= 1
    assert torch.equal(x_test, torch.linspace(0, 1, 1000, dtype=torch.float64))
    assert torch.allclose(y_test, helpers.phi(x_test))
    # phi at a few points worked by hand: |(|x - 0.4| - 0.2)| + x/2 - 0.1
    assert helpers.phi(torch.tensor([0.0, 0.4, 1.0])).tolist() == pytest.approx([0.1, 0.3, 0.8])
    again = helpers.make_polynomial_data(10, noise_std=0.1, seed=3)
    other = helpers.make_polynomial_data(10, noise_std=0.1, seed=4)
    assert torch.equal(again[1], y) and not torch.equal(other[0], x)
    noiseless = helpers.make_polynomial_data(50, noise_std=0.0, seed=1)
    assert torch.allclose(noiseless[1], helpers.phi(noiseless[0]))
    with pytest.raises(ValueError, match="at least 1"):
        helpers.make_polynomial_data(0)
