"""Exercises that check themselves: `check(name, got, expected, tol, hint)` prints one verdict line.

An exercise's answer starts as `None` (the placeholder); `check` then says "not yet" and the notebook goes on.
An answer whose code failed may be passed as the exception it raised: the verdict names it.
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


def _tensors(got, expected):
    """`got` and `expected` as float64 tensors on the CPU, or None when `got` is no number or array."""
    try:
        return torch.as_tensor(got, dtype=torch.float64).cpu(), torch.as_tensor(expected, dtype=torch.float64).cpu()
    except (TypeError, ValueError, RuntimeError):
        return None


def close(got, expected, tol: float = 0.0) -> bool:
    """Whether `got` equals `expected` within `tol`, value by value: what `check` calls correct."""
    pair = _tensors(got, expected)  # a NaN is never within tol: not correct
    return pair is not None and pair[0].shape == pair[1].shape and bool(((pair[0] - pair[1]).abs() <= tol).all())


def check(name: str, got, expected, tol: float = 0.0, hint: str | None = None) -> None:
    """Print "name: correct" if `got` equals `expected` within `tol`, else "name: not yet" and a clue.

    The clue says in which direction `got` is off (and `hint`, if given), never what was expected. It returns
    nothing, so that a check as a cell's last line shows only its verdict."""
    pair = None if got is None or isinstance(got, Exception) else _tensors(got, expected)
    if got is None or pair is None or pair[0].shape != pair[1].shape:
        clue = ("replace the None in the cell above with your answer" if got is None else
                f"your code raises {type(got).__name__}: {got}" if isinstance(got, Exception) else
                f"expected a number or an array, got {type(got).__name__}" if pair is None else
                f"expected shape {tuple(pair[1].shape)}, got {tuple(pair[0].shape)}")
        print(f"{name}: not yet ({clue})")
        return
    if close(got, expected, tol):
        print(f"{name}: correct")
        return
    got_t, expected_t = pair
    off = ~((got_t - expected_t).abs() <= tol)
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


def uses(function, _seen=None) -> set[str]:
    """What the code of `function` uses: "loop" for a for or while loop, a comprehension or `map`, and the name of
    every function it calls (`torch.vander(x)` gives "vander"), under another name too (`V = torch.vander`), and
    inside the functions of the same notebook that it calls. It reads the source: the function must come from a
    file or a notebook cell."""
    seen = {function} | (_seen or set())
    found = set()
    for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(function)))):
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While, ast.comprehension)):
            found.add("loop")
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            target = function.__globals__.get(name) if isinstance(node.func, ast.Name) else None
            found |= {name, getattr(target, "__name__", name)}
            if inspect.isfunction(target) and target.__module__ == function.__module__ and target not in seen:
                found |= uses(target, seen)
    return found - {""} | ({"loop"} if "map" in found else set())


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
