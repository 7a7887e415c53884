"""Notebook 03's raw-pixel exercise: its check judges the student's model itself, so a wrong answer cannot pass.

The notebook's cells up to that check run once in quick mode (the other exercises and output-checked cells left
out); then each answer below fills the solution cell and the check runs after it. The right answer must get
"correct" on every line; an untrained network, a network trained on the normalised pixels, and the right
error_raw copied next to a wrong model must each get "not yet" where they are wrong.
"""

import os
from pathlib import Path

import nbclient
import nbformat
import pytest

from helpers.exercise import SOLUTION_MARKER

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "03-mnist-cnn-gpu.ipynb"
CHECK_OUTPUT = "# NBVAL_CHECK_OUTPUT"
NAMES = ("model_raw", "error_raw", "error_normalised")

UNTRAINED = """
helpers.seed_everything(0)
model_raw = Net().to(device)  # never trained
error_raw = error_rate(model_raw, test_input * std + mu, test_target)  # its own error, honestly computed
error_normalised = history["test_error"][0]
"""
TRAINED_ON_NORMALISED = """
helpers.seed_everything(0)
model_raw = Net().to(device)
train_epoch(model_raw, nn.CrossEntropyLoss(), optim.SGD(model_raw.parameters(), lr=1e-1), train_input, train_target,
            batch_size)  # the normalised pixels: not the exercise
error_raw = error_rate(model_raw, test_input * std + mu, test_target)
error_normalised = history["test_error"][0]
"""
COPIED_ERROR = """
helpers.seed_everything(0)
model_raw = Net().to(device)  # a wrong model next to the right error_raw, copied from the right answer's run
"""


def raw_exercise(cells):
    """The index of the raw-pixel exercise's solution cell (it sets model_raw) and of its check cell."""
    solution = next(i for i, c in enumerate(cells) if "solution" in c.metadata.get("tags", [])
                    and "model_raw" in c.source)
    check = next(i for i in range(solution + 1, len(cells)) if cells[i].cell_type == "code")
    assert cells[check].source.startswith(CHECK_OUTPUT), "the check cell follows the solution cell"
    return solution, check


def prefix(cells, solution):
    """The code cells before the solution cell that the exercise needs: no other exercise, no output check."""
    other_exercises = set()
    for i, cell in enumerate(cells[:solution]):
        if "solution" in cell.metadata.get("tags", []):
            other_exercises.add(i)
            other_exercises.add(next(j for j in range(i + 1, solution) if cells[j].cell_type == "code"))
    return [nbformat.v4.new_code_cell(c.source) for i, c in enumerate(cells[:solution])
            if c.cell_type == "code" and i not in other_exercises and not c.source.startswith(CHECK_OUTPUT)
            and "colab-install" not in c.metadata.get("tags", [])]


def verdicts(cell):
    """{answer name: the line its check printed}."""
    printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    lines = [line for line in printed.splitlines() if line.split(":")[0] in NAMES]
    return {line.split(":")[0]: line for line in lines}


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """Run the notebook's prefix once, then each answer and the check cell; return {answer: verdicts}."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    solution, check = raw_exercise(nb.cells)
    placeholder, right = nb.cells[solution].source.split(SOLUTION_MARKER)
    answers = {"placeholder": placeholder, "untrained": UNTRAINED,
               "trained on normalised pixels": TRAINED_ON_NORMALISED,
               "right": placeholder + right,  # after two wrong answers: none of their state leaks into its verdict
               "copied error_raw": COPIED_ERROR}  # keeps the right answer's error_raw
    cells = prefix(nb.cells, solution)
    runs = {}
    for name, source in answers.items():
        cells.append(nbformat.v4.new_code_cell(source))
        cells.append(nbformat.v4.new_code_cell(nb.cells[check].source))
        runs[name] = len(cells) - 1
    test_nb = nbformat.v4.new_notebook(cells=cells, metadata=nb.metadata)
    env = {"AMLD_QUICK": "1", "AMLD_DATA": str(ROOT / "data")}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the kernel inherits this process's environment
    try:
        nbclient.NotebookClient(test_nb, kernel_name="python3", timeout=120,
                                resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return {name: verdicts(test_nb.cells[i]) for name, i in runs.items()}


def correct(line):
    return line.endswith(": correct")


def test_the_right_answer_is_correct_on_every_line(checked):
    assert set(checked["right"]) == set(NAMES), checked["right"]
    assert all(correct(line) for line in checked["right"].values()), checked["right"]


def test_the_placeholder_is_not_yet_without_crashing(checked):
    assert set(checked["placeholder"]) == set(NAMES), checked["placeholder"]
    assert not any(correct(line) for line in checked["placeholder"].values()), checked["placeholder"]


@pytest.mark.parametrize("answer", ["untrained", "trained on normalised pixels"])
def test_a_wrong_model_is_not_yet(checked, answer):
    lines = checked[answer]
    assert not correct(lines["model_raw"]), lines
    assert "hint:" in lines["model_raw"], lines
    assert correct(lines["error_normalised"]), lines  # the part of the answer that is right still says so


def test_a_copied_error_next_to_a_wrong_model_is_not_yet(checked):
    lines = checked["copied error_raw"]
    assert not correct(lines["model_raw"]), lines
    assert not correct(lines["error_raw"]), lines
