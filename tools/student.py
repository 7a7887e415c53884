"""The student copy: every notebook without its exercise solutions and without stored outputs.

`make student` writes exercises/, which is committed (a test fails when it differs from what this script writes),
so that a badge can open it; `python tools/student.py OUTDIR` writes elsewhere. In each cell tagged `solution`,
everything from the `# --- solution ---` line on is removed, which leaves the placeholder, and the cell is
unfolded (its check, in the next code cell, stays folded); every output is cleared; the task's sentence on where
the solution is becomes STUDENT_HINT; the badges under the title open the copy itself. Answers to the questions
at the end stay, folded.
"""

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tools.sync_links when run as a script

from helpers.exercise import SOLUTION_MARKER  # noqa: E402
from tools.sync_links import badges  # noqa: E402

SOLVED_HINT = re.compile(r"The folded cell below holds the placeholder.*?your answer goes there\.\)", re.DOTALL)
STUDENT_HINT = "Your answer goes in the cell below, in place of its `None`; the check after it says if it is right."


def student_copy(nb, name=None):
    """`nb` (a notebook read by nbformat) without solutions and outputs, changed in place; returns it. With the
    notebook's file `name`, the badges under its title open exercises/`name` instead of notebooks/`name`."""
    if name is not None:
        nb.cells[0].source = nb.cells[0].source.replace(badges(name), badges(name, "exercises"))
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = SOLVED_HINT.sub(STUDENT_HINT, cell.source)
        if cell.cell_type != "code":
            continue
        cell.outputs, cell.execution_count = [], None
        cell.metadata.pop("execution", None)
        if "solution" in cell.metadata.get("tags", []):
            lines = cell.source.splitlines()
            if lines.count(SOLUTION_MARKER) != 1:
                raise ValueError(f"a solution cell needs exactly one {SOLUTION_MARKER!r} line:\n{cell.source}")
            cell.source = "\n".join(lines[:lines.index(SOLUTION_MARKER)]).rstrip()
            cell.metadata.get("jupyter", {}).pop("source_hidden", None)
            cell.metadata.get("jupyter", {}).pop("outputs_hidden", None)
    return nb


def build(outdir: Path) -> list[Path]:
    """Write the student copy of every notebook into `outdir`; return the notebooks written."""
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        copy = outdir / notebook.name
        nbformat.write(student_copy(nbformat.read(notebook, as_version=4), notebook.name), copy)
        written.append(copy)
    return written


if __name__ == "__main__":
    outdir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "exercises"
    for path in build(outdir):
        print(f"wrote {path}")
