"""Notebooks 01 and 02: their exercises' checks fail for copied, guessed or wrongly computed answers.

All the exercises of a notebook are tried in one quick-mode kernel (run_tries): at each exercise, the placeholder,
then for each try below the try's code and the exercise's check cell, then the solution. Each try names the
verdict each check line must give, and the check must leave no new name in the kernel (an expected value left
there could be copied). Notebook 00's exercises use this harness in test_exercise_checks_00.py; notebook 03's have
their own test (test_exercise_checks_03.py): they train networks.
"""

import os
from pathlib import Path

import nbformat
import pytest

from helpers.exercise import SOLUTION_MARKER
from tools.execute import QUICK_LIMIT, Client

ROOT = Path(__file__).resolve().parent.parent


LEFT = 'print("left in the kernel:", sorted(n for n in set(globals()) - _before if not n.startswith("_")))'


def run_tries(notebook, exercises):
    """{marker: {try: {checked name: verdict line}}} for each exercise whose solution cell contains a marker of
    `exercises` ({marker: {try name: code}}), all in one kernel: the notebook's code cells run in order up to the
    last exercise asked for (the Colab cell left out, other exercises solved and not checked); at an exercise asked
    for, the placeholder, then each try with the check cell, then the solution, for the cells after it."""
    cells = nbformat.read(ROOT / "notebooks" / notebook, as_version=4).cells
    solutions = [i for i, c in enumerate(cells) if "solution" in c.metadata.get("tags", [])]
    checks = {next(j for j in range(i + 1, len(cells)) if cells[j].cell_type == "code"): i for i in solutions}
    marked = {i: next((m for m in exercises if m in cells[i].source), None) for i in solutions}
    last = max(i for i, marker in marked.items() if marker)
    run, where = [], {}
    for i, cell in enumerate(cells[:last + 1]):
        if cell.cell_type != "code" or i in checks or "colab-install" in cell.metadata.get("tags", []):
            continue
        if i not in marked:
            run.append(nbformat.v4.new_code_cell(cell.source))
            continue
        placeholder, answer = cell.source.split(SOLUTION_MARKER)
        check = next(j for j, of in checks.items() if of == i)
        if marked[i]:
            run.append(nbformat.v4.new_code_cell(placeholder))
            for name, source in exercises[marked[i]].items():
                run += [nbformat.v4.new_code_cell(source.replace("SOLUTION", answer) + "\n_before = set(globals())"),
                        nbformat.v4.new_code_cell(cells[check].source), nbformat.v4.new_code_cell(LEFT)]
                where[marked[i], name] = len(run) - 2
        run.append(nbformat.v4.new_code_cell(placeholder + answer))
    saved = os.environ.get("AMLD_QUICK")
    os.environ["AMLD_QUICK"] = "1"  # the kernel inherits this process's environment
    try:
        Client(nbformat.v4.new_notebook(cells=run), kernel_name="python3", timeout=QUICK_LIMIT,
                                resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    finally:
        os.environ.pop("AMLD_QUICK") if saved is None else os.environ.update(AMLD_QUICK=saved)
    verdicts = {marker: {} for marker in exercises}
    for (marker, name), i in where.items():
        printed = "".join(o.get("text", "") for c in run[i:i + 2] for o in c.outputs if o.output_type == "stream")
        verdicts[marker][name] = {line.split(": ")[0]: line for line in printed.splitlines() if ": " in line}
    return verdicts


def assert_verdicts(verdicts, expected):
    """Each check line as expected, and no name left in the kernel by the check that an answer could copy."""
    for name, lines in expected.items():
        for checked, verdict in lines.items():
            assert verdicts[name][checked].startswith(f"{checked}: {verdict}"), f"{name}: {verdicts[name]}"
        assert verdicts[name]["left in the kernel"] == "left in the kernel: []", f"{name}: {verdicts[name]}"


LOO_NAMES = ["leverage, our 30 people", "leave-one-out losses, our 30 people", "leverage, the check's own data",
             "leave-one-out losses, the check's own data"]


LOO_TRIES = {
        # The lesson's own leave-one-out losses, and leverages read back from them: right on the 30 people only.
        "copied from the lesson": "def loo_without_refit(x, y):\n    return 1 - (losses / loo).sqrt(), loo",
        "the residuals, not divided": "def loo_without_refit(x, y):\n"
                                      "    e = (y - x @ torch.linalg.lstsq(x, y).solution)[:, 0]\n"
                                      "    return (x @ torch.linalg.inv(x.T @ x) * x).sum(dim=1), e**2",
        "the lesson's refits": "def loo_without_refit(x, y):\n    losses = leave_one_out_losses(x, y)\n"
                               "    e = (y - x @ torch.linalg.lstsq(x, y).solution)[:, 0]\n"
                               "    return 1 - (e**2 / losses).sqrt(), losses",
        "the lesson's refits, renamed": "def loo_without_refit(x, y):\n    refit = leave_one_out_losses\n"
                                        "    return torch.ones(len(y)), refit(x, y)",
        "all refits in one batched fit": "def loo_without_refit(x, y):\n"
                                         "    w = (~torch.eye(len(y), dtype=torch.bool)).double()[:, :, None]\n"
                                         "    alphas = torch.linalg.lstsq(x[None] * w, y[None] * w).solution\n"
                                         "    return torch.ones(len(y)), ((x[:, None, :] @ alphas)[:, 0] - y) ** 2",
    "the solution": "SOLUTION",
}
NORMAL_TRIES = {
    "lstsq instead": "def normal_equations(x, y):\n    return x.T @ x, x.T @ y, torch.linalg.lstsq(x, y).solution",
    "x x^T": "def normal_equations(x, y):\n    return x @ x.T, x.T @ y, torch.linalg.solve(x.T @ x, x.T @ y)",
    "the solution": "SOLUTION",
}


@pytest.fixture(scope="module")
def notebook_01():
    return run_tries("01-learning-from-data.ipynb", {"def normal_equations": NORMAL_TRIES,
                                                     "def loo_without_refit": LOO_TRIES})


def test_01_leave_one_out_refuses_copied_values(notebook_01):
    assert_verdicts(notebook_01["def loo_without_refit"], {
        "copied from the lesson": dict(zip(LOO_NAMES, ["correct", "correct", "not yet", "not yet"], strict=True)),
        "the residuals, not divided": dict(zip(LOO_NAMES, ["correct", "not yet", "correct", "not yet"], strict=True)),
        "the lesson's refits": {"loo_without_refit": "not yet (it uses leave_one_out_losses"},
        "the lesson's refits, renamed": {name: "not yet (your code raises RuntimeError" for name in LOO_NAMES},
        "all refits in one batched fit": {name: "not yet (your code raises RuntimeError" for name in LOO_NAMES},
        "the solution": dict.fromkeys(LOO_NAMES, "correct"),
    })


def test_01_normal_equations_must_be_solved_on_any_data(notebook_01):
    names = ["xtx, our 30 people", "alpha, our 30 people", "xty, the check's own data", "alpha, the check's own data"]
    assert_verdicts(notebook_01["def normal_equations"], {
        "lstsq instead": {"normal_equations": "not yet (it uses lstsq; it does not call solve"},
        "x x^T": {"xtx, our 30 people": "not yet (expected shape (2, 2)", "alpha, our 30 people": "correct"},
        "the solution": dict.fromkeys(names, "correct"),
    })


FAST = ("def fit_polynomial_fast(D, x, y):\n"
        "    return torch.linalg.lstsq(vandermonde(x, D), y[:, None], driver='gelsd').solution[:, 0]\n")
VANDER_TRIES = {
    "torch.vander": "def vandermonde(x, D):\n    return torch.vander(x, N=D + 1, increasing=True)\n" + FAST,
    "a comprehension": "def vandermonde(x, D):\n    return torch.stack([x**d for d in range(D + 1)], dim=1)\n" + FAST,
    "the lesson's fit": "SOLUTION\ndef fit_polynomial_fast(D, x, y):  # noqa: F811\n    return fit(D, x, y)",
    "the solution": "SOLUTION",
}
RIGHT_VAL_MSE = "val_mse = torch.tensor([mse(fit(D, x_train[:7], y_train[:7]), x_train[7:], y_train[7:]) " \
                "for D in range(7)])\n"
VALIDATION_TRIES = {
    "the right degree, guessed": "D_val = 3",
    "training MSEs": "val_mse = torch.tensor([mse(fit(D, x_train[:7], y_train[:7]), x_train[:7], y_train[:7]) "
                     "for D in range(7)])\nD_val = int(val_mse.argmin())",
    "copied best_D": RIGHT_VAL_MSE + "D_val = best_D",
    "the solution": "SOLUTION",
}


@pytest.fixture(scope="module")
def notebook_02():
    return run_tries("02-polynomial-capacity.ipynb", {"def vandermonde": VANDER_TRIES,
                                                      "D_val = None": VALIDATION_TRIES})


def test_02_vectorisation_refuses_loops_and_torch_vander(notebook_02):
    assert_verdicts(notebook_02["def vandermonde"], {
        # fit_polynomial_fast is refused too: the check reads the functions it calls (here, that vandermonde)
        "torch.vander": {"vandermonde": "not yet (it uses vander", "fit_polynomial_fast": "not yet (it uses vander"},
        "a comprehension": {"vandermonde": "not yet (it uses loop", "fit_polynomial_fast": "not yet (it uses loop"},
        "the lesson's fit": {"vandermonde": "correct", "fit_polynomial_fast": "not yet (it uses fit;"},
        "the solution": {"vandermonde": "correct", "vandermonde at D = 0": "correct", "fit_polynomial_fast": "correct"},
    })


def test_02_validation_choice_cannot_be_guessed_or_copied(notebook_02):
    assert_verdicts(notebook_02["D_val = None"], {
        "the right degree, guessed": {"val_mse": "not yet", "D_val": "not yet (get val_mse right first"},
        "training MSEs": {"val_mse": "not yet", "D_val": "not yet"},
        "copied best_D": {"val_mse": "correct", "D_val": "not yet"},
        "the solution": {"val_mse": "correct", "D_val": "correct"},
    })
