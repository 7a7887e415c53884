"""Exercises that check themselves, the student copy, the questions at the end of every notebook.

nbval runs the solved notebooks: each check cell is `# NBVAL_CHECK_OUTPUT` and its stored output says
"correct", so a broken solution fails there. Here: the check function, the shape of every exercise, and the
student copy (tools/student.py) run top to bottom in quick mode with every check saying "not yet".
"""

import re
import sys
import time
from pathlib import Path

import nbformat
import pytest
import torch

from helpers.exercise import SOLUTION_MARKER, check, check_code, uses
from tools.execute import QUICK_LIMIT
from tools.execute import execute as run_notebook
from tools.sync_links import badges

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import student  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CHECK_CALL = re.compile(r"helpers\.exercise\.check\(")


def test_check_says_correct_only_within_the_tolerance(capsys):
    check("count", 23_296, 23_296)
    check("slope", torch.tensor(0.9712), 0.971, tol=5e-4)
    check("line", [0.97, 98.7], torch.tensor([0.971, 98.715]), tol=0.02)
    check("slope", 0.9, 0.971, tol=5e-4)
    check("line", [1.0, 2.0, 3.0], [1.0, 2.0])
    check("nan", float("nan"), 1.0, tol=10)
    check("text", "0.971", 0.971)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 7
    assert lines[:3] == ["count: correct", "slope: correct", "line: correct"]
    assert lines[3] == "slope: not yet (too low)"
    assert "shape (2,)" in lines[4] and "got (3,)" in lines[4]
    assert lines[5] == "nan: not yet (it holds NaN)"
    assert all("not yet" in line for line in lines[3:])


def shown_forms(value):
    """The ways a number could be printed: 61,100,840 / 61100840 / 6.11e+07 / 0.971 / 98.715 ..."""
    forms = {f"{value:,.0f}", f"{value:.0f}", f"{value:g}", f"{value:.3g}", f"{value:.6g}", f"{value:.2e}",
             f"{value:.3f}", f"{value:.2f}", f"{value:.1f}", repr(value)}
    return {form for form in forms if form.strip("0.-") and form not in ("1", "2", "3")}


@pytest.mark.parametrize("got, expected", [
    (61_000_000, 61_100_840), (23_296 * 2, 23_296), (70_276_800 / 3, 70_276_800), (0.9, 0.971), (98.0, 98.715),
    (-0.337, 0.337), (1e9, 3.0), (0.0, 416_520), (5, 0), (469, 468),
])
def test_a_wrong_number_gets_a_clue_but_never_the_expected_value(capsys, got, expected):
    check("answer", got, expected, tol=1e-9, hint="count the biases too")
    line = capsys.readouterr().out.strip()
    assert line.startswith("answer: not yet (") and line.endswith("; hint: count the biases too)"), line
    assert not any(form in line for form in shown_forms(float(expected)) if form not in shown_forms(float(got))), line
    direction = "too high" if got > expected else "too low"
    assert direction in line or "sign is wrong" in line, line


def test_a_clue_says_about_how_many_times_off(capsys):
    check("macs", 2 * 416_520, 416_520)
    check("macs", 416_520 / 10, 416_520)
    check("macs", 416_521, 416_520)
    assert capsys.readouterr().out.splitlines() == [
        "macs: not yet (too high: about 2 times too large)", "macs: not yet (too low: about 10 times too small)",
        "macs: not yet (too high)"]


def test_a_wrong_array_says_how_many_values_are_off_not_what_they_should_be(capsys):
    expected = torch.tensor([28.0, 14.0, 10.0, 5.0])
    check("sides", [28, 14, 11, 6], expected)
    check("grid", torch.ones(2, 3), torch.ones(2, 3) * torch.tensor([1.0, 1.0, 0.5]))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "sides: not yet (2 of 4 values are off; the first, at index 2, is too high)"
    assert lines[1] == ("grid: not yet (2 of 6 values are off; the first, at index (0, 2), is too high: "
                        "about 2 times too large)")


def test_an_answer_that_raised_gets_its_error_named(capsys):
    check("per_digit_error", AttributeError("'Tensor' object has no attribute 'diag_'"), [0.1] * 10)
    assert capsys.readouterr().out == ("per_digit_error: not yet (your code raises AttributeError: 'Tensor' object "
                                       "has no attribute 'diag_')\n")


def test_an_unanswered_exercise_is_not_yet_and_does_not_stop(capsys):
    assert check("count", None, 23_296) is None  # returns nothing: a cell's last line shows only the verdict
    assert capsys.readouterr().out == "count: not yet (replace the None in the cell above with your answer)\n"


def exercises(nb):
    """(solution cell, check cell) for every exercise of the notebook."""
    cells = nb.cells
    pairs = []
    for i, cell in enumerate(cells):
        if "solution" in cell.metadata.get("tags", []):
            after = next(c for c in cells[i + 1:] if c.cell_type == "code")
            pairs.append((cell, after))
    return pairs


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.stem)
def notebook(request):
    return nbformat.read(request.param, as_version=4)


def test_every_notebook_has_exercises_that_check_themselves(notebook):
    pairs = exercises(notebook)
    assert len(pairs) >= 2, "at least two exercises per notebook"
    for solution, checker in pairs:
        assert solution.source.splitlines().count(SOLUTION_MARKER) == 1, solution.source[:200]
        placeholder = solution.source.split(SOLUTION_MARKER)[0]
        assert "None" in placeholder, f"the placeholder leaves the answer None:\n{placeholder}"
        folded = solution.metadata.get("jupyter", {})
        assert folded.get("source_hidden") and folded.get("outputs_hidden"), "the solution and its output are folded"
        assert checker.metadata.get("jupyter", {}).get("source_hidden"), "the check is folded: no answer key on show"
        assert checker.source.startswith("# NBVAL_CHECK_OUTPUT") and CHECK_CALL.search(checker.source)
        printed = "".join(o.get("text", "") for o in checker.outputs if o.output_type == "stream")
        verdicts = printed.splitlines()
        assert len(verdicts) == len(CHECK_CALL.findall(checker.source)), printed
        assert all(line.endswith(": correct") for line in verdicts), f"stored verdicts: {printed}"
    tasks = [c for c in notebook.cells if c.cell_type == "markdown" and c.source.startswith("### Exercise")]
    assert len(tasks) == len(pairs), "each exercise starts with its task, under '### Exercise: ...'"


def test_every_notebook_ends_with_questions_and_folded_answers(notebook):
    last_code = max(i for i, c in enumerate(notebook.cells) if c.cell_type == "code")
    after = notebook.cells[last_code + 1:]
    assert after and after[0].source.startswith("## Questions"), "questions come after the check cell"
    questions = [c for c in after if re.match(r"\*\*Q\d+\.\*\*", c.source)]
    assert 5 <= len(questions) <= 8, f"{len(questions)} questions"
    for cell in questions:
        assert "<details><summary>Answer</summary>" in cell.source and cell.source.rstrip().endswith("</details>")
    assert all(c.metadata["slideshow"]["slide_type"] == "skip" for c in after), "questions are not slides"


def test_the_committed_exercise_copies_are_what_make_student_writes(tmp_path):
    written = student.build(tmp_path)
    committed = sorted((ROOT / "exercises").glob("*.ipynb"))
    assert [p.name for p in committed] == [p.name for p in written], "run `make student`"
    for path in written:
        assert path.read_bytes() == (ROOT / "exercises" / path.name).read_bytes(), f"{path.name}: run `make student`"


def test_the_student_copy_has_placeholders_and_no_outputs(tmp_path):
    written = student.build(tmp_path)
    assert [p.name for p in written] == [p.name for p in NOTEBOOKS]
    for path in written:
        nb = nbformat.read(path, as_version=4)
        assert SOLUTION_MARKER not in "".join(c.source for c in nb.cells if c.cell_type == "code"), path.name
        tasks = [c.source for c in nb.cells if c.source.startswith("### Exercise")]
        assert all(student.STUDENT_HINT in t and "folded cell" not in t for t in tasks), path.name
        assert all(not c.outputs for c in nb.cells if c.cell_type == "code"), path.name
        assert badges(path.name, "exercises") in nb.cells[0].source, "the copy's badges open the copy itself"
        for solution, _ in exercises(nb):
            assert solution.source and not solution.metadata.get("jupyter", {}).get("source_hidden")


def test_a_solution_cell_without_its_marker_is_refused():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 3", metadata={"tags": ["solution"]})])
    with pytest.raises(ValueError, match="solution"):
        student.student_copy(nb)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_student_copy_runs_and_every_check_says_not_yet(path, tmp_path, monkeypatch):
    nb = nbformat.read(ROOT / "exercises" / path.name, as_version=4)  # the committed copy, as a badge opens it
    monkeypatch.setenv("AMLD_QUICK", "1")  # the kernel inherits this process's environment
    monkeypatch.setenv("AMLD_RESULTS", str(tmp_path / "results"))
    late = []

    def noticed(cell, cell_index, execute_reply):  # how long after the kernel sent its reply the client saw it
        lag = time.time() - execute_reply["header"]["date"].timestamp()  # jupyter_client parses it to a datetime
        if lag > 5:
            late.append(f"cell {cell_index} ({cell.source.splitlines()[0][:50]!r}): reply seen {lag:.0f} s late")

    run_notebook(nb, path, QUICK_LIMIT, cwd=tmp_path, on_cell_executed=noticed)
    assert not late, f"{path.name}: " + "; ".join(late)  # tools/execute.py's client finds a reply within 0.5 s
    for _, checker in exercises(nb):
        printed = "".join(o.get("text", "") for o in checker.outputs if o.output_type == "stream")
        verdicts = printed.splitlines()  # a check of the code (check_code) may stand in for the checks of values
        assert 1 <= len(verdicts) <= len(CHECK_CALL.findall(checker.source)), printed
        assert all(": not yet" in line for line in verdicts), f"an unsolved exercise said: {printed}"


USES = '''import torch

V = torch.vander


def helper(x):
    return [x**d for d in range(3)]


def aliased(x):
    return V(x)


def through_a_helper(x):
    return torch.stack(helper(x))


def mapped(x):
    return torch.stack(list(map(x.pow, range(3))))


def broadcast(x):
    return x[:, None] ** torch.arange(3)
'''


def test_uses_sees_loops_and_calls_behind_aliases_helpers_and_map(tmp_path, monkeypatch, capsys):
    (tmp_path / "answers.py").write_text(USES)
    monkeypatch.syspath_prepend(str(tmp_path))
    import answers  # noqa: PLC0415

    assert {"V", "vander"} <= uses(answers.aliased) and "loop" not in uses(answers.aliased)
    assert {"helper", "loop"} <= uses(answers.through_a_helper)
    assert {"map", "loop"} <= uses(answers.mapped)
    assert "loop" not in uses(answers.broadcast) and "arange" in uses(answers.broadcast)
    assert check_code("vandermonde", answers.broadcast, avoid={"loop", "vander"}) is True
    assert check_code("vandermonde", answers.aliased, avoid={"loop", "vander"}, need={"arange"}) is False
    assert capsys.readouterr().out == "vandermonde: not yet (it uses vander; it does not call arange)\n"
    assert check_code("f", len, avoid={"loop"}) is False  # no source to read: a clear "not yet", not a crash
    assert "define it with def" in capsys.readouterr().out
