"""Exercises that check themselves: `check(name, got, expected, tol)` prints one verdict line.

An exercise's answer starts as `None` (the placeholder); `check` then says "not yet" and the notebook goes on.
A wrong answer also gets "not yet", with what was expected and what was got; only a right one gets "correct".
Numbers, lists, NumPy arrays and tensors are compared element by element, within `tol` (absolute).
"""

import torch

SOLUTION_MARKER = "# --- solution ---"  # in a solution cell: the placeholder above it, the solution below


def _shown(value) -> str:
    number = value.item()
    return f"{number:,.0f}" if number.is_integer() and abs(number) < 1e15 else f"{number:.6g}"


def check(name: str, got, expected, tol: float = 0.0) -> None:
    """Print "name: correct" if `got` equals `expected` within `tol`, else "name: not yet" and why.

    It returns nothing, so that a check as a cell's last line shows only its verdict."""
    if got is None:
        print(f"{name}: not yet (replace the None in the cell above with your answer)")
        return
    try:
        got_t = torch.as_tensor(got, dtype=torch.float64).cpu()
    except (TypeError, ValueError, RuntimeError):
        print(f"{name}: not yet (expected a number or an array, got {type(got).__name__})")
        return
    expected_t = torch.as_tensor(expected, dtype=torch.float64).cpu()
    if got_t.shape != expected_t.shape:
        print(f"{name}: not yet (expected shape {tuple(expected_t.shape)}, got {tuple(got_t.shape)})")
        return
    difference = (got_t - expected_t).abs().max().item() if got_t.numel() else 0.0
    if difference <= tol:  # a NaN anywhere makes the difference NaN: not correct
        print(f"{name}: correct")
        return
    if got_t.numel() == 1:
        print(f"{name}: not yet (expected {_shown(expected_t)}, got {_shown(got_t)})")
    else:
        print(f"{name}: not yet (largest difference from the expected values: {difference:.3g}, allowed {tol:g})")
