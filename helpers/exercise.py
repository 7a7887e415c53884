"""Exercises that check themselves: `check(name, got, expected, tol, hint)` prints one verdict line.

An exercise's answer starts as `None` (the placeholder); `check` then says "not yet" and the notebook goes on.
A wrong answer also gets "not yet", with a clue that never shows the expected value: too high or too low, about
how many times too large or too small, how many values of an array are off, and the exercise's own `hint`.
Only a right answer gets "correct". Numbers, lists, NumPy arrays and tensors are compared element by element,
within `tol` (absolute). Where the exercise is about how to compute (no loop, say), `uses(function)` tells what
the student's function does, and `check_code` refuses a right value computed the wrong way.
"""

import ast
import inspect
import textwrap

import torch

SOLUTION_MARKER = "# --- solution ---"  # in a solution cell: the placeholder above it, the solution below


def _direction(got: float, expected: float) -> str:
    """'too high' or 'too low', with a rough factor when the two are far apart; never the expected value."""
    if expected != 0 and got != 0 and (got > 0) != (expected > 0):
        return "the sign is wrong"
    word = "too high" if got > expected else "too low"
    ratio = abs(got / expected) if expected != 0 else 1.0
    if ratio >= 2 or 0 < ratio <= 0.5:
        times = ratio if ratio >= 1 else 1 / ratio
        size = "large" if ratio >= 1 else "small"
        return f"{word}: about {times:.0f} times too {size}" if times < 1e3 else f"{word}: orders of magnitude off"
    return word


def close(got, expected, tol: float = 0.0) -> bool:
    """Whether `got` equals `expected` within `tol`, value by value: what `check` calls correct."""
    try:
        got_t = torch.as_tensor(got, dtype=torch.float64).cpu()
    except (TypeError, ValueError, RuntimeError):
        return False
    expected_t = torch.as_tensor(expected, dtype=torch.float64).cpu()
    return got_t.shape == expected_t.shape and bool(((got_t - expected_t).abs() <= tol).all())


def check(name: str, got, expected, tol: float = 0.0, hint: str | None = None) -> None:
    """Print "name: correct" if `got` equals `expected` within `tol`, else "name: not yet" and a clue.

    The clue says in which direction `got` is off (and `hint`, if given), never what was expected. It returns
    nothing, so that a check as a cell's last line shows only its verdict."""
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
    off = ~((got_t - expected_t).abs() <= tol)  # a NaN is never within tol: not correct
    if not off.any():
        print(f"{name}: correct")
        return
    if got_t.isnan().any():
        clue = "it holds NaN"
    elif got_t.numel() == 1:
        clue = _direction(got_t.item(), expected_t.item())
    else:
        first = off.flatten().nonzero()[0].item()
        index = tuple(int(i) for i in torch.unravel_index(torch.tensor(first), got_t.shape))
        where = index[0] if len(index) == 1 else index
        clue = (f"{off.sum().item()} of {got_t.numel()} values are off; the first, at index {where}, is "
                f"{_direction(got_t.flatten()[first].item(), expected_t.flatten()[first].item())}")
    print(f"{name}: not yet ({clue}{'; hint: ' + hint if hint else ''})")


def uses(function) -> set[str]:
    """What the code of `function` uses: "loop" for a for or while loop or a comprehension, and the name of every
    function it calls (`torch.vander(x)` gives "vander"). It reads the source, so the function must come from a
    file or a notebook cell."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While, ast.comprehension)):
            found.add("loop")
        elif isinstance(node, ast.Call):
            callee = node.func
            found.add(callee.attr if isinstance(callee, ast.Attribute) else getattr(callee, "id", ""))
    return found - {""}


def check_code(name: str, function, avoid=(), need=(), hint: str | None = None) -> bool:
    """Print "name: not yet" and return False if the code of `function` uses any of `avoid` or lacks a call to
    any of `need` (as `uses` names them); return True, printing nothing, when its code is as the exercise asks."""
    try:
        used = uses(function)
    except (OSError, TypeError):
        print(f"{name}: not yet (define it with def in a cell of this notebook, so that the check can read it)")
        return False
    clues = [f"it uses {what}" for what in sorted(set(avoid) & used)]
    clues += [f"it does not call {what}" for what in sorted(set(need) - used)]
    if clues:
        print(f"{name}: not yet ({'; '.join(clues)}{'; hint: ' + hint if hint else ''})")
    return not clues
