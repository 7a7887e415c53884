"""helpers.runs: the results file of notebook 04 (append, read back, skip a torn line), the key of a run, and
`run_seeds`, which trains only the seeds that the file lacks.

A run is re-used only if its configuration, which holds a fingerprint of the code that trains, is the same:
editing `Net` or the training loop (on a GPU, `train_together`) must change the key, and re-running unchanged
code must not.
"""

import importlib.util
import inspect
import json
from pathlib import Path
from types import SimpleNamespace

import torch
from torch.nn import functional as F

import helpers
from helpers import runs

NET = '''
import torch
from torch import nn
from torch.nn import functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, kernel_size=5)
        self.fc = nn.Linear(32 * 24 * 24, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        return self.fc(x.view(x.size(0), -1))


def train_model(model, lr=0.1):
    return torch.optim.SGD(model.parameters(), lr=lr)
'''
NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "04-evaluation-protocol.ipynb"


def load(tmp_path, name, source):
    """Import `source` as a module from its own file (as a notebook cell, it has a file that holds its source)."""
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fingerprint(module):
    return runs.code_fingerprint(module.Net, module.train_model)


def test_the_same_code_gives_the_same_key(tmp_path):
    first, again = load(tmp_path, "first", NET), load(tmp_path, "again", "\n\n# moved down, in another file\n" + NET)
    assert fingerprint(first) == fingerprint(again), "unchanged code must find its old runs"
    assert fingerprint(first) == fingerprint(first)
    assert len(fingerprint(first)) == 12 and int(fingerprint(first), 16) >= 0


def test_editing_the_network_changes_the_key(tmp_path):
    original = fingerprint(load(tmp_path, "original", NET))
    edits = {"a layer": NET.replace("kernel_size=5", "kernel_size=3"),
             "forward": NET.replace("F.relu(self.conv1(x))", "torch.tanh(self.conv1(x))"),
             "the training loop": NET.replace("lr=0.1", "lr=0.01")}
    for i, (what, source) in enumerate(edits.items()):
        assert source != NET
        assert fingerprint(load(tmp_path, f"edit{i}", source)) != original, f"editing {what} kept the key"


def test_code_without_a_source_file_is_fingerprinted_too():
    """exec() of a string (as a script reading the notebook's cells) has no source: the bytecode stands in."""
    def define(source):
        namespace = {}
        exec(compile(source, "<no file>", "exec"), namespace)
        return runs.code_fingerprint(namespace["Net"], namespace["train_model"])

    assert define(NET) == define(NET)
    assert define(NET.replace("F.relu(self.conv1(x))", "torch.tanh(self.conv1(x))")) != define(NET)


def notebook_bookkeeping(device_type):
    """The namespace after the notebook's bookkeeping cell has run on a CPU ("cpu") or on an NVIDIA GPU ("cuda"):
    its `trains`, `together`, `code` and `config`. The cells tagged "training" and `one_run` run first (without
    their data: nothing is trained here), so their code is fingerprinted from its bytecode."""
    cells = [c for c in json.loads(NOTEBOOK.read_text())["cells"] if c["cell_type"] == "code"]
    sources = ["".join(c["source"]) for c in cells]
    training = [s for s, c in zip(sources, cells, strict=True) if "training" in c["metadata"].get("tags", [])]
    one_run = next(s for s in sources if "def one_run(" in s)
    bookkeeping = next(s for s in sources if "def together(" in s)
    namespace = {"device": SimpleNamespace(type=device_type), "helpers": helpers, "n_train": 5_000, "n_test": 1_000,
                 "nb_epochs": 1, "lr": 0.1, "batch_size": 100, "QUICK": True}
    exec("import torch\nfrom torch import nn\nfrom torch.nn import functional as F", namespace)
    for source in training + [one_run[one_run.index("def one_run("):], bookkeeping]:
        exec(compile(source, "a cell of notebook 04", "exec"), namespace)
    return namespace


def test_the_notebook_files_its_runs_under_the_fingerprint_of_the_code_that_trains(tmp_path, monkeypatch, capsys):
    """Without a GPU, slide 42's loop trains: the key is that of Net, new_model, train_model, wrong_answers and
    one_run (the runs stored under it stay valid). On a GPU, `together` and helpers.runs.train_together train in
    place of train_model: they are in the key too, and editing either trains afresh."""
    monkeypatch.setenv("AMLD_RESULTS", str(tmp_path))  # the cell finds (and checks) its results folder
    cpu, gpu = notebook_bookkeeping("cpu"), notebook_bookkeeping("cuda")
    slide = [cpu[name] for name in ("Net", "new_model", "train_model", "wrong_answers", "one_run")]
    assert cpu["together"] is None and cpu["trains"] == slide and cpu["code"] == runs.code_fingerprint(*slide)
    assert cpu["config"]["code"] == cpu["code"], "the fingerprint must be part of the configuration that keys a run"
    assert callable(gpu["together"]) and gpu["trains"][-2:] == [gpu["together"], runs.train_together]
    assert gpu["config"]["code"] == gpu["code"] != cpu["code"], "runs trained together must have a key of their own"
    out = capsys.readouterr().out
    assert "wrong_answers and one_run\n" in out and "one_run, together and train_together\n" in out

    source = inspect.getsource(runs.train_together)

    def key_with(train_together):
        namespace = {"torch": torch, "F": F}
        exec(compile(train_together, "train_together, edited", "exec"), namespace)
        monkeypatch.setattr(runs, "train_together", namespace["train_together"])
        return notebook_bookkeeping("cuda")["code"]

    assert "lr=lr)" in source, "train_together has changed: update this test's edit"
    assert key_with(source) == key_with(source), "unchanged code must find its old runs"
    assert key_with(source.replace("lr=lr)", "lr=lr / 2)")) != key_with(source), "editing train_together kept the key"


def test_append_then_load_and_a_torn_line_is_skipped(tmp_path):
    path = tmp_path / "runs.jsonl"
    config = {"experiment": "test", "code": "abc"}
    assert runs.finished_runs(path, config) == ({}, 0), "no file yet: no runs"
    assert runs.append_run(path, {**config, "seed": 0, "test_error": 0.01}) is None
    with open(path, "a") as f:
        f.write('{"experiment": "test", "se')  # a writer killed in the middle of its line
    assert runs.append_run(path, {**config, "seed": 1, "test_error": 0.02}) is None
    lines = path.read_text().splitlines()
    assert len(lines) == 3 and lines[1] == '{"experiment": "test", "se', "the torn line stays on a line of its own"
    loaded, torn = runs.finished_runs(path, config)
    assert sorted(loaded) == [0, 1] and torn == 1


def test_finished_runs_keeps_one_configuration_and_the_first_line_of_a_seed(tmp_path):
    path = tmp_path / "runs.jsonl"
    config = {"experiment": "test", "code": "abc"}
    for run in [{**config, "seed": 0, "test_error": 0.01}, {**config, "code": "edited", "seed": 1, "test_error": 0.5},
                {**config, "seed": 0, "test_error": 0.99}, {**config, "seed": 2, "test_error": 0.03}]:
        runs.append_run(path, run)
    done, torn = runs.finished_runs(path, config)
    assert sorted(done) == [0, 2] and torn == 0, "a run of other code is not one of these runs"
    assert done[0]["test_error"] == 0.01, "a seed written twice counts once, with its first line"


def test_append_says_why_a_run_could_not_be_written(tmp_path):
    error = runs.append_run(tmp_path, {"seed": 0})  # a folder, not a file: open() fails
    assert isinstance(error, OSError)


class FakeTraining:
    """Stands in for the notebook's training: seed s gets test images s and s + 1 wrong, out of 5."""

    def __init__(self):
        self.trained = []

    def one_run(self, seed, on_epoch=None):
        self.trained.append(seed)
        on_epoch(1)
        return torch.isin(torch.arange(5), torch.tensor([seed, seed + 1]))

    def together(self, seeds, on_epoch=None):
        return [self.one_run(seed, on_epoch) for seed in seeds]


def test_run_seeds_trains_only_what_the_file_lacks_and_files_what_it_trains(tmp_path, capsys):
    path, config = tmp_path / "runs.jsonl", {"experiment": "test", "epochs": 1, "code": "abc"}
    fake = FakeTraining()
    done = runs.run_seeds(path, config, range(3), fake.one_run)
    assert fake.trained == [0, 1, 2] and sorted(done) == [0, 1, 2]
    assert done[2]["wrong_images"] == [2, 3] and done[2]["test_error"] == 0.4 and done[2]["trained_with"] == 1
    assert done[0]["experiment"] == "test" and done[0]["device"].startswith("cpu") and done[0]["versions"]["torch"]
    assert runs.finished_runs(path, config) == (done, 0), "a run survives the trip through the file unchanged"
    again = runs.run_seeds(path, config, range(4), fake.one_run, together=fake.together, group=2)
    assert fake.trained == [0, 1, 2, 3], "only seed 3, which the file lacked, is trained"
    assert again[3]["trained_with"] == 1 and {seed: again[seed] for seed in range(3)} == done
    out = capsys.readouterr().out
    assert "reused 0 finished runs, trained 3 new" in out and "reused 3 finished runs, trained 1 new" in out


def test_run_seeds_trains_groups_together_and_says_what_it_could_not_save(tmp_path, capsys):
    fake = FakeTraining()
    path = tmp_path / "no such folder" / "runs.jsonl"  # open() fails: nothing can be written there
    done = runs.run_seeds(path, {"epochs": 1}, range(5), fake.one_run, together=fake.together, group=2)
    assert sorted(done) == list(range(5)) and [done[s]["trained_with"] for s in range(5)] == [2, 2, 2, 2, 1]
    assert "NOT SAVED: 5 run(s) (No such file or directory)" in capsys.readouterr().out


def test_the_bytecode_fingerprint_holds_no_memory_address():
    """A nested function (a comprehension, a lambda) is a code object: its repr holds an address, that changes."""
    source = "def train_model(xs):\n    return [x + 1 for x in xs], (lambda y: y)\n"
    fingerprints = set()
    for _ in range(3):
        namespace = {}
        exec(compile(source, "<no file>", "exec"), namespace)
        fingerprints.add(runs.code_fingerprint(namespace["train_model"]))
    assert len(fingerprints) == 1
