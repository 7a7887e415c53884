"""Notebook 04 keeps every finished run in a results file: a second execution trains nothing and says the same.

The notebook runs twice in quick mode (conftest.py sets AMLD_QUICK=1), in a fresh kernel of this Python, with
AMLD_DATA pointing at a temporary folder that links to the MNIST files, so the results file starts empty.
Between the two executions a torn line is appended to the results file, as a run killed while writing leaves it.
"""

import json
import re
from pathlib import Path

import pytest

import helpers

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "04-evaluation-protocol.ipynb"
BUDGET = re.compile(r"budget\s*: .*?seeds 0-(\d+),")
COUNTS = re.compile(r"reused (\d+) finished runs, trained (\d+) new")
SUMMARY = re.compile(r"here: (\d+) runs, \d+ epochs?\s+([\d.]+)%\s+([\d.]+)%\s+([\d.]+)%")
TORN = '{"experiment": "slide42-seeds", "n_train": 5'  # the start of a line whose writer was killed


def execute():
    """Run the notebook top to bottom in a new python3 kernel (cwd notebooks/); return all it printed."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=120,
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()  # raises CellExecutionError if any cell fails, its asserts included
    return "".join(output.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                   for output in cell.outputs if output.get("name") == "stdout")


def one_match(pattern, text):
    matches = pattern.findall(text)
    assert len(matches) == 1, f"expected one line matching {pattern.pattern!r}, found {matches}"
    return matches[0]


def valid_runs(path):
    runs = []
    for line in path.read_text().splitlines():
        try:
            runs.append(json.loads(line))
        except json.JSONDecodeError:
            pass
    return runs


@pytest.fixture
def data_root(tmp_path, monkeypatch):
    """A fresh data root holding only a link to this machine's MNIST files; the kernel inherits AMLD_DATA."""
    helpers.load_mnist(n_train=1, n_test=1)  # MNIST is here (downloaded if need be), or a clear DataError
    (tmp_path / "MNIST").mkdir()
    (tmp_path / "MNIST" / "raw").symlink_to(helpers.data_root() / "MNIST" / "raw", target_is_directory=True)
    monkeypatch.setenv("AMLD_DATA", str(tmp_path))
    monkeypatch.setenv("AMLD_QUICK", "1")
    return tmp_path


def test_second_execution_trains_nothing_and_reports_the_same(data_root):
    results = data_root / "results" / "04-seed-runs.jsonl"

    first = execute()
    n_seeds = int(one_match(BUDGET, first)) + 1
    assert n_seeds >= 2, f"quick mode should still run a few seeds, got {n_seeds}"
    assert one_match(COUNTS, first) == ("0", str(n_seeds)), "the first execution starts from an empty results file"
    runs = valid_runs(results)
    assert len(runs) == n_seeds == len(results.read_text().splitlines()), "one whole line per finished run"
    assert sorted(run["seed"] for run in runs) == list(range(n_seeds))
    for run in runs:
        assert run["mode"] == "quick" and run["epochs"] >= 1 and run["lr"] == 0.1 and run["batch_size"] == 100
        assert 0 <= run["test_error"] <= 1 and run["seconds"] >= 0
        assert run["device"] and run["versions"]["torch"] and run["finished"]
    summary = one_match(SUMMARY, first)
    assert summary[0] == str(n_seeds)

    with open(results, "a") as f:  # a run killed in the middle of writing its line
        f.write(TORN)

    second = execute()
    assert one_match(COUNTS, second) == (str(n_seeds), "0"), "the second execution must re-use every run"
    assert "1 torn line skipped" in second
    assert one_match(SUMMARY, second) == summary, "worst / median / best must be the same numbers"
    assert valid_runs(results) == runs, "the results file must still hold exactly the same runs"
    assert TORN in results.read_text().splitlines(), "the torn line stays apart, on a line of its own"
