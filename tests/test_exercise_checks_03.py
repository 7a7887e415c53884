"""Notebook 03's exercise checks judge the student's answer themselves, so a wrong, copied or guessed answer fails.

The notebook's code cells run once in quick mode; at each exercise, each answer below fills its solution cell and
the exercise's check cell runs after it. The right answer must get "correct" on every line; each wrong answer must
get "not yet" where it is wrong (and "correct" where it is right). After every check, right answer or wrong, the
kernel must hold no name that the check made: nothing that a later answer could copy.
"""

import ast
import os
from pathlib import Path

import nbformat
import pytest

from helpers.exercise import SOLUTION_MARKER
from tools.execute import QUICK_LIMIT, Client

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "03-mnist-cnn-gpu.ipynb"
CHECK_OUTPUT = "# NBVAL_CHECK_OUTPUT"
NAMES_CELL = 'print(sorted(name for name in globals() if not name.startswith("_")))'

# The batches of an epoch: a function, checked on the notebook's sizes and on sizes of the check's own.
BATCHES = ("batch_sizes(nb_train_samples, batch_size)", "batch_sizes(nb_train_samples, 128)",
           "batch_sizes on the check's own sizes")
BATCHES_FLOOR = """
def batch_sizes(n, bs):
    return [bs] * (n // bs)  # the short last batch forgotten
"""
BATCHES_ALL_FULL = """
def batch_sizes(n, bs):
    return [bs] * len(range(0, n, bs))  # the right count, but the last batch taken as full
"""
BATCHES_SLIDE = """
def batch_sizes(n, bs):
    return [len(range(n)[b:b + bs]) for b in range(n, bs)]  # the slide's empty range
"""
BATCHES_FAILS_WITHOUT_IMAGES = """
def batch_sizes(n, bs):
    starts = list(range(0, n, bs))
    return [bs] * (len(starts) - 1) + [n - starts[-1]]  # right, except for n = 0: no batch, no starts[-1]
"""
BATCHES_HARD_CODED = """
def batch_sizes(n, bs):  # the notebook's own numbers, read off the solution or Q7, whatever n and bs
    return sizes_seen[bs]

sizes_seen = {bs: [len(range(nb_train_samples)[b:b + bs]) for b in range(0, nb_train_samples, bs)]
              for bs in (batch_size, 128)}
"""

# One epoch on raw pixels: the check trains its own network and compares predictions.
RAW = ("model_raw", "error_raw", "error_normalised")
RAW_UNTRAINED = """
helpers.seed_everything(0)
model_raw = Net().to(device)  # never trained
error_raw = error_rate(model_raw, test_input * std + mu, test_target)  # its own error, honestly computed
error_normalised = history["test_error"][0]
"""
RAW_TRAINED_ON_NORMALISED = """
helpers.seed_everything(0)
model_raw = Net().to(device)
train_epoch(model_raw, nn.CrossEntropyLoss(), optim.SGD(model_raw.parameters(), lr=1e-1), train_input, train_target,
            batch_size)  # the normalised pixels: not the exercise
error_raw = error_rate(model_raw, test_input * std + mu, test_target)
error_normalised = history["test_error"][0]
"""
RAW_COPIED_ERROR = """
helpers.seed_everything(0)
model_raw = Net().to(device)  # a wrong model next to the right error_raw, copied from the right answer's run
"""

# The error of each digit: a function of a confusion matrix, checked on ours and on a matrix of the check's own.
DIGITS = ("per_digit_error(confusion)", "per_digit_error on the check's own matrix")
DIGITS_FROM_PREDICTIONS = """
def per_digit_error(confusion):  # ignores its argument: the answer for our confusion matrix only
    return torch.stack([(predicted[labels == d] != d).double().mean() for d in range(10)])
"""
DIGITS_BY_COLUMN = """
def per_digit_error(confusion):
    return 1 - confusion.diag() / confusion.sum(dim=0)  # the columns: the predicted digits, not the true ones
"""

# (the text that finds the solution cell, the check's verdict names, the answers in the order they run)
EXERCISES = {
    "batches": ("def batch_sizes", BATCHES,
                {"floor": BATCHES_FLOOR, "all full": BATCHES_ALL_FULL, "slide": BATCHES_SLIDE,
                 "fails without images": BATCHES_FAILS_WITHOUT_IMAGES, "hard-coded": BATCHES_HARD_CODED,
                 "right": None}),
    "raw": ("model_raw", RAW,
            {"untrained": RAW_UNTRAINED, "trained on normalised pixels": RAW_TRAINED_ON_NORMALISED,
             "right": None,  # after two wrong answers: none of their state leaks into its verdict
             "copied error_raw": RAW_COPIED_ERROR}),  # keeps the right answer's error_raw
    "digits": ("def per_digit_error", DIGITS,
               {"from predictions": DIGITS_FROM_PREDICTIONS, "by column": DIGITS_BY_COLUMN, "right": None}),
}


def solution_cells(cells):
    """{exercise: index of its solution cell}; its check is the next code cell."""
    found = {}
    for name, (marker, _, _) in EXERCISES.items():
        found[name] = next(i for i, c in enumerate(cells) if "solution" in c.metadata.get("tags", [])
                           and marker in c.source)
        check = next(i for i in range(found[name] + 1, len(cells)) if cells[i].cell_type == "code")
        assert cells[check].source.startswith(CHECK_OUTPUT), f"{name}: the check cell follows the solution cell"
    tagged = [i for i, c in enumerate(cells) if "solution" in c.metadata.get("tags", [])]
    assert sorted(found.values()) == tagged, "every exercise of the notebook is tested here"
    return found


def verdicts(cell, names):
    """{verdict name: the line its check printed}."""
    printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    return {line.split(":")[0]: line for line in printed.splitlines() if line.split(":")[0] in names}


def printed_names(cell):
    printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    return set(ast.literal_eval(printed.strip()))


@pytest.fixture(scope="module")
def checked():
    """Run the notebook up to its last check, every answer at its exercise; return (verdicts, names left)."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    solutions = solution_cells(nb.cells)
    at = {i: name for name, i in solutions.items()}
    checks = {next(j for j in range(i + 1, len(nb.cells)) if nb.cells[j].cell_type == "code") for i in at}
    cells, runs, around = [], {}, []
    new = nbformat.v4.new_code_cell
    for i, cell in enumerate(nb.cells[:max(checks) + 1]):
        if cell.cell_type != "code" or i in checks or "colab-install" in cell.metadata.get("tags", []):
            continue
        if i not in at:
            cells.append(new(cell.source))
            continue
        exercise = at[i]
        placeholder, right = cell.source.split(SOLUTION_MARKER)
        check = nb.cells[next(j for j in range(i + 1, len(nb.cells)) if nb.cells[j].cell_type == "code")].source
        answers = {"placeholder": placeholder, **EXERCISES[exercise][2]}
        for answer, source in answers.items():
            cells += [new(placeholder + right if answer == "right" else source), new(NAMES_CELL), new(check),
                      new(NAMES_CELL)]
            runs[exercise, answer] = len(cells) - 2
            around.append((exercise, len(cells) - 3, len(cells) - 1))  # the names before the check, and after it
    test_nb = nbformat.v4.new_notebook(cells=cells, metadata=nb.metadata)
    env = {"AMLD_QUICK": "1", "AMLD_DATA": str(ROOT / "data")}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the kernel inherits this process's environment
    try:
        Client(test_nb, kernel_name="python3", timeout=QUICK_LIMIT,
                                resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    lines = {key: verdicts(test_nb.cells[i], EXERCISES[key[0]][1]) for key, i in runs.items()}
    left = {exercise: set() for exercise in EXERCISES}
    for exercise, i, j in around:
        left[exercise] |= printed_names(test_nb.cells[j]) - printed_names(test_nb.cells[i])
    return lines, left


def correct(line):
    return line.endswith(": correct")


@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_right_answer_is_correct_on_every_line(checked, exercise):
    lines = checked[0][exercise, "right"]
    assert set(lines) == set(EXERCISES[exercise][1]), lines
    assert all(correct(line) for line in lines.values()), lines


@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_placeholder_is_not_yet_without_crashing(checked, exercise):
    lines = checked[0][exercise, "placeholder"]
    assert set(lines) == set(EXERCISES[exercise][1]), lines
    assert not any(correct(line) for line in lines.values()), lines


@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_check_leaves_no_name_an_answer_could_copy(checked, exercise):
    assert not checked[1][exercise], f"the check left {sorted(checked[1][exercise])} in the kernel"


@pytest.mark.parametrize("answer", ["floor", "all full", "slide"])
def test_a_wrong_batch_count_is_not_yet(checked, answer):
    lines = checked[0]["batches", answer]
    assert not correct(lines["batch_sizes(nb_train_samples, 128)"]), lines
    assert not correct(lines["batch_sizes on the check's own sizes"]), lines
    assert all("hint:" in line for line in lines.values() if not correct(line)), lines


def test_a_function_that_fails_is_told_where(checked):
    lines = checked[0]["batches", "fails without images"]
    assert correct(lines["batch_sizes(nb_train_samples, 128)"]), lines
    own = lines["batch_sizes on the check's own sizes"]
    assert not correct(own) and "batch_sizes(0, 100) raises IndexError" in own, lines


def test_the_notebooks_own_batches_hard_coded_are_not_yet(checked):
    lines = checked[0]["batches", "hard-coded"]
    assert correct(lines["batch_sizes(nb_train_samples, 128)"]), lines  # right for the notebook's own sizes ...
    assert not correct(lines["batch_sizes on the check's own sizes"]), lines  # ... and no other


@pytest.mark.parametrize("answer", ["untrained", "trained on normalised pixels"])
def test_a_wrong_model_is_not_yet(checked, answer):
    lines = checked[0]["raw", answer]
    assert not correct(lines["model_raw"]), lines
    assert "hint:" in lines["model_raw"], lines
    assert correct(lines["error_normalised"]), lines  # the part of the answer that is right still says so


def test_a_copied_error_next_to_a_wrong_model_is_not_yet(checked):
    lines = checked[0]["raw", "copied error_raw"]
    assert not correct(lines["model_raw"]), lines
    assert not correct(lines["error_raw"]), lines


def test_per_digit_errors_not_computed_from_the_matrix_are_not_yet(checked):
    lines = checked[0]["digits", "from predictions"]
    assert correct(lines["per_digit_error(confusion)"]), lines  # right for our matrix ...
    assert not correct(lines["per_digit_error on the check's own matrix"]), lines  # ... but not from the matrix
    lines = checked[0]["digits", "by column"]
    assert not any(correct(line) for line in lines.values()), lines
