"""Notebook 04 trains many seeds at once on a GPU: that must be the very training of each seed on its own.

The notebook's own cells tagged "training" (Net, new_model, train_model, wrong_answers) run here on the CPU,
with `helpers.runs.train_together`, which the notebook calls on a GPU: seeds 0, 1 and 2 trained together must
end with the parameters and the test errors of the same seeds trained one by one by the notebook's
`train_model`, at quick mode's sizes (5,000 training images, 1 epoch of 50 SGD steps, 1,000 test images). The
comparison must also be able to fail: it is repeated with the loss averaged over the networks instead of
summed, and with two seeds swapped, and both must be caught.

The comparison runs the notebook's code in float64 (Net built under torch.set_default_dtype). In float32,
two computations of the same training that differ only in rounding drift apart within a few steps: a max-pool
window whose values tie (the blank background) passes its gradient to one position or another depending on
the last bit, and the first SGD steps at lr 0.1 amplify every difference. Measured here in float32, together
against alone: 2e-7 of the parameters' scale after 10 steps on one normalisation of the data, 2e-3 after 3
steps on another; one network in NCHW against the same in channels last: 35% after 30 steps. In float64 the
same code agrees to 1e-14 after the 50 steps, for either normalisation, so that is where "the same training"
can be checked to the digit.
"""

import inspect
import json
from pathlib import Path

import pytest
import torch
from torch.nn import functional as F

import helpers
from helpers import runs

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "04-evaluation-protocol.ipynb"
SEEDS = [0, 1, 2]
SUM_OVER_NETWORKS = 'reduction="sum") / len(target)'


def training_code():
    """The sources of the notebook's code cells tagged "training", in order."""
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return ["".join(c["source"]) for c in cells if "training" in c["metadata"].get("tags", [])]


SETTINGS = {"lr": 0.1, "batch_size": 100, "nb_epochs": 1}  # quick mode's


def notebook_functions(sources):
    """Run the tagged cells with quick mode's settings on the CPU; return their namespace."""
    namespace = {"device": torch.device("cpu"), **SETTINGS}
    exec("import torch\nfrom torch import nn\nfrom torch.nn import functional as F", namespace)
    for source in sources:
        exec(compile(source, f"{NOTEBOOK.name}, a cell tagged 'training'", "exec"), namespace)
    return namespace


def together(nb, seeds, data, train_together=runs.train_together):
    """The seeds trained at once, as the notebook calls helpers.runs.train_together on a GPU."""
    return train_together(nb["new_model"], seeds, *data[:2], SETTINGS["nb_epochs"], SETTINGS["batch_size"],
                          SETTINGS["lr"])


TOLERANCE = 1e-9  # of a parameter's scale, in float64


@pytest.fixture(scope="module")
def data():
    """Quick mode's data in float64; Net() is built in float64 while the module's tests run."""
    train_input, train_target, test_input, test_target = helpers.load_mnist(5_000, 1_000, normalize=True)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield train_input.double(), train_target, test_input.double(), test_target
    torch.set_default_dtype(previous)


@pytest.fixture(scope="module")
def one_by_one(data):
    nb = notebook_functions(training_code())
    models = []
    for seed in SEEDS:
        models.append(nb["new_model"](seed))
        nb["train_model"](models[-1], *data[:2])
    return nb, models


def largest_difference(together, alone):
    """The largest difference of a parameter between the two lists of networks, relative to its scale."""
    return max(((p - q).abs().max() / q.abs().max()).item()
               for a, b in zip(together, alone, strict=True)
               for p, q in zip(a.parameters(), b.parameters(), strict=True))


def test_the_cells_are_there():
    sources = training_code()
    assert len(sources) == 3, "cells tagged 'training' have moved"
    for name in ("class Net", "def new_model", "def train_model", "def wrong_answers"):
        assert sum(name in source for source in sources) == 1, f"{name} is not in one cell tagged 'training'"
    assert "x.view(-1, 256)" in sources[0], "the network is slide 42's, in the default layout"
    assert SUM_OVER_NETWORKS in inspect.getsource(runs.train_together), \
        "the loss of train_together is no longer written as this test expects"
    notebook = json.loads(NOTEBOOK.read_text())["cells"]
    assert any("helpers.runs.train_together(new_model, seeds," in "".join(c["source"]) for c in notebook), \
        "the notebook no longer trains the seeds together with helpers.runs.train_together"


def test_together_is_each_seed_on_its_own(data, one_by_one):
    nb, alone = one_by_one
    batched = together(nb, SEEDS, data)
    assert all(p.dtype == torch.float64 for model in batched + alone for p in model.parameters())
    worst = largest_difference(batched, alone)
    assert worst < TOLERANCE, f"parameters differ by up to {worst:.1e} of their scale"
    mistakes = [[nb["wrong_answers"](m, *data[2:]).sum().item() for m in models] for models in (batched, alone)]
    assert mistakes[0] == mistakes[1], f"test mistakes together {mistakes[0]}, one by one {mistakes[1]}"
    assert len(set(mistakes[1])) > 1, "the three seeds should give three different networks"


def test_averaging_the_loss_over_the_networks_is_caught(data, one_by_one):
    nb, alone = one_by_one
    source = inspect.getsource(runs.train_together).replace(SUM_OVER_NETWORKS, 'reduction="mean")')
    namespace = {"torch": torch, "F": F}
    exec(compile(source, "train_together, its loss averaged", "exec"), namespace)
    worst = largest_difference(together(nb, SEEDS, data, namespace["train_together"]), alone)
    assert worst > 1e-3, f"an averaged loss went unnoticed: parameters differ by only {worst:.1e}"


def test_swapped_seeds_are_caught(data, one_by_one):
    nb, alone = one_by_one
    worst = largest_difference(together(nb, [1, 0, 2], data), alone)
    assert worst > 1e-3, f"swapped seeds went unnoticed: parameters differ by only {worst:.1e}"
